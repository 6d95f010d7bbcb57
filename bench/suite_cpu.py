"""CPU seconds per test of the same tests in two checkouts, run alternately: is the suite slower than it
was? (Issue 11: "the suite is no slower" than before the HTTP redesign.)

For each slice, the test ids both checkouts collect are run in each checkout with its own interpreter
(`<checkout>/.venv/bin/python -m pytest -q @ids`, SQLite only: MAADAN_TEST_POSTGRES_URL is unset),
old and new in turn, ROUNDS times (the order flips every round), or with --together both at once in
each round (on a shared, loaded machine: the same load on both, in half the wall time). A run's CPU is the user + system time of
the pytest process and everything it waited for (os.wait4), so a busy machine slows the wall clock but
not the figure much; it includes the slice's session fixtures (seeded databases), which both pay alike.
Prints each run, then per slice the median CPU per test of each checkout and the ratio new/old
(below 1: the new checkout is faster), with the load average before and after.

Usage: nice -n 10 .venv/bin/python bench/suite_cpu.py [--old /work/t-prehttp] [--new .] [--rounds 3] [--together]
       [--slice web-api --slice unit --slice agreements] [--slice NAME=path,path]
The old checkout needs its own .venv (`make install` in it)."""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLICES = {
    "web-api": ["tests/integration/web", "tests/integration/api/test_security.py",
                "tests/integration/api/test_auth.py"],
    "unit": ["tests/unit"],
    "agreements": ["tests/integration/agreements"],
}
_COUNTS = re.compile(r"(\d+) (passed|failed|skipped|error|errors)")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAADAN_TEST_POSTGRES_URL", "MAADAN_DATABASE_URL")}
    env.pop("CI", None)  # a skip is not a failure here: both checkouts skip alike
    return env


def collect(checkout: Path, paths: list[str]) -> set[str]:
    done = subprocess.run([str(checkout / ".venv/bin/python"), "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", *paths], cwd=checkout, capture_output=True, text=True,
                          env=environment())
    return {line.strip() for line in done.stdout.splitlines() if "::" in line}


def start(checkout: Path, ids_file: Path) -> tuple[subprocess.Popen, Any, float]:
    out = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([str(checkout / ".venv/bin/python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             f"@{ids_file}"], cwd=checkout, stdout=out, stderr=subprocess.STDOUT, env=environment())
    return proc, out, time.monotonic()


def finish(started: tuple[subprocess.Popen, Any, float]) -> tuple[float, float, dict[str, int]]:
    """(CPU seconds, wall seconds, outcome counts) of one pytest run."""
    proc, out, at = started
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - at
    out.seek(0)
    tail = out.read()[-3000:]
    out.close()
    counts = {kind: int(n) for n, kind in _COUNTS.findall(tail.splitlines()[-1] if tail.strip() else "")}
    return usage.ru_utime + usage.ru_stime, wall, counts


def head(checkout: Path) -> str:
    return subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, default=Path("/work/t-prehttp"))
    ap.add_argument("--new", type=Path, default=ROOT)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--together", action="store_true",
                    help="run old and new at the same time in each round (same load on both; half the wall time)")
    ap.add_argument("--slice", action="append", dest="slices",
                    help="a name of SLICES, or NAME=path,path (default: web-api, unit, agreements)")
    args = ap.parse_args()
    old, new = args.old.resolve(), args.new.resolve()
    slices = {}
    for spec in args.slices or list(SLICES):
        name, _, paths = spec.partition("=")
        slices[name] = paths.split(",") if paths else SLICES[name]
    print(f"old = {old} ({head(old)}), new = {new} ({head(new)}); {args.rounds} rounds; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in slices.items():
            common = sorted(collect(old, paths) & collect(new, paths))
            if not common:
                sys.exit(f"{name}: no test id common to both checkouts")
            ids = Path(tmp) / f"{name}.txt"
            ids.write_text("\n".join(common) + "\n")
            per_test = results.setdefault(name, {"old": [], "new": [], "n": [len(common)]})
            for i in range(args.rounds):
                order = ("old", "new") if i % 2 == 0 else ("new", "old")
                if args.together:  # both at once: the same load on both
                    started = {side: start(old if side == "old" else new, ids) for side in order}
                    done = {side: finish(started[side]) for side in order}
                else:
                    done = {side: finish(start(old if side == "old" else new, ids)) for side in order}
                for side in order:
                    cpu, wall, counts = done[side]
                    per_test[side].append(cpu / len(common))
                    print(f"{name:12} round {i + 1} {side}: {len(common)} tests, CPU {cpu:7.1f} s "
                          f"({cpu / len(common):.3f} s/test), wall {wall:6.1f} s, {counts}, "
                          f"load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"\n{'slice':12} {'tests':>6} {'old s/test':>11} {'new s/test':>11} {'new/old':>8}   (medians of "
          f"{args.rounds}; load now {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    for name, per_test in results.items():
        a, b = statistics.median(per_test["old"]), statistics.median(per_test["new"])
        print(f"{name:12} {per_test['n'][0]:6d} {a:11.3f} {b:11.3f} {b / a:8.3f}")


if __name__ == "__main__":
    main()
