"""What a filing reads besides the ground (issue 12 item 3), measured in one process on an existing
database, each against the way it was read before, in the same run:

1. the directory a filing matches its holders against (`portal.proposals.propose_unknown_holders`,
   inside the filing's write transaction, after the jurisdiction's lock): before, every organisation
   as a full record (`organisations.all()`); now, ids, names, short names and aliases only
   (`organisations.names()`);
2. the minerals' name index (every check and filing): before, built (every alias normalised) on each
   call; now, read and built once per distinct set of names (`minerals.service.mineral_index`);
3. the priority queue's recompute at a filing (`cadastre.queue.refresh`), for the latest pending
   application of each jurisdiction, in a write transaction that is rolled back: before, every
   pending application and every overlapping pair of them; now, only the filing's overlap component
   (`around=`). Both are asked of the same stored queue, and both must find nothing to change.

Prints medians of --repeat calls in milliseconds, the ratio, and the load average.

4. With --filings N, whole filings: N applications filed through the API in this process (FastAPI's
   TestClient, with the bench's officers' tokens, on free squares near Chagai found as bench/api.py's
   filer finds them, every holder new to the directory), after 5 unmeasured: the CPU time of the
   process a filing (the test client's share included) and the statements it asked, against
   /api/ping through the same client in the same run. This writes: give it a copy of a database
   bench/api.py prepared (a PostgreSQL database made from it as a template, or a copy of the SQLite
   file). A run before and after a change, alternated, compares them.

Usage: .venv/bin/python bench/filing.py URL [--repeat 50] [--filings N]. Without --filings it only reads."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timezone

from maadan.cadastre import lifecycle as lc
from maadan.cadastre import queue
from maadan.config import load_settings
from maadan.minerals.names import NameIndex
from maadan.minerals.service import mineral_index
from maadan.portal.proposals import ids_by_name
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork


def load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def whole_filings(url: str, count: int) -> None:
    """Part 4 of the module's docstring."""
    import random
    import sys
    from pathlib import Path

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.api import BENCH_PASSWORD, BENCH_USER, _free_square
    from maadan.http.app import create_app

    app = create_app(load_settings({"MAADAN_DATABASE_URL": url, "MAADAN_CLIENT_RATE": "0",
                                    "MAADAN_TILE_WARM_ZOOM": "-1"}))
    statements: list[int] = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *_: statements.append(1))
    with TestClient(app) as client:
        tokens = []
        for i in range(4):
            r = client.post("/api/auth/token", json={"username": f"{BENCH_USER}.{i}", "password": BENCH_PASSWORD})
            if r.status_code != 200:
                raise SystemExit(f"{url}: no bench officer {BENCH_USER}.{i} ({r.status_code}): use a database bench/api.py prepared")
            tokens.append(r.json()["access_token"])
        rng = random.Random(5)
        areas = [a for a in (_free_square(client, "", rng) for _ in range(count + 5)) if a]

        def file(i: int) -> None:
            body = {"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"],
                    "holders": [{"name": f"Bench Filing {i} (Pvt) Ltd", "share_pct": 100, "country": "PK"}],
                    "area": {"geojson": areas[i % len(areas)]}}
            r = client.post("/api/cadastre/applications", json=body, headers={"Authorization": f"Bearer {tokens[i % 4]}"})
            if r.status_code != 201:
                raise SystemExit(f"filing {i}: {r.status_code} {r.text[:200]}")

        def cpu_ms(fn, n: int) -> tuple[float, float]:
            del statements[:]
            c0 = time.process_time()
            for i in range(n):
                fn(i)
            return (time.process_time() - c0) / n * 1000, len(statements) / n

        for i in range(5):
            file(i)
        filing, asked = cpu_ms(lambda i: file(5 + i), count)
        ping, _ = cpu_ms(lambda i: client.get("/api/ping"), 1000)
    app.state.engine.dispose()
    print(f"{app.state.engine.dialect.name}: {count} filings on {len(areas)} squares: CPU {filing:.1f} ms a filing, "
          f"{asked:.1f} statements; /api/ping {ping:.2f} ms a request: a filing {filing / ping:.0f}x (load {load()})",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--filings", type=int, default=0, help="also file N applications through the API (writes)")
    args = ap.parse_args()
    if args.filings:
        whole_filings(args.url, args.filings)
        return
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": args.url}))
    with UnitOfWork(engine) as uow:
        def directory_before():
            orgs = uow.organisations.all()
            return {o.id for o in orgs}, ids_by_name([(o.id, o.name, o.short_name, o.aliases) for o in orgs])

        def directory_now():
            rows = uow.organisations.names()
            return {r[0] for r in rows}, ids_by_name(rows)

        def minerals_before():
            return NameIndex.build("mineral", [(m.id, m.name, (*m.aliases, *([m.symbol] if m.symbol else [])))
                                               for m in uow.minerals.all()])

        assert directory_before() == directory_now()
        assert minerals_before()._names == mineral_index(uow)._names
        for name, before, now in (("holders' directory", directory_before, directory_now),
                                  ("mineral name index", minerals_before, lambda: mineral_index(uow))):
            b, n = median_ms(before, args.repeat), median_ms(now, args.repeat)
            print(f"{engine.dialect.name}: {name}: before {b:.2f} ms, now {n:.2f} ms ({b / n:.1f}x) "
                  f"(load {load()})", flush=True)
    with UnitOfWork(engine) as uow:
        latest = {}
        pending: dict[str, int] = {}
        for a in uow.cadastre.applications(states=lc.PENDING):
            latest[a.jurisdiction] = max(latest.get(a.jurisdiction, 0), a.number)
            pending[a.jurisdiction] = pending.get(a.jurisdiction, 0) + 1
    for jurisdiction, number in sorted(latest.items()):
        def recompute(**around):
            with UnitOfWork(engine, write=True) as uow:  # never committed: rolled back on leaving
                change = queue.refresh(uow, jurisdiction, now=datetime.now(timezone.utc), actor="bench",
                                       cause="bench", recheck=[number], quiet=[number], announce=False, **around)
                assert not change.events and not change.notices, "the stored queue is not current"

        b, n = median_ms(recompute, args.repeat), median_ms(lambda: recompute(around=[number]), args.repeat)
        print(f"{engine.dialect.name}: queue at a filing in {jurisdiction} ({pending[jurisdiction]:,} pending): whole queue "
              f"{b:.2f} ms, its overlap component {n:.2f} ms ({b / n:.1f}x) (load {load()})", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
