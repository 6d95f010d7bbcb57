"""Figures for the HTTP API on this machine, all in one run against one PostgreSQL database holding
100,000 synthetic titles:

- one title by number (GET /api/cadastre/titles/{number});
- an OGC API – Features items page of 100 titles in a bbox (GET /ogc/collections/titles/items);
- a check of one application (POST /api/cadastre/check);
- the same OGC items query served by pygeoapi (installed from PyPI into its own virtualenv under
  var/, reading the same titles from a table with a PostGIS geometry column and a GiST index, built
  from the same rows in the setup), side by side.

The servers (`maadan serve`, then pygeoapi, each with 1 and then 2 uvicorn workers) and the load generator run in separate processes on loopback.
The load generator is closed-loop: C concurrent clients, each sending its next request when the
previous answer arrives, for D seconds per scenario; it reports requests per second and latency
percentiles. Usage: .venv/bin/python bench/api.py [--titles 100000] [--seconds 10] [--clients 8]
[--workers 1,2] [--no-pygeoapi]. Needs PostgreSQL + PostGIS (scripts/pg-test-server install)."""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
PG = ROOT / "scripts" / "pg-test-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not come up within {seconds:.0f} s")


def _client(url: str, method: str, bodies: list, seconds: float, out: mp.Queue) -> None:
    import httpx

    lat: list[float] = []
    errors = 0
    with httpx.Client(timeout=30) as http:
        end = time.monotonic() + seconds
        i = random.randrange(len(bodies))
        while time.monotonic() < end:
            body = bodies[i % len(bodies)]
            i += 1
            t0 = time.perf_counter()
            r = http.post(url, json=body) if method == "POST" else http.get(url + body)
            lat.append(time.perf_counter() - t0)
            errors += r.status_code >= 400
    out.put((lat, errors))


def load(url: str, method: str, bodies: list, seconds: float, clients: int) -> dict:
    """Closed-loop load from `clients` processes; returns throughput and latency percentiles."""
    q: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=(url, method, bodies, seconds, q)) for _ in range(clients)]
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e3  # noqa: E731
    return {"requests": len(lat), "rps": len(lat) / seconds, "p50_ms": pct(50), "p99_ms": pct(99),
            "mean_ms": statistics.mean(lat) * 1e3, "errors": errors}


def start_postgres() -> str:
    subprocess.run([str(PG), "install"], check=True)
    return subprocess.run([str(PG), "start", str(VAR / "pgapibench")], check=True, capture_output=True,
                          text=True).stdout.strip()


def prepare_database(url: str, titles: int) -> list[str]:
    from maadan.cadastre import service
    from maadan.config import load_settings
    from maadan.ingest.service import seed_reference_data
    from maadan.store import migrate
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    migrate.upgrade(engine)
    seed_reference_data(UnitOfWork(engine, write=True))
    t0 = time.perf_counter()
    made = service.load_demo_cadastre(UnitOfWork(engine, write=True), titles, 1, "bench")
    print(f"{len(made):,} synthetic titles loaded in {time.perf_counter() - t0:.0f} s")
    with engine.begin() as conn:
        # pygeoapi's PostgreSQL provider wants a PostGIS geometry column; Maadan stores WKB plus an
        # envelope. To be fair to pygeoapi it gets a real table built from the same rows, with a
        # geometry column and a GiST index (not a view that decodes WKB on every request).
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        kind = conn.exec_driver_sql("SELECT relkind FROM pg_class WHERE relname = 'title_geo'").scalar()
        if kind is not None:  # an earlier run's view (older bench) or table
            conn.exec_driver_sql(f"DROP {'VIEW' if kind == 'v' else 'TABLE'} title_geo")
        conn.exec_driver_sql(
            "CREATE TABLE title_geo AS SELECT id, number, title_type, state, area_km2, "
            "ST_SetSRID(ST_GeomFromWKB(geometry), 4326)::geometry(Polygon, 4326) AS geom FROM title")
        conn.exec_driver_sql("ALTER TABLE title_geo ADD PRIMARY KEY (id)")
        conn.exec_driver_sql("CREATE INDEX title_geo_geom ON title_geo USING gist (geom)")
        conn.exec_driver_sql("ANALYZE title_geo")
        conn.exec_driver_sql("ANALYZE title")
    engine.dispose()
    return [t.number for t in made]


def bboxes(n: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(n):  # ~0.5° boxes around the Chagai belt, where the demo titles are densest
        x, y = rng.uniform(62.0, 66.0), rng.uniform(28.0, 30.0)
        out.append(f"{x:.3f},{y:.3f},{x + 0.5:.3f},{y + 0.5:.3f}")
    return out


def start_maadan(url: str, port: int, workers: int) -> subprocess.Popen:
    """`maadan serve --workers N`; returns once every worker has its spatial index warm (the app
    warms it at startup, off the request path), so no scenario pays for a cold build."""
    import httpx

    env = dict(os.environ, MAADAN_DATABASE_URL=url, MAADAN_LOG_LEVEL="warning")
    proc = subprocess.Popen([sys.executable, "-m", "maadan", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://127.0.0.1:{port}/api/health"
    wait_http(health)
    deadline, warm = time.monotonic() + 120, 0
    while warm < 4 * workers and time.monotonic() < deadline:  # several answers in a row, from any worker
        warm = warm + 1 if httpx.get(health, timeout=5).json().get("spatial_index") == "warm" else 0
        time.sleep(0.1 if warm else 0.5)
    return proc


def start_pygeoapi(url: str, port: int, workers: int = 1) -> subprocess.Popen | None:
    venv = VAR / "pygeoapi-venv"
    py = venv / "bin" / "python"
    if not (venv / "bin" / "pygeoapi").exists() or subprocess.run([str(py), "-c", "import geoalchemy2"], capture_output=True).returncode:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pygeoapi", "psycopg2-binary", "geoalchemy2", "uvicorn",
                        "starlette"], check=True)
    from sqlalchemy.engine import make_url

    u = make_url(url)
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                   "limits": {"default_items": 10, "max_items": 10000}, "map": {"url": "", "attribution": ""},
                   "pretty_print": False},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                                        "keywords_type": "theme", "terms_of_service": "", "url": ""},
                     "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}, "provider": {"name": "bench", "url": "http://127.0.0.1"},
                     "contact": {"name": "bench", "url": "http://127.0.0.1"}},
        "resources": {"titles": {
            "type": "collection", "title": "titles", "description": "titles", "keywords": ["titles"],
            "extents": {"spatial": {"bbox": [60, 24, 71, 32], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "links": [],
            "providers": [{"type": "feature", "name": "PostgreSQL",
                           "data": {"host": u.host, "port": u.port, "dbname": u.database, "user": u.username,
                                    "password": u.password or "", "search_path": ["public"]},
                           "id_field": "id", "table": "title_geo", "geom_field": "geom"}]}},
    }
    cfg = VAR / "pygeoapi.config.yml"
    import yaml

    cfg.write_text(yaml.safe_dump(config))
    oas = VAR / "pygeoapi.openapi.yml"
    env = dict(os.environ, PYGEOAPI_CONFIG=str(cfg), PYGEOAPI_OPENAPI=str(oas))
    gen = subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(oas)],
                         env=env, capture_output=True, text=True)
    if gen.returncode != 0:
        print("pygeoapi openapi generation failed:", gen.stderr.strip().splitlines()[-1:])
        return None
    proc = subprocess.Popen([str(py), "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                             "--no-access-log"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/collections/titles?f=json")
    return proc


def show(name: str, r: dict) -> None:
    print(f"{name:<48} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
          f"   ({r['requests']:,} requests, {r['errors']} errors)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--no-pygeoapi", action="store_true")
    ap.add_argument("--workers", default="1,2", help="uvicorn worker counts to measure, comma separated")
    args = ap.parse_args()
    url = os.environ.get("MAADAN_BENCH_POSTGRES_URL") or start_postgres()
    numbers = prepare_database(url, args.titles)
    boxes = bboxes(200)
    square = lambda x, y: {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y], [x + .1, y + .1], [x, y + .1], [x, y]]]}  # noqa: E731
    rng = random.Random(3)
    checks = [{"title_type": "EL", "area": {"geojson": square(rng.uniform(63.0, 65.5), rng.uniform(27.5, 29.3))}}
              for _ in range(200)]
    print(f"{args.titles:,} titles; load: {args.clients} client processes, {args.seconds:.0f} s per scenario")
    ogc = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        port = free_port()
        server = start_maadan(url, port, workers)
        base = f"http://127.0.0.1:{port}"
        w = f"{workers} worker{'s' if workers > 1 else ''}"
        try:
            show(f"Maadan ({w}): one title by number", load(f"{base}/api/cadastre/titles/", "GET", numbers[:2000],
                                                             args.seconds, args.clients))
            ogc[workers] = load(f"{base}/ogc/collections/titles/items?limit=100&bbox=", "GET", boxes,
                                args.seconds, args.clients)
            show(f"Maadan ({w}): OGC items, 100 in a bbox", ogc[workers])
            show(f"Maadan ({w}): check one application", load(f"{base}/api/cadastre/check", "POST", checks,
                                                               args.seconds, args.clients))
        finally:
            server.terminate()
            server.wait()
    if args.no_pygeoapi:
        return
    for workers, mine in ogc.items():  # pygeoapi with the same number of uvicorn workers
        port2 = free_port()
        other = start_pygeoapi(url, port2, workers)
        if other is None:
            return
        w = f"{workers} worker{'s' if workers > 1 else ''}"
        try:
            pg = load(f"http://127.0.0.1:{port2}/collections/titles/items?f=json&limit=100&bbox=", "GET", boxes,
                      args.seconds, args.clients)
            show(f"pygeoapi ({w}): OGC items, 100 in a bbox", pg)
            print(f"ratio Maadan / pygeoapi, {w} each: throughput {mine['rps'] / pg['rps']:.2f}x, "
                  f"p99 {pg['p99_ms'] / mine['p99_ms']:.2f}x lower")
        finally:
            other.terminate()
            other.wait()


if __name__ == "__main__":
    main()
