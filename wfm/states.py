"""A site's ACD state names and AUX codes → wfm's states (``[adherence.states]``, issue 24).

wfm's states are ``ACD_STATES``: ``login``, ``logout``, the working ``ready``, ``talk``, ``acw``,
``hold``, and the logged-in but not working ``break``, ``lunch``, ``meeting``, ``training``,
``not_ready``. A login-events table may use a site's own wording instead ("Available",
"AUX 3", "小休"): every state is looked up, case-insensitively and with runs of spaces read as
one, first in the site's ``[adherence.states]``, then in ``DEFAULT_STATE_NAMES``. A state found
in neither is an error naming its line, its value and the line to add to the site file; it is
never dropped.

``DEFAULT_STATE_NAMES`` (each wfm state also maps to itself):

* login: log in, logged in, logon, sign in, signin, 登录, 登入, 签入, 上线
* logout: log out, logged out, logoff, sign out, signout, 登出, 注销, 签出, 下线, 离线
* ready: available, idle, waiting, 就绪, 空闲, 示闲, 置闲, 可用, 在线
* talk: talking, on call, in call, on contact, inbound, outbound, chat, chatting, 通话,
  通话中, 接待, 接待中
* acw: after call work, after-call work, wrap, wrap up, wrap-up, wrapup, 话后, 话后处理,
  事后处理, 整理
* hold: on hold, 保持, 通话保持
* break: short break, rest, 小休, 休息, 短休
* lunch: meal, meal break, lunch break, dinner, 午餐, 午休, 用餐, 就餐, 吃饭
* meeting: team meeting, 会议, 开会, 例会
* training: coaching, 培训, 辅导
* not_ready: not ready, notready, not-ready, aux, unavailable, away, busy (set busy), 示忙,
  置忙, 未就绪, 离开, 忙碌

An AUX code (``AUX 3``) means different things at different sites, so only a bare ``aux`` has
a default; name the others in the site file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from wfm.errors import InvalidInput

if TYPE_CHECKING:  # pandas is imported where events are mapped: the config (and `wfm erlang`)
    import pandas as pd  # load this module without it

ACD_STATES = ("login", "logout", "ready", "talk", "acw", "hold", "break", "lunch", "meeting",
              "training", "not_ready")

_DEFAULTS = {
    "login": "log in, logged in, logon, sign in, signin, 登录, 登入, 签入, 上线",
    "logout": "log out, logged out, logoff, sign out, signout, 登出, 注销, 签出, 下线, 离线",
    "ready": "available, idle, waiting, 就绪, 空闲, 示闲, 置闲, 可用, 在线",
    "talk": "talking, on call, in call, on contact, inbound, outbound, chat, chatting, 通话, "
            "通话中, 接待, 接待中",
    "acw": "after call work, after-call work, wrap, wrap up, wrap-up, wrapup, 话后, 话后处理, "
           "事后处理, 整理",
    "hold": "on hold, 保持, 通话保持",
    "break": "short break, rest, 小休, 休息, 短休",
    "lunch": "meal, meal break, lunch break, dinner, 午餐, 午休, 用餐, 就餐, 吃饭",
    "meeting": "team meeting, 会议, 开会, 例会",
    "training": "coaching, 培训, 辅导",
    "not_ready": "not ready, notready, not-ready, aux, unavailable, away, busy, 示忙, 置忙, "
                 "未就绪, 离开, 忙碌",
}


def state_key(text: str) -> str:
    """How a state name is compared: case-folded, outer spaces dropped, inner runs as one."""
    return " ".join(str(text).split()).casefold()


DEFAULT_STATE_NAMES: dict[str, str] = {
    **{state: state for state in ACD_STATES},
    **{state_key(name): state for state, names in _DEFAULTS.items()
       for name in names.split(", ")},
}
_HINTS = (("lunch", "lunch"), ("meal", "lunch"), ("餐", "lunch"), ("break", "break"),
          ("休", "break"), ("meet", "meeting"), ("会", "meeting"), ("train", "training"),
          ("培训", "training"))


def state_mapping(site: Mapping[str, str] | None = None) -> dict[str, str]:
    """The default names with the site's own on top (keys as ``state_key`` reads them)."""
    mapping = dict(DEFAULT_STATE_NAMES)
    mapping.update({state_key(name): state for name, state in (site or {}).items()})
    return mapping


def check_site_states(site: Mapping[str, str]) -> dict[str, str]:
    """Validate ``[adherence.states]``: names not empty nor repeated (as compared), each
    mapped to one of ``ACD_STATES``; returns it with the states lower-cased."""
    seen: dict[str, str] = {}
    out = {}
    for name, state in site.items():
        key = state_key(name)
        if not key:
            raise InvalidInput("adherence.states: a state name is empty")
        if key in seen:
            raise InvalidInput(f"adherence.states: {name!r} and {seen[key]!r} are the same name "
                               "(names are compared ignoring case and extra spaces)")
        seen[key] = name
        wfm_state = str(state).strip().lower()
        if wfm_state not in ACD_STATES:
            raise InvalidInput(f"adherence.states: {name!r} maps to {state!r}, which must be "
                               f"one of {', '.join(ACD_STATES)}")
        out[name] = wfm_state
    return out


def suggested_state(text: str) -> str:
    """A guess for the mapping to add for an unknown name (``not_ready`` without a hint)."""
    key = state_key(text)
    return next((state for hint, state in _HINTS if hint in key), "not_ready")


def map_states(events: pd.DataFrame, site: Mapping[str, str] | None = None, *,
               label: str = "events") -> pd.DataFrame:
    """``events`` with each ``state`` replaced by its wfm state.

    Row i of ``events`` is line i + 2 of the file ``label`` (as ``read_table`` returns it).
    Raises ``InvalidInput`` naming the first line of the first unknown state, its value and the
    line to add under ``[adherence.states]``, and counting the other unknown values.
    """
    import numpy as np
    import pandas as pd

    if events.empty:
        return events
    mapping = state_mapping(site)
    raw = events["state"].astype(object).to_numpy()
    values = pd.unique(raw)
    if set(values) <= set(ACD_STATES):
        return events   # already wfm's names (as stored by the API)
    known = {v: mapping.get(state_key(v)) for v in values}
    unknown = [v for v in values if known[v] is None]
    if unknown:
        line = np.asarray(events.index, dtype=np.int64) + 2
        first = {v: int(line[np.flatnonzero(raw == v)[0]]) for v in unknown}
        unknown.sort(key=first.__getitem__)
        value = unknown[0]
        more = (f" ({len(unknown) - 1} more unknown state(s): " + ", ".join(
            f"{v!r} on line {first[v]}" for v in unknown[1:6])
            + (", ..." if len(unknown) > 6 else "") + ")") if len(unknown) > 1 else ""
        raise InvalidInput(
            f"{label}, line {first[value]}, field 'state': unknown state {value!r}; add "
            f"\"{value}\" = \"{suggested_state(value)}\" (or the wfm state it means: "
            f"{', '.join(ACD_STATES)}) under [adherence.states] in the site file{more}")
    mapped = pd.Series(raw).map(known).to_numpy(dtype=object)
    return events.assign(state=mapped)
