"""The available ground (issue 16 item 6) at scale, measured in one process on an existing database
(e.g. one made by `maadan demo cadastre --titles 100000`), the way it was computed before (one union
of every taken item, then the difference and make_valid: the baseline) against now
(`ground.free_ground`: items grouped by which meet, only groups unioned, one difference), on the same
rows in the same run; then the API route end to end (first request computes, the next is served from
the cache, the one after with its ETag answers 304), and the encoding of the answer before (pydantic
serialising the Feature dict, as the route's response model did) against now (orjson, once per change,
and gzipped once); both encodings include mapping the geometry to GeoJSON. Prints seconds (median of --repeat), the ratio, both areas and the area of
their symmetric difference (0 when the two agree).

Usage: .venv/bin/python bench/ground.py URL [URL ...] [--repeat 3] [--jurisdiction PK-BA]
(URL: sqlite:////path/file.sqlite or postgresql+psycopg://...). It only reads."""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

import orjson
import shapely

from maadan.cadastre import ground
from maadan.cadastre import lifecycle as lc
from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.geometry import area_km2
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork


def load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def before(boundary, geoms):
    """The computation as it was: one union of everything taken, the difference, make_valid."""
    taken = shapely.union_all(geoms)
    return shapely.make_valid(shapely.difference(boundary, taken))


def bench(url: str, jurisdiction: str, repeat: int) -> None:
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    with UnitOfWork(engine) as uow:
        t0 = time.perf_counter()
        rows = uow.cadastre.spatial_rows(jurisdiction, lc.PENDING)
        read = time.perf_counter() - t0
    geoms = shapely.from_wkb([r[2] for r in rows])
    boundary = load_boundary(jurisdiction).geometry
    print(f"{engine.dialect.name}: {len(rows):,} taken items read in {read:.2f} s (load {load()})", flush=True)
    old, t_old = timed(lambda: before(boundary, geoms), repeat)
    new, t_new = timed(lambda: ground.free_ground(boundary, geoms), repeat)
    a_old, a_new = float(area_km2(old)), float(area_km2(new))
    diff = float(area_km2(shapely.symmetric_difference(old, new)))
    print(f"  geometry: before {t_old:.2f} s, now {t_new:.2f} s ({t_old / t_new:.1f}x faster); area before "
          f"{a_old:,.3f} km², now {a_new:,.3f} km², symmetric difference {diff:.6f} km² (load {load()})", flush=True)

    from pydantic import TypeAdapter

    from maadan.api.ground import FeatureOut

    adapter = TypeAdapter(FeatureOut)

    def encode_before() -> bytes:  # both sides map the geometry to GeoJSON first, as each route did
        feature = {"type": "Feature", "id": "x", "properties": {}, "geometry": shapely.geometry.mapping(new)}
        return adapter.dump_json(adapter.validate_python(feature))

    body_old, e_old = timed(encode_before, repeat)
    body_new, e_new = timed(lambda: orjson.dumps({"type": "Feature", "id": "x", "properties": {},
                                                  "geometry": shapely.geometry.mapping(new)}), repeat)
    same = orjson.loads(body_old)["geometry"] == orjson.loads(body_new)["geometry"]
    print(f"  encoding: before (pydantic) {e_old:.2f} s, now (orjson) {e_new:.2f} s ({e_old / e_new:.1f}x); "
          f"{len(body_new) / 2**20:.1f} MB; same coordinates: {same}", flush=True)

    os.environ["MAADAN_DATABASE_URL"] = url
    from fastapi.testclient import TestClient

    from maadan.http.app import create_app

    with TestClient(create_app()) as client:
        path = f"/api/cadastre/available-ground?jurisdiction={jurisdiction}"
        t0 = time.perf_counter()
        first = client.get(path)
        cold = time.perf_counter() - t0
        warm_times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            warm = client.get(path)
            warm_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        revalidated = client.get(path, headers={"If-None-Match": first.headers.get("etag", "")})
        r304 = time.perf_counter() - t0
    print(f"  API: first request {cold:.2f} s ({first.status_code}, {len(first.content) / 2**20:.1f} MB), cached "
          f"{statistics.median(warm_times) * 1000:.0f} ms ({warm.status_code}), with its ETag {r304 * 1000:.0f} ms "
          f"({revalidated.status_code}) (load {load()})", flush=True)
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jurisdiction", default="PK-BA")
    args = ap.parse_args()
    for url in args.urls:
        bench(url, args.jurisdiction, args.repeat)


if __name__ == "__main__":
    main()
