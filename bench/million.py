"""Figures at a million titles (issue 12 item 5) that need no server, measured in one process on an
existing database (e.g. one made by `maadan demo cadastre --titles 1000000`), each against its
baseline in the same run:

1. a worker's warm-up: building the spatial index from the store the way it was built before
   (rows read one by one, a key string and a pair per item: the baseline) and now
   (`caches.built_index`: rows fetched at once, keys and geometries as arrays); CPU and wall
   seconds, and the memory the index holds (resident-set growth, measured on the second build
   after the first was let go);
2. the ground a filing re-checks (`PriorityRepository.ground_rows`, one small box per filing)
   against the same query without the left bound the widest title gives (the baseline);
3. with `--download FMT` (csv, geojson or gpkg): the register's titles file written as the public
   downloads write it (`public_exports.write`, a page of PAGE titles at a time), wall seconds and the
   peak resident memory of a process that does only that, against the same file from the whole
   register read at once (one page of every title, as before round 16: the baseline).

Usage: .venv/bin/python bench/million.py URL [URL ...] [--boxes 20] [--download csv]
(URL: sqlite:////path/file.sqlite or postgresql+psycopg://...). It only reads."""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time

import shapely
from sqlalchemy import and_, select

from maadan.cadastre import caches
from maadan.cadastre import lifecycle as lc
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.config import load_settings
from maadan.store import tables as t
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork

JURISDICTION = "PK-BA"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(fn):
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - c0, time.perf_counter() - w0


def build_before(uow) -> SpatialIndex:
    """The index as it was built before: row by row, a key string and a pair per item."""
    rows = []
    for kind, ref_col, table, cond in (("title", t.title.c.number, t.title, [t.title.c.state == "active"]),
                                       ("application", t.application.c.number, t.application,
                                        [t.application.c.state.in_(list(lc.PENDING))]),
                                       ("reserved", t.reserved_area.c.name, t.reserved_area, [])):
        for ref, wkb in uow.cadastre.s.execute(select(ref_col, table.c.geometry)
                                               .where(table.c.jurisdiction == JURISDICTION, *cond)):
            rows.append((kind, str(ref), wkb))
    geoms = shapely.from_wkb([r[2] for r in rows]) if rows else []
    return SpatialIndex([(f"{kind}:{ref}", g) for (kind, ref, _), g in zip(rows, geoms)])


def ground_before(uow, box) -> int:
    c = t.title.c
    q = select(c.number, c.geometry).where(c.jurisdiction == JURISDICTION, c.state == "active",
                                           and_(c.maxx >= box[0], c.minx <= box[2], c.maxy >= box[1], c.miny <= box[3]))
    return len(uow.cadastre.s.execute(q).all())


def bench(url: str, n_boxes: int) -> None:
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    print(f"\n== {engine.dialect.name}: {url.split('@')[-1]}; uptime load {os.getloadavg()[0]:.1f}", flush=True)
    caches.jurisdictions()  # rule files read before anything is timed
    with UnitOfWork(engine) as uow:
        n = uow.cadastre.count_titles(JURISDICTION, states=[lc.ACTIVE])
        before, c_b, w_b = timed(lambda: build_before(uow))
        del before
        gc.collect()
        base = rss_mb()
        now, c_n, w_n = timed(lambda: caches.built_index(uow.cadastre, JURISDICTION))
        held = rss_mb() - base
        print(f"{n:,} active titles; index of {len(now):,} items")
        print(f"warm-up build, before: CPU {c_b:.2f} s, wall {w_b:.2f} s")
        print(f"warm-up build, now:    CPU {c_n:.2f} s, wall {w_n:.2f} s  (CPU {c_b / c_n:.2f}x less)")
        print(f"index memory (resident growth while building it): {held:,.0f} MB")
        rng = random.Random(7)
        boxes = [(x, y, x + 0.05, y + 0.05) for x, y in ((rng.uniform(62.0, 66.0), rng.uniform(27.0, 30.0))
                                                          for _ in range(n_boxes))]
        old, new = [], []
        for box in boxes:
            _, _, w = timed(lambda: ground_before(uow, box))
            old.append(w * 1000)
            found, _, w = timed(lambda: uow.priority.ground_rows(JURISDICTION, [box]))
            new.append(w * 1000)
        print(f"ground a filing re-checks (one 0.05° box, {n_boxes} boxes, median ms): before "
              f"{statistics.median(old):.1f}, now {statistics.median(new):.1f} "
              f"({statistics.median(old) / statistics.median(new):.1f}x faster)")
    engine.dispose()


def _write_download(url: str, fmt: str, page: int, out) -> None:
    """In a process of its own, so that its peak memory is its own: the titles file written with
    `page` titles a page; sends (features, bytes, wall seconds, peak resident MB)."""
    import resource
    import tempfile
    from pathlib import Path

    from maadan.cadastre import public_exports

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    public_exports.PAGE = page
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"titles.{fmt}"
        w0 = time.perf_counter()
        features = public_exports.write(UnitOfWork(engine, snapshot=True), "titles", fmt, None, path).features
        wall = time.perf_counter() - w0
        size = path.stat().st_size
    out.put((features, size, wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def bench_download(url: str, fmt: str) -> None:
    import multiprocessing as mp

    from maadan.cadastre.public_exports import PAGE

    ctx = mp.get_context("spawn")
    runs = {}
    for label, page in (("a page at a time", PAGE), ("whole (baseline)", 10**9)):
        q = ctx.Queue()
        proc = ctx.Process(target=_write_download, args=(url, fmt, page, q))
        proc.start()
        runs[label] = q.get()
        proc.join()
        features, size, wall, peak = runs[label]
        print(f"titles.{fmt}, {label}: {features:,} titles, {size / 2**20:,.0f} MiB, {wall:.1f} s, "
              f"peak resident {peak:,.0f} MB", flush=True)
    paged, whole = runs["a page at a time"], runs["whole (baseline)"]
    print(f"titles.{fmt}: {whole[3] / paged[3]:.1f}x less memory, {whole[2] / paged[2]:.2f}x the baseline's speed")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls", nargs="+")
    ap.add_argument("--boxes", type=int, default=20)
    ap.add_argument("--download", choices=("csv", "geojson", "gpkg"),
                    help="only time writing the titles download in this format (item 3)")
    args = ap.parse_args()
    for url in args.urls:
        if args.download:
            bench_download(url, args.download)
        else:
            bench(url, args.boxes)


if __name__ == "__main__":
    main()
