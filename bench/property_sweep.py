"""A wider random search with the suite's hypothesis property tests.

CI runs every property test derandomised (``tests/conftest.py``, profile ``wfm-ci``): the same
few hundred examples each time, so CI judges the code, not luck, but never looks further. This
script looks further: it imports every ``@given`` test under ``tests/`` that needs no pytest
fixture (the rules package, the checker's brute-force and small-path agreement, adherence
against its brute force, Erlang, the CSV writer, and any property test added later), and runs
each with many more random examples from one seed. For each test it prints the calls made (the
examples tried, plus any shrinking after a failure), the failures with hypothesis' falsifying
example, and the command that repeats the run. Exit status 1 when a test failed.

It is not part of the pytest run (``bench/`` is outside ``testpaths``), and it calls the tests
outside pytest, so the schemathesis pytest plugin, which replaces hypothesis' example printer
with one that prints nothing, does not hide the falsifying examples.

Run: ``python3 bench/property_sweep.py [--examples 2000 --seed N --only SUBSTRING]``.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import random
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, seed, settings

ROOT = Path(__file__).resolve().parents[1]


def property_tests(only: str | None) -> list[tuple[str, Callable[..., Any]]]:
    """``(module::name, test)`` of every hypothesis test under ``tests/`` without fixtures."""
    sys.path.insert(0, str(ROOT))
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if "@given" not in path.read_text(encoding="utf-8"):
            continue
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(module_name)
        for name, test in sorted(vars(module).items()):
            if not (name.startswith("test_") and hasattr(test, "hypothesis")):
                continue
            label = f"{module_name}::{name}"
            if only and only not in label:
                continue
            if inspect.signature(test).parameters:  # arguments left for pytest fixtures
                print(f"skip {label}: needs pytest fixtures")
                continue
            found.append((label, test))
    return found


def sweep(label: str, test: Callable[..., Any], examples: int, sweep_seed: int) -> bool:
    """Run one property test with ``examples`` random examples from ``sweep_seed``; print the
    outcome and return whether it passed."""
    # the test's own @settings, with more examples, random and reproducible from the seed
    # (hypothesis refuses a second @settings, so the attribute it reads is replaced); no
    # explain phase, whose notes would only point at the counting wrapper below
    own = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
    test._hypothesis_internal_use_settings = settings(  # type: ignore[attr-defined]
        own, max_examples=examples, derandomize=False, database=None, deadline=None,
        print_blob=True, phases=[p for p in own.phases if p is not Phase.explain],
        suppress_health_check=[*own.suppress_health_check, HealthCheck.too_slow])
    seed(sweep_seed)(test)
    calls = [0, 0]  # examples tried (and shrinks), of which failing
    inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

    @functools.wraps(inner)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        try:
            return inner(*args, **kwargs)
        except BaseException:
            calls[1] += 1
            raise

    test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
    started = time.perf_counter()
    try:
        test()
        error: BaseException | None = None
    except BaseException as caught:  # the test's failure, reported below
        if isinstance(caught, KeyboardInterrupt):
            raise
        error = caught
    finally:
        test.hypothesis.inner_test = inner  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    outcome = "passed" if error is None else "FAILED"
    print(f"{outcome:6} {label}: {calls[0]} calls, {calls[1]} failing, {seconds:.1f} s",
          flush=True)
    if error is not None:
        failures = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
        for k, failure in enumerate(failures, 1):
            lines = traceback.format_exception_only(type(failure), failure)
            print(f"  failure {k} of {len(failures)}:")
            print("    " + "".join(lines).strip().replace("\n", "\n    "))
        print(f"  repeat: python3 bench/property_sweep.py --examples {examples} "
              f"--seed {sweep_seed} --only {label}")
    return error is None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per test")
    parser.add_argument("--seed", type=int, help="seed of every test's examples (random if absent)")
    parser.add_argument("--only", help="run only the tests whose module::name contains this")
    args = parser.parse_args()
    sweep_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    tests = property_tests(args.only)
    print(f"{len(tests)} property tests, {args.examples} examples each, seed {sweep_seed}",
          flush=True)
    failed = [label for label, test in tests if not sweep(label, test, args.examples, sweep_seed)]
    print(f"{len(tests) - len(failed)} passed, {len(failed)} failed (seed {sweep_seed})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
