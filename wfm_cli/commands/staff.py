"""``wfm staff``: forecast CSV in, requirement CSV out (Erlang C, or Erlang A with patience)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wfm_cli.commands.common import (
    AnswerWithinOption,
    ConfigOption,
    FormatOption,
    OutputFormat,
    PatienceOption,
    check_distinct_paths,
    cli_errors,
    emit,
    load_site,
    progress,
)

if TYPE_CHECKING:
    from wfm.config import ServiceTargets


def staff(
    forecast: Annotated[Path, typer.Option("--forecast", help="Forecast CSV (DESIGN.md).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Requirement CSV to write.")],
    service_level: Annotated[float | None, typer.Option(
        "--service-level", help="Fraction answered within the target, e.g. 0.8.")] = None,
    answer_within: AnswerWithinOption = None,
    max_occupancy: Annotated[float | None, typer.Option(
        "--max-occupancy", help="Occupancy cap in (0, 1], e.g. 0.85.")] = None,
    shrinkage: Annotated[float | None, typer.Option(
        "--shrinkage", help="Share of paid time not on contacts, in [0, 1).")] = None,
    patience: PatienceOption = None,
    quantile: Annotated[float | None, typer.Option(
        "--quantile", help="Staff for this forecast quantile (0.1-0.9), not the mean.")] = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Turn a contact forecast into required agents per interval and queue."""
    from wfm.staffing.requirements import (
        check_configured_queues,
        compute_requirements,
        summarize_requirements,
    )
    from wfm.tables import FORECAST, REQUIREMENT, read_table, write_table

    with cli_errors(output_format):
        check_distinct_paths({"-o/--output": output}, {"--forecast": forecast, "--config": config})
        site = load_site(config, **{
            "service.level": service_level, "service.answer_within_seconds": answer_within,
            "service.max_occupancy": max_occupancy, "service.shrinkage": shrinkage,
            "service.patience_seconds": patience}, flags={
            "service.level": "--service-level", "service.answer_within_seconds":
            "--answer-within", "service.max_occupancy": "--max-occupancy",
            "service.shrinkage": "--shrinkage", "service.patience_seconds": "--patience"})
        if any(v is not None for v in (service_level, answer_within, max_occupancy, shrinkage,
                                       patience)):
            # a flag applies to every queue, including those with per-queue overrides
            flags = {"level": service_level, "answer_within_seconds": answer_within,
                     "max_occupancy": max_occupancy, "shrinkage": shrinkage,
                     "patience_seconds": patience}
            # --patience (Erlang A) is for phone queues: chat queues ignore it
            site = site.with_overrides(**{
                f"queues.{queue}.{key}": value for queue in site.queues
                for key, value in flags.items() if value is not None
                and not (key == "patience_seconds" and site.service_for(queue).is_chat)})
        frame = read_table(forecast, FORECAST, timezone=site.timezone)
        warnings = check_configured_queues(frame["queue"].astype(str).unique().tolist(), site,
                                           label=str(forecast))
        for text in warnings:
            progress(f"warning: {text}")
        requirement = compute_requirements(frame, site, quantile=quantile, label=str(forecast))
        write_table(requirement, output, REQUIREMENT)
        queues = sorted(requirement["queue"].astype(str).unique())
        chat = site.chat_queues(queues)
        summary = summarize_requirements(requirement, site.interval_minutes, chat)
        summary["output"] = str(output)
        summary["warnings"] = warnings
        summary["model"] = ("erlang_a" if "abandon_rate" in requirement.columns else "erlang_c")
        summary["queue_models"] = {q: _model(site.service_for(q)) for q in queues}
        if chat:
            summary["model"] = "chat" if len(chat) == len(queues) else "mixed"
        human = [f"wrote {output} ({len(requirement)} rows, {summary['model'].replace('_', ' ')})",
                 _line("all queues", summary)]
        human += [_line(queue, figures, summary["queue_models"][queue])
                  for queue, figures in summary["queues"].items()]
        emit(summary, output_format, human)


def _model(service: ServiceTargets) -> str:
    """The staffing model of one queue, as the summary names it."""
    from wfm.staffing.dispatch import model_for

    model = model_for(service)
    if model == "chat":
        return (f"chat (up to {service.max_concurrency} at once, first response "
                f"{service.first_response_seconds:g} s)")
    return model


def _line(name: str, figures: dict, model: str = "") -> str:
    level = figures["service_level"]
    occ = figures["occupancy"]
    chat = model.startswith("chat")
    working = "on chats" if chat else "on the phones"
    return (f"  {name}{f' [{model}]' if chat else ''}: peak "
            f"{figures['peak_scheduled_agents']} scheduled agents"
            f" ({figures['peak_agents']} {working}) at {figures['peak_at']}, "
            f"{figures['scheduled_agent_hours']:.1f} scheduled agent-hours, "
            f"service level {'-' if level is None else f'{100 * level:.1f}%'}, "
            f"occupancy {'-' if occ is None else f'{100 * occ:.1f}%'}")


def register(app: typer.Typer) -> None:
    app.command("staff")(staff)
