"""Steps per minute of the cadastre's model-based test (tests/integration/cadastre/stateful.py) on
SQLite and on PostgreSQL, in one run: each step is one random action (a filing, a decision, a
competition, a title action, a payment, a rent run) followed by every invariant, the rule-10
oracle included. The baseline is SQLite; PostgreSQL is given as a ratio to it.

PostgreSQL: MAADAN_BENCH_POSTGRES_URL (or MAADAN_TEST_POSTGRES_URL), else the script starts one
with scripts/pg-test-server (skipped with a message when PostgreSQL is not installed).

Usage: .venv/bin/python bench/stateful.py [--examples 20] [--steps 40]"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis.stateful import run_state_machine_as_test  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.cadastre import postgis_url  # noqa: E402
from maadan.config import load_settings  # noqa: E402
from maadan.store.database import create_db_engine  # noqa: E402
from tests.integration.cadastre.stateful import make_machine, run_settings  # noqa: E402


def _init(url: str) -> None:
    maadan = Path(sys.executable).with_name("maadan")
    subprocess.run([str(maadan), "db", "init"], env=dict(os.environ, MAADAN_DATABASE_URL=url), check=True,
                   capture_output=True)


def measure(url: str, examples: int, steps: int) -> tuple[int, float]:
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    machine = make_machine(engine)
    os.environ.pop("MAADAN_STATEFUL_EXAMPLES", None)
    os.environ.pop("MAADAN_STATEFUL_STEPS", None)
    start = time.perf_counter()
    try:
        run_state_machine_as_test(machine, settings=run_settings(examples, steps))
    finally:
        engine.dispose()
    return machine.steps, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=20)
    ap.add_argument("--steps", type=int, default=40)
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/stateful.sqlite"
        _init(url)
        results["sqlite"] = measure(url, args.examples, args.steps)
    pg = os.environ.get("MAADAN_BENCH_POSTGRES_URL") or os.environ.get("MAADAN_TEST_POSTGRES_URL")
    how = "given"
    if not pg:
        pg, how = postgis_url()
    if pg:
        name = f"maadan_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
        try:
            _init(url)
            results["postgresql"] = measure(url, args.examples, args.steps)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        print(how)
    print(f"model-based test, {args.examples} examples of up to {args.steps} steps (invariants after every step)")
    base = None
    for backend, (steps, seconds) in results.items():
        rate = steps / (seconds / 60)
        base = base or rate
        print(f"  {backend:<11} {steps:>6} steps in {seconds:7.1f} s: {rate:7.0f} steps/minute"
              + ("" if backend == "sqlite" else f"  ({rate / base:.2f} × SQLite)"))


if __name__ == "__main__":
    main()
