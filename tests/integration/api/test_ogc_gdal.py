"""GDAL's OGC API – Features driver (OAPIF) reads Maadan's /ogc from a real server: collections
are listed, titles are counted and copied to a GeoJSON file with their attributes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
import uvicorn

from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import Database
from tests.integration.api.test_ogc import ogc_app

pytestmark = pytest.mark.skipif(shutil.which("ogr2ogr") is None or shutil.which("ogrinfo") is None,
                                reason="needs GDAL's ogrinfo and ogr2ogr (Debian package gdal-bin)")
TITLES = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeded_db, tmp_path_factory):
    """uvicorn in a thread on a free 127.0.0.1 port, over a copy of the seeded database holding
    the 50-title synthetic demo cadastre (seed 1)."""
    from maadan.cadastre import service

    db = Database(seeded_db.backend, tmp_path_factory.mktemp("ogc-gdal"), template=seeded_db)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    service.load_demo_cadastre(UnitOfWork(engine, write=True), TITLES, 1, "test")
    engine.dispose()
    app = ogc_app(db.url)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/ogc"
    srv.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    db.close()


def gdal(*args: str, cwd=None) -> str:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}  # talk to 127.0.0.1 directly
    env |= {"NO_PROXY": "127.0.0.1,localhost", "GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF"}
    out = subprocess.run(list(args), capture_output=True, text=True, timeout=120, env=env, cwd=cwd)
    assert out.returncode == 0, f"{args[0]} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}"
    return out.stdout


def test_ogrinfo_lists_collections_and_counts_titles(server):
    listing = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{server}")
    for name in ("titles", "applications", "deposits", "projects", "reserved-areas", "boundaries"):
        assert f": {name} (" in listing
    summary = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{server}", "titles")
    assert f"Feature Count: {TITLES}" in summary
    assert "number: String" in summary and "synthetic: Integer(Boolean)" in summary


def test_ogr2ogr_copies_every_title(server, tmp_path):
    gdal("ogr2ogr", "-f", "GeoJSON", "out.geojson", f"OAPIF:{server}", "titles", cwd=tmp_path)
    doc = json.loads((tmp_path / "out.geojson").read_text())
    features = doc["features"]
    assert len(features) == TITLES  # read through several pages of next links
    numbers = {f["properties"]["number"] for f in features}
    assert len(numbers) == TITLES and all(n.startswith("SYN-PK-BA/") for n in numbers)
    first = features[0]["properties"]
    assert first["synthetic"] is True and first["holders"] and first["area_km2"] > 0
    assert features[0]["geometry"]["type"] == "Polygon"


def test_ogr2ogr_with_a_spatial_filter(server, tmp_path):
    # -spat becomes a bbox parameter; GDAL then checks each geometry itself.
    gdal("ogr2ogr", "-f", "GeoJSON", "near.geojson", f"OAPIF:{server}", "titles", "-spat", "62", "28.5", "63", "29.3",
         cwd=tmp_path)
    near = json.loads((tmp_path / "near.geojson").read_text())["features"]
    assert 0 < len(near) < TITLES
