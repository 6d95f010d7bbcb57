"""Figures for the cadastre's spatial checks, all measured in one run on the same data:

1. check one application against N titles (default 100,000): median and p99 latency of the
   in-process STRtree index, against a naive per-pair Shapely loop and against PostGIS
   ST_Intersects with a GiST index (one round trip per check, over loopback);
2. check 10,000 applications against the same titles in bulk (one vectorised STRtree.query);
3. memory held by the index (resident-set growth while building it);
4. an incremental change (one item removed, one added: a filing, a grant, a relinquishment) against
   the full rebuild it replaces, a check on the updated index, and a compaction.

The titles are the deterministic synthetic demo cadastre (maadan demo cadastre) in Balochistan.
PostGIS: set MAADAN_BENCH_POSTGRES_URL, or the script starts one with scripts/pg-test-server
(skipped with a message when PostgreSQL is not installed).

Usage: .venv/bin/python bench/cadastre.py [--titles 100000] [--queries 1000] [--bulk 10000]"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import shapely

from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.demo import DemoSpec, generate
from maadan.cadastre.spatial_index import SpatialIndex

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_in_child(geoms) -> tuple[float, float]:
    """Resident-memory growth for the geometries alone and for the index over them, measured in a
    fresh interpreter (in this one, freed memory would be reused and hide the growth)."""
    import pickle
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as fh:
        pickle.dump([shapely.to_wkb(g) for g in geoms], fh)
        path = fh.name
    code = (
        "import pickle, shapely, sys\n"
        "sys.path.insert(0, %r)\n"
        "from bench.cadastre import rss_mb\n"
        "from maadan.cadastre.spatial_index import SpatialIndex\n"
        "wkb = pickle.load(open(%r, 'rb'))\n"
        "r0 = rss_mb(); g = list(shapely.from_wkb(wkb)); r1 = rss_mb()\n"
        "ix = SpatialIndex([(str(i), x) for i, x in enumerate(g)]); ix.conflicts(g[0]); ix.bulk_conflicts(g[:1000])\n"
        "print(r1 - r0, rss_mb() - r1)\n" % (str(ROOT), path)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    os.unlink(path)
    a, b = out.stdout.split()
    return float(a), float(b)


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.array(values), p))


def queries(boundary, n: int, seed: int) -> list:
    """Application-sized boxes (1 to 500 km²) at random places inside the boundary."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    shapely.prepare(boundary)
    out = []
    while len(out) < n:
        side = float(np.sqrt(rng.uniform(1, 500))) / 100.0
        x, y = rng.uniform(minx, maxx - side), rng.uniform(miny, maxy - side)
        box = shapely.box(x, y, x + side, y + side)
        if boundary.contains(box):
            out.append(box)
    return out


def postgis_url() -> tuple[str | None, str]:
    url = os.environ.get("MAADAN_BENCH_POSTGRES_URL")
    if url:
        return url, "given"
    script = ROOT / "scripts" / "pg-test-server"
    try:
        out = subprocess.run([str(script), "start", str(ROOT / "var" / "pgbench")], capture_output=True,
                             text=True, timeout=120, check=True)
        return out.stdout.strip(), "started"
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"PostGIS not measured: {exc}"


def bench_postgis(url: str, titles, qs: list) -> list[float]:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("DROP TABLE IF EXISTS bench_title")
        conn.execute("CREATE TABLE bench_title (id integer PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)")
        with conn.cursor().copy("COPY bench_title (id, geom) FROM STDIN") as copy:
            for i, t in enumerate(titles):
                copy.write_row((i, "SRID=4326;" + shapely.to_wkt(t.geometry, rounding_precision=-1)))
        conn.execute("CREATE INDEX bench_title_gix ON bench_title USING gist (geom)")
        conn.execute("ANALYZE bench_title")
        sql = ("SELECT id, ST_Area(ST_Intersection(geom, q)::geography) / 1e6 FROM bench_title, "
               "ST_GeomFromWKB(%s, 4326) AS q WHERE ST_Intersects(geom, q) AND NOT ST_Touches(geom, q)")
        times = []
        with conn.cursor() as cur:
            for q in qs:
                wkb = shapely.to_wkb(q)
                t0 = time.perf_counter()
                cur.execute(sql, (wkb,))
                cur.fetchall()
                times.append(time.perf_counter() - t0)
        conn.execute("DROP TABLE bench_title")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--bulk", type=int, default=10_000)
    ap.add_argument("--naive", type=int, default=5, help="queries for the per-pair loop (it is slow)")
    args = ap.parse_args()
    boundary = load_boundary("PK-BA").geometry

    t0 = time.perf_counter()
    titles = generate(DemoSpec(titles=args.titles, seed=1), boundary)
    print(f"{len(titles):,} synthetic titles generated in {time.perf_counter() - t0:.1f} s")
    geoms = [t.geometry for t in titles]
    items = [(t.number, t.geometry) for t in titles]

    t0 = time.perf_counter()
    index = SpatialIndex(items)
    index.conflicts(geoms[0])  # the STRtree is built on first use
    build_s = time.perf_counter() - t0
    geoms_mb, index_mb = memory_in_child(geoms)
    print(f"index build (incl. first query): {build_s:.2f} s; memory in a fresh process: geometries "
          f"{geoms_mb:.0f} MB, index on top of them {index_mb:.0f} MB for {len(index):,} titles")

    qs = queries(boundary, args.queries, seed=2)
    for q in qs[:20]:
        index.conflicts(q)  # warm up
    lat = []
    hits = 0
    for q in qs:
        t0 = time.perf_counter()
        hits += len(index.conflicts(q))
        lat.append(time.perf_counter() - t0)
    med, p99 = statistics.median(lat) * 1e3, percentile(lat, 99) * 1e3
    print(f"single check, in-process index: median {med:.3f} ms, p99 {p99:.3f} ms over {len(qs)} checks "
          f"({hits} overlaps found)")

    naive = []
    shapely.prepare(geoms)
    for q in qs[: args.naive]:
        t0 = time.perf_counter()
        [i for i, g in enumerate(geoms) if g.intersects(q) and not g.touches(q)]
        naive.append(time.perf_counter() - t0)
    naive_med = statistics.median(naive) * 1e3
    print(f"single check, naive per-pair Shapely loop: median {naive_med:.1f} ms over {len(naive)} checks "
          f"-> index is {naive_med / med:,.0f}x faster")

    url, how = postgis_url()
    if url:
        pg = bench_postgis(url, titles, qs[: min(len(qs), 500)])
        pg_med, pg_p99 = statistics.median(pg) * 1e3, percentile(pg, 99) * 1e3
        print(f"single check, PostGIS ST_Intersects + GiST (round trip on loopback): median {pg_med:.3f} ms, "
              f"p99 {pg_p99:.3f} ms -> in-process is {pg_med / med:.1f}x faster at the median, "
              f"{pg_p99 / p99:.1f}x at p99")
        if how == "started":
            subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "stop", str(ROOT / "var" / "pgbench")],
                           capture_output=True)
    else:
        print(how)

    # Item 3 of issue 12: a filing (or grant, relinquishment...) moves one item; the index is updated,
    # not rebuilt. Measured: one update (remove one key, add one), a check on the updated index, and
    # the full rebuild it replaces (what every check paid after each filing before).
    upd, after = [], []
    current = index
    for i, q in enumerate(qs[:200]):
        t0 = time.perf_counter()
        current = current.updated([items[i][0]], [(f"application:{i}", q)])
        upd.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        current.conflicts(qs[-1 - i])
        after.append(time.perf_counter() - t0)
    rebuild = []
    for _ in range(3):
        t0 = time.perf_counter()
        SpatialIndex(items).conflicts(geoms[0])
        rebuild.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    current.compacted().conflicts(geoms[0])
    compact_s = time.perf_counter() - t0
    upd_med, rb_med = statistics.median(upd) * 1e3, statistics.median(rebuild) * 1e3
    print(f"incremental: one change (remove + add) {upd_med:.3f} ms median, p99 {percentile(upd, 99) * 1e3:.3f} ms "
          f"(200 changes); check on the updated index: median {statistics.median(after) * 1e3:.3f} ms, p99 "
          f"{percentile(after, 99) * 1e3:.3f} ms; a full rebuild: {rb_med:,.0f} ms median of 3 -> "
          f"{rb_med / upd_med:,.0f}x; compaction after 200 changes: {compact_s * 1e3:,.0f} ms "
          f"(due after {max(SpatialIndex.COMPACT_MIN, int(SpatialIndex.COMPACT_FRACTION * len(index))):,} added)")

    bulk_q = queries(boundary, args.bulk, seed=3)
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        pairs = index.bulk_conflicts(bulk_q)
        runs.append(time.perf_counter() - t0)
    print(f"bulk: {len(bulk_q):,} applications against {len(index):,} titles: median {statistics.median(runs):.2f} s "
          f"of 3 runs ({len(pairs):,} overlapping pairs)")


if __name__ == "__main__":
    main()
