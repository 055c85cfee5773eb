"""The planner's swap queue (rule check and coverage impact of each pending swap, approve or
deny with a reason) and the swap history with filters."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import StoreDep
from api.models import SwapEvent, SwapRequest
from api.schemas import SwapStatus
from api.store import Actor, Store
from api.web.cache import cached
from api.web.precheck import below_requirement, precheck_swap
from api.web.render import render
from api.web.session import CsrfChecked, PagePlanner
from wfm.errors import Conflict, InvalidInput, NotFound

router = APIRouter(prefix="/planner/swaps", include_in_schema=False, tags=["pages"])
QUEUE_LIMIT = 200  # pending swaps shown with a fresh check
HISTORY_PAGE = 50
IMPACT_SHOWN = 12  # intervals below requirement listed per swap


def current_check(store: Store, swap: SwapRequest) -> dict[str, Any]:
    """The swap's verdict on the current roster, as the template shows it."""
    dates = [date.fromisoformat(d) for d in json.loads(swap.dates)]
    try:
        verdict = precheck_swap(store, kind=swap.kind, requester_id=swap.requester_id,
                                counterpart_id=swap.counterpart_id, dates=dates)
    except InvalidInput as error:
        return {"violations": [], "check_error": str(error), "below": [], "before": [],
                "after": []}
    return {"violations": verdict.violations, "check_error": "",
            "below": below_requirement(verdict.impact), "before": verdict.before,
            "after": verdict.after, "impact_rows": len(verdict.impact)}


def current_checks(store: Store, swaps: list[SwapRequest]) -> list[dict[str, Any]]:
    """``current_check`` of each swap, kept until the stored data changes (``api.web.cache``:
    a verdict depends only on the roster, the agents and the requirement), so re-opening the
    queue does not judge every swap again."""
    key = ("swap-checks", tuple((s.id, s.kind, s.requester_id, s.counterpart_id, s.dates)
                                for s in swaps))
    return cached(store, key, lambda: [current_check(store, s) for s in swaps])


def swap_view(store: Store, swap: SwapRequest, *, check: dict[str, Any] | None = None,
              histories: dict[int, list[SwapEvent]] | None = None) -> dict[str, Any]:
    """A swap for a template, with its ``check`` on the current roster if given (else the
    impact stored when it was made). ``histories``: the page's histories read at once."""
    dates = [date.fromisoformat(d) for d in json.loads(swap.dates)]
    history = (histories[swap.id] if histories is not None and swap.id in histories
               else store.swap_history(swap_id=swap.id))
    view: dict[str, Any] = {"swap": swap, "dates": dates, "history": history}
    if check is not None:
        view.update(check)
    else:
        view["below"] = below_requirement(json.loads(swap.impact))
    return view


@router.get("", response_class=HTMLResponse)
def read_swap_queue(*, request: Request, store: StoreDep, planner: PagePlanner,
                    status: SwapStatus | None = None, agent: str = "",
                    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                    message: str = "", error: str = "") -> HTMLResponse:
    """Swaps awaiting approval (accepted) and awaiting the colleague (requested); history."""
    accepted, _ = store.list_swaps(status="accepted", agent_id=None, page=1,
                                   page_size=QUEUE_LIMIT)
    requested, _ = store.list_swaps(status="requested", agent_id=None, page=1,
                                    page_size=QUEUE_LIMIT)
    history, total = store.list_swaps(status=status, agent_id=agent.strip() or None, page=page,
                                      page_size=HISTORY_PAGE)
    histories = store.swap_histories(
        swap_ids=sorted({s.id for s in [*accepted, *requested, *history]}))
    return render(request, "swaps.html", {
        "pending": [swap_view(store, s, check=c, histories=histories)
                    for s, c in zip(accepted, current_checks(store, accepted), strict=True)],
        "waiting": [swap_view(store, s, histories=histories) for s in requested],
        "history": [swap_view(store, s, histories=histories) for s in reversed(history)],
        "total": total, "page": page, "pages": max(1, -(-total // HISTORY_PAGE)),
        "status": status or "", "agent": agent, "error": error,
        "message": message if message.startswith("swap.done_") else "",
        "statuses": get_args(SwapStatus), "impact_shown": IMPACT_SHOWN})


@router.post("/{swap_id}/decide", dependencies=[CsrfChecked])
def decide_swap(*, request: Request, store: StoreDep, planner: PagePlanner, swap_id: int,
                decision: Annotated[str, Form()], reason: Annotated[str, Form()] = ""
                ) -> Response:
    """Approve (apply to the roster) or deny; the store re-validates as the API does."""
    action = "approve" if decision == "approve" else "deny"
    try:
        swap = store.transition_swap(swap_id=swap_id, action=action, actor=Actor.of(planner),
                                     reason=reason.strip()[:2000])
    except (Conflict, NotFound) as error:
        page = read_swap_queue(request=request, store=store, planner=planner, error=str(error))
        page.status_code = 409 if isinstance(error, Conflict) else 404
        return page
    return RedirectResponse(f"/planner/swaps?message=swap.done_{swap.status}&swap={swap.id}",
                            status_code=303)

