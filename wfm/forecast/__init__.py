"""Forecasting contacts and AHT per interval (DESIGN.md: history -> forecast)."""

from wfm.forecast.contacts import forecast_contacts, run_forecast
from wfm.forecast.history import load_history
from wfm.forecast.metrics import bias, mae, wape
from wfm.forecast.models import ProfileModel, SeasonalNaive
from wfm.forecast.settings import ForecastSettings

__all__ = ["ForecastSettings", "ProfileModel", "SeasonalNaive", "bias", "forecast_contacts",
           "load_history", "mae", "run_forecast", "wape"]
