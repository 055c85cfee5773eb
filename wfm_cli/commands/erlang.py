"""``wfm erlang``: the planner's calculator for one interval ("what do I get with 58 agents?")."""

from __future__ import annotations

from typing import Annotated

import typer

from wfm_cli.commands.common import (
    AnswerWithinOption,
    ConfigOption,
    FormatOption,
    OutputFormat,
    PatienceOption,
    cli_errors,
    emit,
    load_site,
)


def erlang(
    contacts: Annotated[float, typer.Option("--contacts", help="Contacts in the interval.")],
    aht_seconds: Annotated[float, typer.Option("--aht-seconds", help="Average handle time, s.")],
    agents: Annotated[int, typer.Option("--agents", help="Agents on the phones.")],
    interval_minutes: Annotated[int | None, typer.Option(
        "--interval-minutes", help="Interval length (default: site interval_minutes).")] = None,
    answer_within: AnswerWithinOption = None,
    patience: PatienceOption = None,
    config: ConfigOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Service level, waiting probability, ASA and occupancy for a given number of agents."""
    from wfm.staffing import erlang as kernels
    from wfm.validation import check_non_negative, check_non_negative_int, check_positive

    with cli_errors(output_format):
        site = load_site(config, interval_minutes=interval_minutes,
                         flags={"interval_minutes": "--interval-minutes",
                                "service.answer_within_seconds": "--answer-within",
                                "service.patience_seconds": "--patience"},
                         **{"service.answer_within_seconds": answer_within,
                            "service.patience_seconds": patience})
        check_non_negative("contacts", contacts)
        check_positive("aht_seconds", aht_seconds)
        check_non_negative_int("agents", agents)
        target = site.service.answer_within_seconds
        traffic = contacts * aht_seconds / site.interval_seconds
        result: dict[str, float | int | str | None] = {
            "contacts": contacts, "aht_seconds": aht_seconds, "agents": agents,
            "interval_minutes": site.interval_minutes, "answer_within_seconds": target,
            "traffic_erlangs": traffic}
        patience_seconds = site.service.patience_seconds
        if patience_seconds > 0:
            from wfm.staffing.erlang_a import erlang_a_metrics

            metrics = erlang_a_metrics(traffic, agents, aht_seconds, patience_seconds, target)
            wait = float(metrics.wait_probability)
            result.update(model="erlang_a", patience_seconds=patience_seconds,
                          wait_probability=wait, answered_immediately=1.0 - wait,
                          service_level=float(metrics.service_level),
                          asa_seconds=float(metrics.asa_seconds),
                          occupancy=float(metrics.occupancy),
                          abandon_rate=float(metrics.abandon_rate))
        else:
            wait = float(kernels.erlang_c(traffic, agents))
            result.update(model="erlang_c", wait_probability=wait,
                          answered_immediately=1.0 - wait,
                          service_level=float(kernels.service_level(traffic, agents,
                                                                    aht_seconds, target)),
                          asa_seconds=float(kernels.average_speed_of_answer(traffic, agents,
                                                                            aht_seconds)),
                          occupancy=float(kernels.occupancy(traffic, agents)))
        if agents == 0:  # no agent: nobody is busy or idle; occupancy has no value
            result["occupancy"] = None
        emit(result, output_format, _human(result))


def _human(result: dict) -> list[str]:
    lines = [f"{result['contacts']:g} contacts x {result['aht_seconds']:g} s in "
             f"{result['interval_minutes']} min = {result['traffic_erlangs']:.3f} Erlangs, "
             f"{result['agents']} agents ({result['model'].replace('_', ' ')})"]
    if result["agents"] <= result["traffic_erlangs"] and result["model"] == "erlang_c":
        lines.append("  not enough agents: the queue grows without bound (every contact waits)")
    lines += [
        f"  probability of waiting   {100 * result['wait_probability']:.2f}%",
        f"  answered immediately     {100 * result['answered_immediately']:.2f}%",
        f"  service level            {100 * result['service_level']:.2f}% within "
        f"{result['answer_within_seconds']:g} s",
        f"  average speed of answer  {result['asa_seconds']:.1f} s",
        "  occupancy                " + ("n/a (no agents)" if result["occupancy"] is None
                                            else f"{100 * result['occupancy']:.2f}%"),
    ]
    if "abandon_rate" in result:
        lines.append(f"  abandonment              {100 * result['abandon_rate']:.2f}%")
    return lines


def register(app: typer.Typer) -> None:
    app.command("erlang")(erlang)
