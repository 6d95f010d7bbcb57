"""GDAL's OGC API – Features driver (OAPIF) reads Maadan's /ogc from a real server: collections
are listed, titles are counted and copied to a GeoJSON file with their attributes."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import Database, require_tools, serve
from tests.integration.api.test_ogc import ogc_app

TITLES = 50


@pytest.fixture(scope="module")
def server(seeded_db, tmp_path_factory):
    """uvicorn in a thread on a port it picks, over a copy of the seeded database holding the
    50-title synthetic demo cadastre (seed 1)."""
    from maadan.cadastre import service

    require_tools("ogrinfo", "ogr2ogr", package="gdal-bin")
    db = Database(seeded_db.backend, tmp_path_factory.mktemp("ogc-gdal"), template=seeded_db)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    service.load_demo_cadastre(UnitOfWork(engine, write=True), TITLES, 1, "test")
    engine.dispose()
    app = ogc_app(db.url)
    try:
        with serve(app) as url:
            yield url + "/ogc"
    finally:
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
