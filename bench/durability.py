"""The cost of durable receipts (issue 18 item 6), measured in one run on this machine:

1. bare write transactions (one row, one commit) a second, and the median and p99 time of a commit:
   SQLite with synchronous=FULL (Maadan's default) and EXTRA against NORMAL (the old setting: durable
   against a crash of the program, not of the machine); PostgreSQL with synchronous_commit=on (what
   Maadan requires) against off;
2. application filings through the real use case (`cadastre.service.apply`: checks, numbering, fee,
   audit entry, one commit) a second on SQLite, FULL against NORMAL.

PostgreSQL: MAADAN_BENCH_POSTGRES_URL, else MAADAN_TEST_POSTGRES_URL (a superuser: the script turns fsync and
full_page_writes on with ALTER SYSTEM for the measurement and resets them after, since the throwaway server
of scripts/pg-test-server runs with them off); skipped with a message without one.
The machine is shared: compare the ratios, not the absolute figures.

Usage: .venv/bin/python bench/durability.py [--commits 300] [--filings 100]"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

from maadan.cadastre import service
from maadan.cadastre.model import Holder
from maadan.config import load_settings
from maadan.store.database import _configure_sqlite, create_db_engine
from maadan.store.uow import UnitOfWork


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def commits(engine, n: int) -> list[float]:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_receipt"))
        conn.execute(text("CREATE TABLE bench_receipt (id INTEGER PRIMARY KEY, body VARCHAR(200))"))
    times = []
    with engine.connect() as conn:
        for i in range(n):
            t0 = time.perf_counter()
            conn.execute(text("INSERT INTO bench_receipt (id, body) VALUES (:i, :b)"), {"i": i, "b": "x" * 120})
            conn.commit()
            times.append(time.perf_counter() - t0)
    return times


def server_durable(url: str, on: bool) -> None:
    """fsync and full_page_writes on (ALTER SYSTEM, reloaded) for the measurement, then back as they were."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for name in ("fsync", "full_page_writes"):
            conn.execute(text(f"ALTER SYSTEM SET {name} = on" if on else f"ALTER SYSTEM RESET {name}"))
        conn.execute(text("SELECT pg_reload_conf()"))
    time.sleep(1)
    with engine.connect() as conn:
        print(f"  (PostgreSQL fsync = {conn.execute(text('SHOW fsync')).scalar()})")
    engine.dispose()


def sqlite_engine(path: Path, synchronous: str):
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
    _configure_sqlite(engine, synchronous)
    return engine


def report(label: str, times: list[float], base: list[float] | None) -> None:
    med = statistics.median(times)
    ratio = f"  x{med / statistics.median(base):.2f} the baseline's median" if base else "  (baseline)"
    print(f"  {label:<34} {len(times) / sum(times):8.0f}/s  median {med * 1000:7.3f} ms  "
          f"p99 {percentile(times, 99) * 1000:7.3f} ms{ratio}")


def filings(url: str, synchronous: str, n: int) -> list[float]:
    settings = load_settings({"MAADAN_DATABASE_URL": url})
    engine = create_db_engine(settings) if synchronous == "full" else sqlite_engine(Path(url[10:]), synchronous)
    holders = (Holder(name="Bench Mining", share_pct=100.0, country="PK", kind="private"),)
    times = []
    for i in range(n):
        x, y = 64.0 + (i % 20) * 0.06, 28.0 + (i // 20) * 0.06  # squares that do not touch
        area = {"type": "Polygon", "coordinates": [[[x, y], [x + .05, y], [x + .05, y + .05], [x, y + .05], [x, y]]]}
        inp = service.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=holders,
                                       area=service.AreaInput(geojson=area))
        t0 = time.perf_counter()
        service.apply(UnitOfWork(engine, write=True), inp, "cli:bench")
        times.append(time.perf_counter() - t0)
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--filings", type=int, default=100)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (shared machine; {os.cpu_count()} CPUs)")
    work = Path(tempfile.mkdtemp(prefix="maadan-durability-"))
    try:
        print(f"1. one-row write transactions, {args.commits} commits each (SQLite file in {work})")
        base = None
        for mode in ("normal", "full", "extra"):
            engine = sqlite_engine(work / f"commits-{mode}.sqlite", mode)
            times = commits(engine, args.commits)
            engine.dispose()
            report(f"SQLite WAL synchronous={mode.upper()}", times, base)
            base = base or times
        pg = os.environ.get("MAADAN_BENCH_POSTGRES_URL") or os.environ.get("MAADAN_TEST_POSTGRES_URL")
        if pg:
            server_durable(pg, True)  # the throwaway test server runs with fsync=off: on for this
            base = None
            for mode in ("off", "on"):
                engine = create_engine(pg)
                event.listen(engine, "connect", lambda c, _r, m=mode: (c.cursor().execute(
                    f"SET synchronous_commit TO {m}"), c.commit()))
                times = commits(engine, args.commits)
                with engine.begin() as conn:
                    conn.execute(text("DROP TABLE bench_receipt"))
                engine.dispose()
                report(f"PostgreSQL synchronous_commit={mode}", times, base)
                base = base or times
            server_durable(pg, False)
        else:
            print("  PostgreSQL: skipped (set MAADAN_BENCH_POSTGRES_URL)")

        print(f"2. application filings through cadastre.service.apply, {args.filings} each (SQLite)")
        template = work / "template.sqlite"
        subprocess.run([sys.executable, "-m", "maadan", "db", "init"], check=True, capture_output=True,
                       env=os.environ | {"MAADAN_DATABASE_URL": f"sqlite:///{template}"})
        base = None
        for mode in ("normal", "full"):
            copy = work / f"filings-{mode}.sqlite"
            shutil.copy(template, copy)
            times = filings(f"sqlite:///{copy}", mode, args.filings)
            report(f"filings, synchronous={mode.upper()}", times, base)
            base = base or times
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
