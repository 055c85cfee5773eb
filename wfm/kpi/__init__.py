"""Service KPIs from what actually happened: actuals, roster, login data and forecast.

``read_actuals`` reads the actuals table (``wfm.kpi.actuals``); ``compute_kpis`` builds the long
KPI table and its summary (``wfm.kpi.compute``); ``KPIS`` holds every definition once
(``wfm.kpi.definitions``); ``write_kpi_table`` writes the table atomically (``wfm.kpi.output``).
"""

from wfm.kpi.actuals import ACTUALS, ACTUALS_COLUMNS, check_actuals, read_actuals
from wfm.kpi.compute import KPI_COLUMNS, LEVELS, KpiReport, compute_kpis
from wfm.kpi.definitions import BY_NAME, KPIS, Kpi
from wfm.kpi.output import KPI_TABLE, read_kpi_table, write_kpi_table

__all__ = ["ACTUALS", "ACTUALS_COLUMNS", "BY_NAME", "KPIS", "KPI_COLUMNS", "LEVELS", "Kpi",
           "KPI_TABLE", "KpiReport", "check_actuals", "compute_kpis", "read_actuals",
           "read_kpi_table", "write_kpi_table"]
