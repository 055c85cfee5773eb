"""``wfm forecast`` (history in, forecast CSV out) and ``wfm forecast backtest``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from wfm_cli.commands.common import (
    EXIT_BAD_INPUT,
    ConfigOption,
    FormatOption,
    OutputFormat,
    check_distinct_paths,
    cli_errors,
    emit,
    fail,
    load_site,
    progress,
)
from wfm_cli.commands.serve import DbOption

forecast_app = typer.Typer(
    help="Forecast contacts and AHT per interval and queue (run `wfm forecast backtest --help` "
         "for the accuracy check).",
    invoke_without_command=True,
    no_args_is_help=False,
)

HolidayFactor = Annotated[float | None, typer.Option(
    "--holiday-factor", help="Deprecated (prefer [forecast] day_factors): holiday volume vs an "
    "ordinary day, for holidays history has no evidence of (unset: an ordinary day, flagged).")]
PromotionFactor = Annotated[float | None, typer.Option(
    "--promotion-factor", help="Promotion-day volume vs an ordinary day, used when history has "
    "no promotion day (default 2.0).")]


def _settings(site: Any, holiday_factor: float | None, promotion_factor: float | None) -> Any:
    from wfm.forecast.settings import settings_for

    return settings_for(site, holiday_factor=holiday_factor, promotion_factor=promotion_factor)


def _parse_date(text: str) -> date:
    from wfm.calendar import parse_date  # the date forms every table and flag takes

    return parse_date(text, "--start")


@forecast_app.callback()
def forecast(
    ctx: typer.Context,
    history: Annotated[Path | None, typer.Option(
        "--history", help="History CSV: intervals (interval_start, contacts, aht_seconds"
        "[, queue]) or contact records (arrival_time, handle_seconds[, queue, abandoned]).")]
    = None,
    start: Annotated[str | None, typer.Option(
        "--start", help="First forecast day, YYYY-MM-DD.")] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Horizon in weeks (1-52).")] = 1,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Forecast CSV to write.")] = None,
    holiday_factor: HolidayFactor = None,
    promotion_factor: PromotionFactor = None,
    store: Annotated[bool, typer.Option(
        "--store", help="Also publish the forecast to the service's database (--db), one "
        "published forecast per queue with its chosen model and --start as origin, for the "
        "accuracy page.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Forecast every interval of the horizon for every queue: contacts, AHT, P10/P90."""
    if ctx.invoked_subcommand is not None:
        return
    from wfm.forecast import load_history, run_forecast
    from wfm.tables import FORECAST, write_table

    missing = [flag for flag, value in (("--history", history), ("--start", start),
                                        ("-o/--output", output)) if value is None]
    if missing:
        fail(f"missing option(s) {', '.join(missing)} (see `wfm forecast --help`)",
             EXIT_BAD_INPUT, output_format)
    assert history is not None and start is not None and output is not None
    with cli_errors(output_format):
        check_distinct_paths({"-o/--output": output}, {"--history": history, "--config": config})
        site = load_site(config)
        settings = _settings(site, holiday_factor, promotion_factor)
        first = _parse_date(start)
        progress(f"reading {history}")
        frame = load_history(history, site, min_days=settings.min_history_days)
        table, queues_info = run_forecast(frame, site, start=first, weeks=weeks,
                                          settings=settings)
        write_table(table, output, FORECAST)
        published = (_publish(table, queues_info, site, first, db) if store else [])
        last = first + timedelta(days=7 * weeks - 1)
        special = [{"queue": queue, **day.record()} for queue, info in queues_info.items()
                   for day in info.special_days]
        queues = {str(queue): round(float(rows["contacts"].sum()), 1)
                  for queue, rows in table.groupby("queue")}
        warnings = _stale_history(frame, site, first) + _outside_open_hours(frame, site)
        warnings += _bias_warnings(queues_info)
        warnings += [f"queue {queue} {day.date} {day.holiday}: {day.message}"
                     for queue, info in queues_info.items() for day in info.special_days
                     if day.flagged]
        warnings += [f"queue {queue}: level guard: {info.choice.guard.text()}"
                     for queue, info in queues_info.items()
                     if info.choice.guard is not None and info.choice.guard.action != "none"]
        models = {queue: info.choice.summary() for queue, info in queues_info.items()}
        updates = {queue: info.update.record(site.interval_minutes)
                   for queue, info in queues_info.items() if info.update is not None}
        spreads = {str(queue): _spread(info) for queue, info in queues_info.items()}
        summary = {"output": str(output), "start": first, "end": last, "weeks": weeks,
                   "intervals": len(table), "queues": queues,
                   "contacts_total": round(float(table["contacts"].sum()), 1),
                   "models": models, "intraday_update": updates,
                   "intraday_spread": {q: s.record() for q, s in spreads.items()},
                   "special_days": special, "warnings": warnings}
        human = [f"wrote {output}: {len(table)} rows, {len(queues)} queue(s), {first} to {last}"]
        if store:
            summary["published"] = published
            human += [f"  published forecast {p['forecast_id']} for queue {p['queue']} "
                      f"({p['model']}, origin {first})" for p in published]
        human += [f"  warning: {text}" for text in warnings]
        for queue, total in queues.items():
            human.append(f"  {queue}: {total:.0f} contacts forecast; "
                         + choice_line(queues_info[queue].choice))
            if queue in updates:
                u = updates[queue]
                human.append(f"    intraday update: {u['arrived']:.0f} contacts arrived by "
                             f"{u['through']} against {u['expected']:.0f} expected; the rest "
                             f"of {first} is scaled x{u['factor']:.3f}")
        for day in special:
            name = f" {day['holiday']}" if day["holiday"] else ""
            human.append(f"  {day['date']} {day['queue']} {day['kind']}{name}: "
                         f"{day['message']}")
        emit(summary, output_format, human)


def _spread(info: Any) -> Any:
    """The intraday update's spread of a queue's choice (``wfm.intraday.UpdateSpread``):
    measured on its backtest folds, or the default when no fold was scored."""
    from wfm.intraday import UpdateSpread

    choice = info.choice
    if not choice.scores:
        return UpdateSpread()
    return UpdateSpread(choice.day_sigma, choice.dispersion, choice.block_dispersion,
                        "backtest")


def _publish(table: Any, queues_info: dict[Any, Any], site: Any, origin: date,
             db: str | None) -> list[dict[str, Any]]:
    """Keep each queue's forecast in the service's database as a published forecast (the
    store ``POST /api/v1/forecasts`` writes to), with its model, origin and the intraday
    update's spread its backtest measured (so ``GET /api/v1/intraday`` re-forecasts the day
    as this command's intraday update does)."""
    from api.store import SYSTEM, Store
    from wfm_cli.commands.serve import database_errors, db_source, load_settings, open_database

    settings = load_settings(db_url=db)
    source = db_source(db)
    engine = open_database(settings.db_url, source)
    out = []
    try:
        with database_errors(settings.db_url, source, "write to"):
            service = Store(engine, site)
            for queue, rows in table.groupby("queue", sort=True):
                info = queues_info.get(queue)
                model = str(info.choice.summary()["model"]) if info else "unknown"
                # a choice without scored folds never measured a spread: the default stays
                spread = None if info is None else _spread(info)
                if spread is not None and spread.source != "backtest":
                    spread = None
                published = service.publish_forecast(
                    frame=rows.reset_index(drop=True), model=model, origin=origin,
                    actor=SYSTEM, reason="wfm forecast --store", spread=spread)
                out.append({"queue": str(queue), "forecast_id": published.id, "model": model})
    finally:
        engine.dispose()
    return out


def choice_line(choice: Any) -> str:
    """One line on the model a queue's choice picked, against the best simple candidate, and
    its bias; the level guard's reading when it read the recent weeks."""
    data = choice.summary()
    if data["rule"] == "short history" and "interval_wape" not in data:
        return f"model {data['model']} ({data['rule_text']})"
    if data["rule"] == "configured":
        head = f"model {data['model']} ([forecast] model)"
    else:
        kind = "short-history " if data["rule"] == "short history" else ""
        head = (f"model {data['model']} chosen {kind}simple-first over {len(data['folds'])} "
                f"weekly origin(s) at a {data['horizon_days'] / 7:g}-week horizon")
    if "interval_wape" not in data:
        return head
    text = f"{head}: interval WAPE {_pct(data['interval_wape'])}"
    if "gain_vs_seasonal_naive" in data:
        text += f", {_pct(data['gain_vs_seasonal_naive'])} lower than seasonal naive"
    versus = data.get("versus")
    if versus:
        verdict = ("beyond noise: chosen" if versus["passed"] and data["model"] ==
                   versus["candidate"] else "not beyond noise: the simple model stays")
        text += f"; {versus['text']}, {verdict}"
    anchor = data.get("anchor_test")
    if anchor:
        text += f"; against the 4-week mean: {anchor['text']}"
    text += f"; bias {_signed(data['bias'])} (noise ±{_pct(data['bias_noise'])})"
    guard = data.get("level_guard")
    if guard:
        text += f"; level guard: {guard['text']}"
    return text


def _bias_warnings(queues_info: dict[str, Any]) -> list[str]:
    out = []
    for queue, info in queues_info.items():
        data = info.choice.summary()
        if data.get("bias_within_noise") is False:
            out.append(f"queue {queue}: the chosen model {data['model']} was biased by "
                       f"{_signed(data['bias'])} on its backtest folds, more than the noise "
                       f"(±{_pct(data['bias_noise'])}); check recent changes in volume")
    return out


def _signed(value: float) -> str:
    return "-" if value != value else f"{100 * value:+.1f}%"


STALE_HISTORY_DAYS = 7


def _stale_history(frame: Any, site: Any, first: date) -> list[str]:
    """A warning per queue whose history ends a week or more before the forecast starts."""
    import pandas as pd

    from wfm.calendar import local_naive

    start = pd.Timestamp(first).tz_localize(site.tz)
    out = []
    for queue, rows in frame.groupby("queue", sort=True):
        before = rows[rows["interval_start"] < start]
        if before.empty:
            continue
        last_day = local_naive(before["interval_start"]).max().date()
        gap = (first - last_day).days - 1
        if gap >= STALE_HISTORY_DAYS:
            out.append(f"queue {queue}: history ends {last_day}, {gap} days before {first}; "
                       "its last level and trend are carried across the gap, so treat this "
                       "forecast as rough and add recent history if you have it")
    return out


def _outside_open_hours(frame: Any, site: Any) -> list[str]:
    """A warning per queue whose history has contacts outside ``open_hours``: the forecast
    leaves them out (closed intervals forecast 0), so the planner should know how many."""
    from wfm.calendar import local_naive

    window = site.open_window_minutes()
    if window is None:
        return []
    naive = local_naive(frame["interval_start"])
    start = naive.hour * 60 + naive.minute
    outside = (start < window[0]) | (start + site.interval_minutes > window[1])
    out = []
    for queue, rows in frame.assign(outside=outside).groupby("queue", sort=True):
        total = float(rows["contacts"].sum())
        lost = float(rows.loc[rows["outside"], "contacts"].sum())
        if total > 0 and lost / total >= 0.005:
            out.append(f"queue {queue}: {lost:.0f} of {total:.0f} contacts in history "
                       f"({100 * lost / total:.1f}%) arrived outside open_hours "
                       f"{site.open_hours}; the forecast leaves such contacts out")
    return out


@forecast_app.command("backtest")
def backtest_command(
    history: Annotated[Path, typer.Option("--history", help="History CSV (as for the forecast).")],
    folds: Annotated[int, typer.Option("--folds", help="Number of rolling origins.")] = 4,
    horizon_weeks: Annotated[int, typer.Option(
        "--horizon-weeks", help="Weeks forecast from each origin.")] = 1,
    holiday_factor: HolidayFactor = None,
    promotion_factor: PromotionFactor = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Rolling-origin backtest: WAPE of the model vs seasonal naive on the same folds."""
    from wfm.forecast import load_history
    from wfm.forecast.backtest import backtest

    with cli_errors(output_format):
        site = load_site(config)
        settings = _settings(site, holiday_factor, promotion_factor)
        frame = load_history(history, site, min_days=settings.min_history_days)
        progress(f"backtesting {folds} fold(s) of {horizon_weeks} week(s)")
        result = backtest(frame, site, folds=folds, horizon_weeks=horizon_weeks,
                          settings=settings)
        scores = result.scores
        records = scores.to_dict(orient="records")
        gains = {}
        for measure in ("interval_wape", "daily_wape", "aht_wape"):
            model = result.score("model", "all", measure)
            naive = result.score("seasonal_naive", "all", measure)
            gains[measure] = (1 - model / naive) if naive and naive == naive else None
        per_fold = result.per_fold()
        candidates = result.candidate_scores().to_dict(orient="records")
        chosen = (result.rows.groupby(["fold", "queue"])["chosen"].first().reset_index()
                  .to_dict(orient="records"))
        summary = {"history": str(history), "folds": per_fold,
                   "horizon_weeks": horizon_weeks, "scores": records,
                   "improvement_vs_seasonal_naive": gains, "chosen_per_fold": chosen,
                   "candidates": candidates}
        human = [f"backtest of {history}: {len(result.folds)} fold(s) of {horizon_weeks} "
                 f"week(s), {result.folds[0][0]} to {result.folds[-1][1] - timedelta(days=1)}",
                 f"  {'method':<15} {'days':<9} {'interval WAPE':>13} {'daily WAPE':>11} "
                 f"{'AHT error':>10} {'intervals':>9}"]
        for row in records:
            human.append(f"  {row['method']:<15} {row['days']:<9} "
                         f"{_pct(row['interval_wape']):>13} {_pct(row['daily_wape']):>11} "
                         f"{_pct(row['aht_wape']):>10} {row['intervals']:>9}")
        human.append("  model vs seasonal naive (all days): " + ", ".join(
            f"{name.replace('_', ' ')} {_pct(gain)} lower" for name, gain in gains.items()))
        human.append("  model chosen at each fold's origin: " + ", ".join(
            f"fold {c['fold']} {c['queue']}: {c['chosen']}" for c in chosen))
        human.append(f"  {'candidate (queue all)':<24} {'interval WAPE':>13} "
                     f"{'daily WAPE':>11} {'bias':>7}")
        for row in sorted((c for c in candidates if c["queue"] == "all"),
                          key=lambda c: c["interval_wape"]):
            human.append(f"  {row['method']:<24} {_pct(row['interval_wape']):>13} "
                         f"{_pct(row['daily_wape']):>11} {_signed(row['bias']):>7}")
        human.append("  per fold (daily WAPE, model vs seasonal naive):")
        for fold in per_fold:
            span = f"{fold['start']}..{fold['end']}"
            if fold["intervals"] == 0:
                human.append(f"    {span}: no actuals (a gap in history), not scored")
                continue
            human.append(f"    {span}: {fold['days_scored']} day(s) scored, model "
                         f"{_pct(fold['model_daily_wape'])}, seasonal naive "
                         f"{_pct(fold['seasonal_naive_daily_wape'])}")
        emit(summary, output_format, human)


def _pct(value: float | None) -> str:
    if value is None or value != value:
        return "-"
    return f"{100 * value:.1f}%"


def register(app: typer.Typer) -> None:
    app.add_typer(forecast_app, name="forecast")
