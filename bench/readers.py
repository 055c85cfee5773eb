"""Benchmark: the CSV readers on hostile and foreign input (issue 28).

Run from the project root: ``python bench/readers.py``. Prints CPU seconds (the machine may be
shared) for:

1. A header of 20,000 and of 1,000,000 columns (what a 10 MiB body allows), with a repeated
   name and without, through ``read_table_text`` and through the API's ``read_upload``: the
   refusal must come in under 1 s (the duplicate-name check was quadratic: 24.8 s of CPU for
   20,000 columns).
2. 200,000 login events in each date-time form of the planner guide (Arrow's fast path takes
   the ISO 8601 extended forms, the shared parser the others), as rows per second.
3. A 120-agent agents file in UTF-8 and in GBK (the encoding detection's cost).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

# This folder holds bench/api.py, named like the ``api`` package; drop it from sys.path first,
# and put the project root there (this checkout's code, not an installed one).
HERE = Path(__file__).parent.resolve()
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.uploads import read_upload  # noqa: E402
from wfm.errors import InvalidInput  # noqa: E402
from wfm.tables import AGENTS, LOGIN_EVENTS, read_table_text  # noqa: E402


def cpu(call: Callable[[], object]) -> tuple[float, str]:
    start = time.process_time()
    try:
        call()
        outcome = "read"
    except InvalidInput as error:
        outcome = f"refused: {error.reason[:60]}"
    return time.process_time() - start, outcome


def wide_headers() -> None:
    print("1. wide headers (target: refused in < 1 s of CPU)")
    for columns in (20_000, 1_000_000):
        for repeated in (False, True):
            names = [f"c{i}" for i in range(columns)]
            if repeated:
                names[-1] = "c0"
            body = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n"
            for name, call in (
                    ("read_table_text", lambda b=body: read_table_text(b, AGENTS)),
                    ("read_upload", lambda b=body: read_upload(b.encode(), AGENTS,
                                                                timezone="Asia/Shanghai",
                                                                label="agents"))):
                seconds, outcome = cpu(call)
                print(f"   {columns:>9,} columns{' (repeated name)' if repeated else '':16} "
                      f"{name:16} {seconds:6.3f} s  {outcome}")


def time_forms(rows: int = 200_000) -> None:
    print(f"2. {rows:,} login events per date-time form")
    forms = ("2026-12-01T08:30:00", "2026-12-01T08:30:00+08:00", "2026-12-01 08:30:00+08",
             "2026/12/1 8:30")
    for label in forms:
        body = "agent_id,timestamp,state\n" + "".join(
            f"A{i % 500},{label},login\n" for i in range(rows))
        seconds, outcome = cpu(lambda b=body: read_table_text(b, LOGIN_EVENTS))
        print(f"   {label:28} {seconds:6.3f} s  {rows / seconds:>12,.0f} rows/s  {outcome}")


def encodings() -> None:
    print("3. a 120-agent agents file")
    text = "agent_id,name,skills\n" + "".join(f"A{i:03d},张伟{i},presales;aftersales\n"
                                             for i in range(120))
    for encoding in ("utf-8", "gbk"):
        data = text.encode(encoding)
        seconds, outcome = cpu(lambda d=data: read_upload(d, AGENTS, timezone="Asia/Shanghai",
                                                          label="agents"))
        print(f"   {encoding:6} {seconds * 1000:7.2f} ms  {outcome}")


if __name__ == "__main__":
    wide_headers()
    time_forms()
    encodings()
