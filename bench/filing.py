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
Usage: .venv/bin/python bench/filing.py URL [--repeat 50]. It only reads."""

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
from maadan.portal.proposals import _names
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": args.url}))
    with UnitOfWork(engine) as uow:
        def directory_before():
            orgs = uow.organisations.all()
            return {o.id for o in orgs}, _names([(o.id, o.name, o.short_name, o.aliases) for o in orgs])

        def directory_now():
            rows = uow.organisations.names()
            return {r[0] for r in rows}, _names(rows)

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
