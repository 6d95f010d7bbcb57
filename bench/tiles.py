"""Vector tiles and the map on tiles at 100,000 synthetic titles, on SQLite and on PostgreSQL:

- one vector tile (GET /ogc/collections/titles/tiles/WebMercatorQuad/{z}/{y}/{x}) at z8, z12 and z14
  over the Chagai belt, uncached (the first request for each tile in the server process) and
  cached (the same tiles again), sequential requests from one client on loopback against
  `maadan serve --workers 1`: median and p99, and p99 as a multiple of a bare endpoint of the same
  server in the same run (a static file: no database, no Python beyond the router);
- the first tile request of the process, which on SQLite builds the in-process index of every title;
- the map page in Chromium (Playwright): from navigation to the first moment the map is idle with
  every title in view drawn (the number of distinct titles MapLibre rendered equals the features
  API's numberMatched for the map's bounds), three times in fresh browser contexts.

Usage: .venv/bin/python bench/tiles.py [--titles 100000] [--tiles 40] [--backends sqlite,postgresql]
[--no-map]. PostgreSQL: MAADAN_BENCH_POSTGRES_URL, else scripts/pg-test-server starts one under var/."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench-tiles"
sys.path.insert(0, str(ROOT))

from bench.api import PG, free_port, wait_http  # noqa: E402

CHAGAI = (62.0, 29.2)
ZOOMS = (8, 12, 14)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def database_url(backend: str, titles: int) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        return f"sqlite:///{VAR / f'tiles-{titles}.sqlite'}"
    url = os.environ.get("MAADAN_BENCH_POSTGRES_URL")
    if not url:
        subprocess.run([str(PG), "install"], check=True)
        url = subprocess.run([str(PG), "start", str(VAR / "pg")], check=True, capture_output=True,
                             text=True).stdout.strip()
    return url


def prepare(url: str, titles: int) -> None:
    """Schema, reference data and the synthetic cadastre, unless the database already holds it."""
    from sqlalchemy import text

    from maadan.cadastre import service
    from maadan.config import load_settings
    from maadan.ingest.service import seed_reference_data
    from maadan.store import migrate
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    migrate.upgrade(engine)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM title WHERE synthetic")).scalar()
    if have != titles:
        seed_reference_data(UnitOfWork(engine, write=True))
        t0 = time.perf_counter()
        service.load_demo_cadastre(UnitOfWork(engine, write=True), titles, 1, "bench")
        print(f"  {titles:,} synthetic titles loaded in {time.perf_counter() - t0:.0f} s")
    engine.dispose()


def serve(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, MAADAN_DATABASE_URL=url, MAADAN_LOG_LEVEL="warning")
    proc = subprocess.Popen([sys.executable, "-m", "maadan", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/api/health", 120)
    return proc


def chagai_tiles(z: int, n: int) -> list[tuple[int, int, int]]:
    """Up to n distinct tiles at zoom z, nearest the Chagai belt first (where the titles are densest)."""
    import morecantile

    tms = morecantile.tms.get("WebMercatorQuad")
    c = tms.tile(*CHAGAI, z)
    ring = sorted(((dx, dy) for dx in range(-8, 9) for dy in range(-8, 9)), key=lambda d: (d[0] ** 2 + d[1] ** 2, d))
    return [(z, c.y + dy, c.x + dx) for dx, dy in ring[:n]]


def timed(http, url: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    r = http.get(url)
    return (time.perf_counter() - t0) * 1e3, r.status_code, len(r.content)


def summary(ms: list[float]) -> dict:
    s = sorted(ms)
    return {"n": len(s), "p50": statistics.median(s), "p99": s[min(len(s) - 1, int(0.99 * len(s)))],
            "max": s[-1]}


def tile_figures(base: str, tiles_per_zoom: int) -> None:
    import httpx

    with httpx.Client(timeout=300) as http:
        bare = summary([timed(http, f"{base}/static/favicon.svg")[0] for _ in range(300)])
        print(f"  bare endpoint (/static/favicon.svg): p50 {bare['p50']:.2f} ms, p99 {bare['p99']:.2f} ms")
        far = f"{base}/ogc/collections/titles/tiles/WebMercatorQuad/10/100/100"  # open sea: no feature
        ms, status, _ = timed(http, far)
        print(f"  first tile request of the process (builds what the tiles read): {ms:,.0f} ms ({status})")
        for z in ZOOMS:
            urls = [f"{base}/ogc/collections/titles/tiles/WebMercatorQuad/{z}/{y}/{x}"
                    for z, y, x in chagai_tiles(z, tiles_per_zoom)]
            first = [timed(http, u) for u in urls]
            sizes = [b for _, _, b in first]
            cold = summary([ms for ms, _, _ in first])
            warm = summary([timed(http, u)[0] for _ in range(5) for u in urls])
            bad = sum(1 for _, s, _ in first if s != 200)
            print(f"  z{z:<2} {len(urls)} tiles, {statistics.median(sizes) / 1024:,.1f} KiB median "
                  f"({max(sizes) / 1024:,.1f} max){', ' + str(bad) + ' errors' if bad else ''}")
            for label, r in (("uncached", cold), ("cached", warm)):
                print(f"      {label + ':':9} p50 {r['p50']:8.2f} ms  p99 {r['p99']:8.2f} ms  (p50 {r['p50'] / bare['p50']:.3g}×, "
                      f"p99 {r['p99'] / bare['p99']:.3g}× the bare endpoint's)")


MEASURE = """() => new Promise((resolve) => {
  const deadline = performance.now() + 120000;
  const start = () => {
    const m = window.maadanMap, v = window.maadanView;
    if (!m || !v) { setTimeout(start, 20); return; }
    const check = () => {  // when the map is idle: are all the titles the API finds in view drawn?
      if (!m.loaded() || !m.areTilesLoaded() || m.isMoving()) { setTimeout(check, 50); return; }
      const t = performance.now();
      const drawn = v.drawn('titles');
      const b = m.getBounds().toArray().flat();
      fetch('/ogc/collections/titles/items?limit=1&bbox=' + b.join(',')).then(r => r.json()).then(api => {
        if (drawn === api.numberMatched) { resolve({ms: t, drawn: drawn, matched: api.numberMatched}); }
        else if (performance.now() > deadline) { resolve({ms: null, drawn: drawn, matched: api.numberMatched}); }
        else { setTimeout(check, 100); }
      });
    };
    v.ready.then(check);
  };
  start();
})"""


def map_figures(base: str, runs: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("MAADAN_TEST_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        for i in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/map", wait_until="commit")
            r = page.evaluate(MEASURE)
            when = f"{r['ms'] / 1e3:.2f} s after navigation" if r["ms"] is not None else "NOT within 120 s"
            print(f"  map page run {i + 1}: every title in view drawn {when} "
                  f"({r['drawn']:,} titles drawn; the features API finds {r['matched']:,} in the view)")
            context.close()
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--tiles", type=int, default=40, help="distinct tiles per zoom")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--no-map", action="store_true")
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    for backend in args.backends.split(","):
        print(f"\n{backend}, {args.titles:,} titles")
        url = database_url(backend, args.titles)
        prepare(url, args.titles)
        port = free_port()
        proc = serve(url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            tile_figures(base, args.tiles)
            if not args.no_map:
                map_figures(base)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        print(f"  load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
