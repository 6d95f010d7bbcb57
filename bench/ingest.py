"""Figure: seconds to ingest the full USGS MCS 2025 world-data CSV (median of 5), on a fresh SQLite
database each run, next to a baseline measured in the same process: parsing alone, and a plain
`executemany` of the same rows into an empty table. Prints figures and ratios.

Usage: .venv/bin/python bench/ingest.py [path/to/MCS2025_World_Data.csv] [--runs 5]"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from maadan.config import load_settings
from maadan.ingest.reference import load_mineral_catalogue
from maadan.ingest.service import ingest_usgs_mcs
from maadan.ingest.usgs_mcs import parse_world_data
from maadan.store import migrate
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "usgs-mcs-2025" / "MCS2025_World_Data.csv"


def fresh_engine(folder: Path, n: int):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": f"sqlite:///{folder / f'b{n}.sqlite'}"}))
    migrate.upgrade(engine)
    catalogue = load_mineral_catalogue()
    with UnitOfWork(engine, write=True) as uow:
        uow.minerals.sync(catalogue.minerals, catalogue.aliases, [], [])
        uow.commit()
    return engine


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not args.path.is_file():
        raise SystemExit(f"{args.path} not found (needs ../shared or a path argument)")
    labels = load_mineral_catalogue().usgs_labels
    parse_s, ingest_s, again_s, raw_s = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(args.runs):
            t0 = time.perf_counter()
            parsed = parse_world_data(args.path, labels)
            parse_s.append(time.perf_counter() - t0)

            engine = fresh_engine(folder, n)
            t0 = time.perf_counter()
            report = ingest_usgs_mcs(UnitOfWork(engine, write=True), args.path)
            ingest_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ingest_usgs_mcs(UnitOfWork(engine, write=True), args.path)
            again_s.append(time.perf_counter() - t0)
            engine.dispose()

            # Baseline: the same rows through the bare sqlite3 module, no checks, one transaction.
            con = sqlite3.connect(folder / f"raw{n}.sqlite")
            con.execute("CREATE TABLE s (edition, label, series, country, metric, year, value, status, unit, source)")
            rows = [(s.edition, s.usgs_label, s.series, s.country, s.metric, s.year, s.figure.value,
                     s.figure.status, s.unit, s.source) for s in parsed.statistics]
            t0 = time.perf_counter()
            with con:
                con.executemany("INSERT INTO s VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            raw_s.append(time.perf_counter() - t0)
            con.close()
    med = statistics.median
    print(f"file: {args.path.name}, {report.rows_read} rows, {report.figures} figures, runs: {args.runs}")
    print(f"parse only             median {med(parse_s):.3f} s")
    print(f"full ingest (fresh db) median {med(ingest_s):.3f} s")
    print(f"second ingest (no-op)  median {med(again_s):.3f} s")
    print(f"baseline raw sqlite3 executemany of the same rows: median {med(raw_s):.3f} s")
    print(f"ratio full ingest / (parse + raw insert): {med(ingest_s) / (med(parse_s) + med(raw_s)):.1f}x")


if __name__ == "__main__":
    main()
