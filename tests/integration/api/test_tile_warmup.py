"""The server builds the map's low-zoom vector tiles at startup (MAADAN_TILE_WARM_ZOOM), on both
stores: every tile of every tiled collection over the cadastre's extent down to that zoom is in
the process's tile cache once /api/health says `map_tiles: warm`, and requests are answered from it;
-1 builds none; a byte budget stops the warm-up early (`partial`); `maadan serve`'s app then
freezes what warm-up built (gc.freeze)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from fastapi.testclient import TestClient

from maadan.cadastre import caches, views
from maadan.config import load_settings
from maadan.http import warmup
from maadan.http.app import create_app
from maadan.ogc import tiles
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.api.test_ogc import ogc_db  # noqa: F401

TILE = "/ogc/collections/{c}/tiles/WebMercatorQuad/{z}/{y}/{x}"


def _app(url: str, zoom: str):
    return create_app(load_settings({"MAADAN_DATABASE_URL": url, "MAADAN_TILE_WARM_ZOOM": zoom}))


def _health(client, seconds: float = 60.0) -> dict:
    """/api/health once the warm-up has finished (or failed)."""
    deadline = time.monotonic() + seconds
    while True:
        body = client.get("/api/health").json()
        if body["map_tiles"] != "warming" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def _expected(url: str, zoom: int) -> set[tuple]:
    """The (collection, z, x, y) the warm-up should have built: every tiled collection's tiles at
    zoom 0..`zoom` meeting the extent of the titles and public applications."""
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    with UnitOfWork(engine) as uow:
        boxes = [uow.cadastre.titles_extent()[0], uow.cadastre.applications_extent(views.TILE_APPLICATION_STATES)[0]]
    engine.dispose()
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return {(c, t.z, t.x, t.y) for z in range(zoom + 1) for t in tiles.tms().tiles(west, south, east, north, [z])
            for c in tiles.TILED}


def _cached() -> set[tuple]:
    return {(k[1], *k[3:]) for k in tiles.CACHE.tiles}


def test_startup_builds_the_low_zoom_tiles_and_requests_use_them(ogc_db):  # noqa: F811
    tiles.CACHE.clear()
    want = _expected(ogc_db.url, 3)
    assert len(want) >= 4 * 4  # zooms 0-3, four collections
    app = _app(ogc_db.url, "3")
    with TestClient(app) as client:
        assert _health(client)["map_tiles"] == "warm"
        deadline = time.monotonic() + 30
        while client.get("/api/health").json()["warm_up"] != "done":  # the tiles, then the freeze's end
            assert time.monotonic() < deadline
            time.sleep(0.05)
        have = _cached()
        assert want <= have
        assert not any(z > 3 for _, z, _, _ in have)
        before = dict(tiles.CACHE.tiles)
        for c, z, x, y in sorted(want):
            r = client.get(TILE.format(c=c, z=z, y=y, x=x), headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200
            key = next(k for k in before if (k[1], *k[3:]) == (c, z, x, y))
            assert r.headers["etag"] == before[key][1].etag and r.content == before[key][1].body
        assert tiles.CACHE.tiles.keys() == before.keys()  # nothing built again
    app.state.engine.dispose()


def test_minus_one_builds_no_tile_at_startup(ogc_db):  # noqa: F811
    tiles.CACHE.clear()
    app = _app(ogc_db.url, "-1")
    with TestClient(app) as client:
        assert _health(client)["map_tiles"] == "off"
        assert client.get("/api/health").json()["spatial_index"] in ("warming", "warm")
        assert not tiles.CACHE.tiles
    app.state.engine.dispose()


def test_warm_up_stops_at_its_byte_budget_or_when_the_server_stops(ogc_db):  # noqa: F811
    tiles.CACHE.clear()
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    try:
        stopped = tiles.warm(UnitOfWork(engine), 6, max_bytes=1)
        assert not stopped.complete and stopped.tiles == 1 and stopped.bytes > 1  # the first tile held titles
        asked = []
        cut = tiles.warm(UnitOfWork(engine), 6, stopped=lambda: asked.append(1) or len(asked) > 3)
        assert not cut.complete and cut.tiles == 3  # a shutdown stops it between two tiles
        whole = tiles.warm(UnitOfWork(engine), 2)
        assert whole.complete and whole.tiles == len(_expected(ogc_db.url, 2))
    finally:
        engine.dispose()


def test_shutdown_does_not_wait_for_a_long_warm_up(ogc_db, monkeypatch):  # noqa: F811
    """A spatial index that takes a minute to build (a million titles) no longer holds the server's
    shutdown: it stops waiting after warmup.STOP_WAIT_S and leaves the daemon thread behind, which
    then skips whatever is left."""
    started, release, calls = threading.Event(), threading.Event(), []

    def slow(uow, jurisdiction):
        calls.append(jurisdiction)
        started.set()
        release.wait(60)

    monkeypatch.setattr(caches, "spatial_index", slow)
    monkeypatch.setattr(caches, "jurisdictions", lambda: ["PK-BA", "PK-KP"])
    monkeypatch.setattr(warmup, "STOP_WAIT_S", 0.5)
    app = _app(ogc_db.url, "-1")
    with TestClient(app) as client:
        assert started.wait(30)
        body = client.get("/api/health").json()
        assert body["spatial_index"] == "warming" and body["warm_up"] == "running"
        stopping = time.monotonic()
    took = time.monotonic() - stopping
    release.set()
    assert took < 5, f"shutdown waited {took:.1f} s for the warm-up"
    deadline = time.monotonic() + 10
    while any(t.name == "maadan-warmup" and t.is_alive() for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert calls == ["PK-BA"]  # released after the shutdown, the warm-up skipped the next jurisdiction


def test_the_served_app_freezes_what_its_warm_up_built_and_the_embedded_app_does_not(ogc_db):  # noqa: F811
    """In a process of its own (freezing is for the life of a process): `maadan serve`'s app keeps
    what warm-up built out of the cyclic garbage collector, and holds off automatic collections while
    it builds; `create_app` (tests, embedding) does neither."""
    code = (
        "import gc, sys\n"
        "from maadan.http import app, warmup\n"
        "a = app.create_served_app() if sys.argv[1] == 'served' else app.create_app()\n"
        "during = []\n"
        "warmup.add(a, lambda _: during.append(gc.isenabled()))\n"
        "warmup._warm(a)\n"
        "print(a.state.spatial_index, a.state.map_tiles, gc.get_freeze_count(), during[0], gc.isenabled())\n"
        "a.state.engine.dispose()\n")
    out = {}
    for kind in ("served", "embedded"):
        r = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "MAADAN_DATABASE_URL": ogc_db.url, "MAADAN_TILE_WARM_ZOOM": "2"})
        assert r.returncode == 0, r.stderr[-2000:]
        index, map_tiles, frozen, collecting_during, collecting_after = r.stdout.split()
        assert (index, map_tiles) == ("warm", "warm")
        out[kind] = (int(frozen), collecting_during, collecting_after)
    assert out["embedded"] == (0, "True", "True")  # the collector left alone
    frozen, collecting_during, collecting_after = out["served"]
    assert frozen > 10_000  # the modules, the app, the index and the tile layers
    # no automatic collection while warm-up builds (one at its end, before the freeze); on again after
    assert (collecting_during, collecting_after) == ("False", "True")
