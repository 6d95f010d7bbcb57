"""OGC API – Tiles over HTTP on both stores: the documents, tiles decoded and checked against the
features API, only public facts in the applications' tiles, empty tiles, 4xx for bad addresses,
ETag/304, and PostGIS's tiles (ST_AsMVT) against the in-process encoder on the same data."""

from __future__ import annotations

import json
import time

import mapbox_vector_tile
import morecantile
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from maadan.cadastre import views
from maadan.config import load_settings
from maadan.ogc import tiles
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.api.test_ogc import PRIVATE_STATES, PUBLIC_STATES, SECRET_OWNER, ogc_app, ogc_db  # noqa: F401

TMS = morecantile.tms.get("WebMercatorQuad")
TILE = "/ogc/collections/{c}/tiles/WebMercatorQuad/{z}/{y}/{x}"


@pytest.fixture(scope="module")
def client(ogc_db):  # noqa: F811
    tiles.CACHE.clear()
    app = ogc_app(ogc_db.url)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def centre(client) -> tuple[float, float]:
    """The centre of the first demo title (nearest Chagai): deep tiles over it hold titles."""
    f = client.get("/ogc/collections/titles/items", params={"limit": 1}).json()["features"][0]
    c = shapely.geometry.shape(f["geometry"]).centroid
    return (c.x, c.y)


def get_tile(client, collection: str, t) -> dict:
    r = client.get(TILE.format(c=collection, z=t.z, y=t.y, x=t.x))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == tiles.MVT
    return mapbox_vector_tile.decode(r.content, default_options={"y_coord_down": True}) if r.content else {}


def reference(client, collection: str, t) -> dict[str, dict]:
    """The features the tile must hold, from the features API: every one whose geometry meets the
    tile grown by its buffer, keyed by number (or name), with its tile properties (without the
    holder at the generalised zooms, tiles.GENERAL_MAX_ZOOM and below)."""
    bounds = tiles.TileAddress(t.z, t.x, t.y).lonlat_bounds(tiles.BUFFER)
    r = client.get(f"/ogc/collections/{collection}/items",
                   params={"bbox": ",".join(f"{v:.9f}" for v in bounds), "limit": 10000})
    assert r.status_code == 200, r.text
    out = {}
    for f in r.json()["features"]:
        p = f["properties"]
        if collection == "titles":
            out[p["number"]] = views.tile_properties(p["number"], p["type"], p["state"],
                                                     [h["name"] for h in p["holders"]], p["synthetic"])
        else:
            out[p["ref"]] = views.tile_properties(p["ref"], p["type"], p["state"], p["applicants"], p["synthetic"])
    if t.z <= tiles.GENERAL_MAX_ZOOM:
        out = {k: {n: v for n, v in p.items() if n != "holder"} for k, p in out.items()}
    return out


# --- documents ---------------------------------------------------------------------------------

def test_conformance_landing_and_collections_name_the_tiles(client):
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    for cls in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{cls}" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    landing = client.get("/ogc").json()
    assert any(l["rel"] == tiles.REL_TILING_SCHEMES for l in landing["links"])
    docs = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}
    for cid in ("titles", "applications", "reserved-areas", "boundaries"):
        rels = {l["rel"]: l["href"] for l in docs[cid]["links"]}
        assert rels[tiles.REL_TILESETS_VECTOR].endswith(f"/ogc/collections/{cid}/tiles")
    assert all(l["rel"] != tiles.REL_TILESETS_VECTOR for l in docs["deposits"]["links"])


def test_tileset_list_tileset_and_matrix_set(client):
    listing = client.get("/ogc/collections/titles/tiles").json()
    (ts,) = listing["tilesets"]
    assert ts["dataType"] == "vector" and ts["tileMatrixSetURI"] == tiles.TMS_URI
    rels = {l["rel"]: l for l in ts["links"]}
    assert rels["self"]["href"].endswith("/ogc/collections/titles/tiles/WebMercatorQuad")
    assert rels[tiles.REL_TILING_SCHEME]["href"].endswith("/ogc/tileMatrixSets/WebMercatorQuad")

    meta = client.get("/ogc/collections/titles/tiles/WebMercatorQuad").json()
    item = next(l for l in meta["links"] if l["rel"] == "item")
    assert item["templated"] is True and item["type"] == tiles.MVT
    assert item["href"].endswith("/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    (layer,) = meta["layers"]
    assert set(layer["propertiesSchema"]["properties"]) == set(views.TILE_FIELDS)
    described = {k for k, v in layer["propertiesSchema"]["properties"].items() if "description" in v}
    assert described == {"holder"}  # left out at the generalised zooms, and the schema says from which on
    assert "tile matrix 10 and deeper" in layer["propertiesSchema"]["properties"]["holder"]["description"]
    assert len(meta["tileMatrixSetLimits"]) == tiles.MAX_ZOOM + 1

    tms = client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["id"] == "WebMercatorQuad" and len(tms["tileMatrices"]) == tiles.MAX_ZOOM + 1
    assert "3857" in str(tms["crs"])
    assert client.get("/ogc/tileMatrixSets").json()["tileMatrixSets"][0]["id"] == "WebMercatorQuad"


# --- tiles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("z", [6, 8, 9, 10, 11])
def test_title_tiles_hold_every_title_in_them_with_public_properties(client, centre, z):
    t = TMS.tile(*centre, z)
    want = reference(client, "titles", t)
    assert want, "the test tile should hold titles"
    got = get_tile(client, "titles", t)["titles"]["features"]
    assert {f["properties"]["number"]: f["properties"] for f in got} == want
    keys = set(views.TILE_FIELDS) - ({"holder"} if z <= 9 else set())
    assert all(set(f["properties"]) == keys for f in got)  # the holder from zoom 10, where titles are shapes
    for f in got:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon", "Point")


def test_a_title_smaller_than_a_tile_unit_is_a_point(client):
    t = TMS.tile(62.0, 29.2, 1)
    got = get_tile(client, "titles", t)["titles"]["features"]
    assert len(got) == len(reference(client, "titles", t))  # every title is still there
    points = [f for f in got if f["geometry"]["type"] == "Point"]
    assert len(points) >= len(got) // 2  # the smallest are points; the rest are a unit or a few wide


def test_application_tiles_show_only_public_applications_and_public_facts(client):
    t = TMS.tile(67.3, 27.55, 6)
    r = client.get(TILE.format(c="applications", z=t.z, y=t.y, x=t.x))
    assert SECRET_OWNER.encode() not in r.content and b"secret-applicant-org" not in r.content
    got = mapbox_vector_tile.decode(r.content)["applications"]["features"]
    states = sorted(f["properties"]["state"] for f in got)
    assert states == sorted(PUBLIC_STATES)
    assert not set(states) & set(PRIVATE_STATES)
    assert {f["properties"]["number"]: f["properties"] for f in got} == reference(client, "applications", t)
    for f in got:  # a generalised zoom: no holder
        assert set(f["properties"]) == set(views.TILE_FIELDS) - {"holder"}
    zoomed = TMS.tile(67.3, 27.55, tiles.GENERAL_MAX_ZOOM + 1)
    close = get_tile(client, "applications", zoomed)["applications"]["features"]
    assert close and {f["properties"]["number"]: f["properties"] for f in close} == reference(
        client, "applications", zoomed)
    for f in close:
        assert set(f["properties"]) == set(views.TILE_FIELDS)
        assert f["properties"]["holder"].startswith("Applicant ")


def test_reserved_areas_and_boundaries_have_tiles(client):
    park = get_tile(client, "reserved-areas", TMS.tile(66.1, 26.1, 8))["reserved-areas"]["features"]
    assert [f["properties"]["name"] for f in park] == ["Test National Park"]
    assert park[0]["properties"]["synthetic"] is False
    bounds = get_tile(client, "boundaries", TMS.tile(66.0, 28.0, 4))["boundaries"]["features"]
    assert "PK-BA" in {f["properties"]["code"] for f in bounds}


def test_an_empty_tile_is_200_with_no_bytes(client):
    r = client.get(TILE.format(c="titles", z=10, y=100, x=100))  # the North Atlantic
    assert r.status_code == 200 and r.content == b"" and r.headers["content-type"] == tiles.MVT


@pytest.mark.parametrize("path,status,says", [
    ("/ogc/collections/titles/tiles/WebMercatorQuad/25/0/0", 404, "tile matrix"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/8/0", 404, "tileRow"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/0/8", 404, "tileCol"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/a/0/0", 400, "tileMatrix"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/-1/0", 400, "tileRow"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/0/1.5", 400, "tileCol"),
    ("/ogc/collections/titles/tiles/WorldCRS84Quad/3/0/0", 404, "WorldCRS84Quad"),
    ("/ogc/collections/titels/tiles/WebMercatorQuad/3/0/0", 404, "titles"),
    ("/ogc/collections/deposits/tiles/WebMercatorQuad/3/0/0", 404, "vector tiles"),
    ("/ogc/collections/deposits/tiles", 404, "vector tiles"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/0/0?f=png", 400, "f"),
    ("/ogc/collections/titles/tiles/WebMercatorQuad/3/0/0?bbox=1,2,3,4", 400, "bbox"),
    ("/ogc/tileMatrixSets/EuropeanETRS89_LAEAQuad", 404, "EuropeanETRS89_LAEAQuad"),
])
def test_bad_tile_requests_get_a_clear_4xx(client, path, status, says):
    r = client.get(path)
    assert r.status_code == status, r.text
    assert says in r.json()["message"]


def test_etag_and_not_modified(client, centre):
    t = TMS.tile(*centre, 8)
    url = TILE.format(c="titles", z=t.z, y=t.y, x=t.x)
    first = client.get(url)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


# --- both encoders -----------------------------------------------------------------------------

def _shape(f) -> shapely.Geometry:
    return shapely.geometry.shape(f["geometry"])


@pytest.mark.parametrize("collection,lonlat,z", [
    ("titles", None, 1), ("titles", None, 6), ("titles", None, 8), ("titles", None, 10), ("titles", None, 12),
    ("applications", (67.3, 27.55), 7), ("reserved-areas", (66.1, 26.1), 9),
])
def test_postgis_and_in_process_tiles_agree(ogc_db, client, centre, collection, lonlat, z):  # noqa: F811
    """On PostgreSQL both encoders run on the same rows; on SQLite only the in-process one exists,
    and both are held to the features API (above). Same features, same properties, and shapes
    within a tile unit or two of each other; rectangles along the axes and dots exactly alike (both
    encoders snap and clip them the same way, without ST_AsMVTGeom or GEOS)."""
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    try:
        uow = UnitOfWork(engine)
        c = tiles.tiled(collection)
        t = TMS.tile(*(lonlat or centre), z)
        address = tiles.TileAddress(t.z, t.x, t.y)
        engines = ["python"] + (["postgis"] if ogc_db.backend == "postgresql" else [])
        decoded = {}
        for name in engines:
            body = tiles.build_tile(uow, c, address, engine=name)
            decoded[name] = {(f["properties"].get("number") or f["properties"]["name"]): f
                             for f in mapbox_vector_tile.decode(body)[collection]["features"]}
        python = decoded["python"]
        assert python
        served = mapbox_vector_tile.decode(client.get(TILE.format(c=collection, z=t.z, y=t.y, x=t.x)).content)
        assert {k for k in python} == {(f["properties"].get("number") or f["properties"]["name"])
                                       for f in served[collection]["features"]}
        if "postgis" in decoded:
            pg = decoded["postgis"]
            assert pg.keys() == python.keys()
            for key, f in pg.items():
                g = python[key]
                assert f["properties"] == g["properties"]
                assert f["id"] == g["id"]
                if collection == "titles":  # the demo's titles are rectangles along the axes or dots: exactly alike
                    assert f["geometry"] == g["geometry"], key
                a, b = _shape(f), _shape(g)
                assert a.geom_type.replace("Multi", "") == b.geom_type.replace("Multi", ""), key
                assert np.allclose(a.bounds, b.bounds, atol=2), (key, a.bounds, b.bounds)
                if a.area > 100:
                    assert abs(a.area - b.area) <= 0.05 * a.area, key
    finally:
        engine.dispose()


def test_postgis_builds_the_tiles_on_postgresql(ogc_db):  # noqa: F811
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    try:
        with UnitOfWork(engine) as uow:
            assert uow.tiles.postgis() is (ogc_db.backend == "postgresql")
        if ogc_db.backend == "postgresql":
            from sqlalchemy import text

            with UnitOfWork(engine) as uow:  # a read, in autocommit: JIT is off for the connection itself
                assert uow.session.execute(text("SHOW jit")).scalar() == "off"
            assert "ix_title_envelope_box" in _tile_plan(engine, "titles")
            assert "ix_application_envelope_box" in _tile_plan(engine, "applications")
    finally:
        engine.dispose()


def test_postgresql_keeps_each_envelope_in_web_mercator(ogc_db):  # noqa: F811
    """The generated columns the tile statement reads (store/mercator_envelope.py) are the lon/lat
    envelope projected as pyproj projects it, and follow a change of the envelope. SQLite, whose
    tiles are built in process, has no such columns."""
    import pyproj
    from sqlalchemy import inspect, text

    from maadan.store import mercator_envelope

    to_merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    try:
        if ogc_db.backend == "sqlite":
            for table in mercator_envelope.TABLES:
                names = {c["name"] for c in inspect(engine).get_columns(table)}
                assert {"minx", "maxy"} <= names and not names & set(mercator_envelope.COLUMNS), table
            return
        with engine.connect() as conn:
            for table in mercator_envelope.TABLES:
                rows = conn.execute(text(f"SELECT minx, miny, maxx, maxy, {', '.join(mercator_envelope.COLUMNS)} "
                                         f"FROM {table}")).all()
                assert rows, table
                lonlat, merc = np.array([r[:4] for r in rows]), np.array([r[4:] for r in rows])
                x0, y0 = to_merc.transform(lonlat[:, 0], lonlat[:, 1])
                x1, y1 = to_merc.transform(lonlat[:, 2], lonlat[:, 3])
                assert np.allclose(merc, np.column_stack([x0, y0, x1, y1]), rtol=0, atol=1e-6), table
            conn.rollback()
            with conn.begin() as moved:  # moved, then rolled back
                number = conn.execute(text("SELECT number FROM title ORDER BY id LIMIT 1")).scalar()
                conn.execute(text("UPDATE title SET minx = 66.0, maxy = 30.0 WHERE number = :n"), {"n": number})
                got = conn.execute(text("SELECT merc_minx, merc_maxy FROM title WHERE number = :n"), {"n": number}).one()
                assert np.allclose(got, to_merc.transform(66.0, 30.0), rtol=0, atol=1e-6)
                moved.rollback()
    finally:
        engine.dispose()


def _tile_plan(engine, layer: str) -> str:
    """The plan of the PostGIS tile query for a z12 tile near Chagai. Its feature filter must be one
    the envelope's GiST index answers (at 100,000 titles a B-tree range on the envelope's columns cost
    43-74 ms for every tile); the test tables are small, so the planner is told that a sequential scan is dear."""
    from sqlalchemy import text

    from maadan.store.tiles_repository import TileQuery, explain_sql

    tile = TMS.tile(62.0, 29.2, 12)
    address = tiles.TileAddress(tile.z, tile.x, tile.y)
    unit = address.unit_m()
    q = TileQuery(layer, tile.z, tile.x, tile.y, address.lonlat_bounds(tiles.BUFFER), tiles.EXTENT, tiles.BUFFER,
                  tiles.MIN_UNITS * unit, tiles.SIMPLIFY_UNITS * unit)
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        sql, params = explain_sql(q, ["pending"])
        return "\n".join(r[0] for r in conn.execute(sql, params))


def test_large_tiles_go_gzip_compressed_to_clients_that_accept_it(client):
    t = TMS.tile(62.0, 29.2, 4)  # all the demo titles
    url = TILE.format(c="titles", z=t.z, y=t.y, x=t.x)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) >= tiles.GZIP_MIN
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.headers["vary"] == "Accept-Encoding"
    assert packed.content == plain.content  # the client undoes the gzip
    assert int(packed.headers["content-length"]) < len(plain.content)
    refused = client.get(url, headers={"Accept-Encoding": "br, gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.content == plain.content


# --- the in-process layer follows changes (issue 12 item 1) ------------------------------------

@pytest.fixture
def changing_db(ogc_db, client, tmp_path):  # noqa: F811
    from tests.conftest import Database

    # A copy of ogc_db, which the module's client is connected to: its warm-up ended, then its pool
    # and its reads on the loop closed (they open again when next used), so that on PostgreSQL no
    # session is left on the template to be ended for the copy.
    deadline = time.monotonic() + 60
    while getattr(client.app.state, "warm_up", None) != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    client.app.state.engine.dispose()
    if client.app.state.loop_reads is not None:
        client.portal.call(client.app.state.loop_reads.close)
    db = Database(ogc_db.backend, tmp_path, template=ogc_db)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    with UnitOfWork(engine, write=True) as uow:  # the fixture wrote its applications past the counter
        uow.cadastre.lock("PK-BA")
        uow.cadastre.set_last_application("PK-BA", 1000)
        uow.commit()
    engine.dispose()
    yield db
    db.close()


def _fresh(uow, collection: str, t: tiles.TileAddress) -> bytes:
    """The tile from a layer read afresh from the store (no cache, no change applied)."""
    layer = tiles._Layer(tiles._Base.of(tiles._stored_items(uow, collection)))
    return tiles.encode(layer, collection, t, tiles.tile_keys(tiles.tiled(collection), t.z))


def _day(n: int):
    from datetime import UTC, datetime

    return datetime(2026, 3, n, 9, 30, tzinfo=UTC)


def _file(engine) -> int:
    """An application for a 0.05° square at 64.0 E, 28.8 N (away from the demo titles): its number."""
    from maadan.cadastre import service
    from maadan.cadastre.model import Holder
    from tests.integration.cadastre.conftest import square

    receipt = service.apply(UnitOfWork(engine, write=True), service.ApplicationInput(
        jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
        holders=(Holder("Tile Test (Pvt) Ltd", 100.0, "PK"),),
        area=service.AreaInput(geojson=json.dumps(square(64.0, 28.8, 0.05)))), actor="test", now=_day(2))
    return receipt.application.number


def _grant(engine, number: int):
    """The application accepted, reviewed, offered and granted: the title."""
    from maadan.cadastre import service

    for i, action in enumerate(("accept", "review", "offer", "grant"), start=3):
        _, title = service.decide(UnitOfWork(engine, write=True), "PK-BA", number, action, "test", now=_day(i))
    return title


def _relinquish(engine, title) -> None:
    """All of the title but a 0.03° square in its south-west corner given up."""
    from maadan.cadastre import service
    from tests.integration.cadastre.conftest import square

    service.title_action(UnitOfWork(engine, write=True), title.number, "relinquish", "test",
                         area=service.AreaInput(geojson=json.dumps(square(64.0, 28.8, 0.03))), now=_day(9))


@pytest.mark.parametrize("compact_min", [tiles.COMPACT_MIN, 0])
def test_the_in_process_layer_follows_filings_grants_and_relinquishments(changing_db, centre, monkeypatch,
                                                                         compact_min):
    """Tiles after each change equal tiles from a fresh build; the layer is caught up from the
    change log, never read again; a cached tile away from the change stays cached."""
    monkeypatch.setattr(tiles, "COMPACT_MIN", compact_min)  # 0: every change also compacts the layer
    if compact_min == 0:
        monkeypatch.setattr(tiles, "COMPACT_FRACTION", 0.0)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": changing_db.url}))
    try:
        uow = UnitOfWork(engine)
        near = [tiles.TileAddress(t.z, t.x, t.y) for z in (6, 9, 12) for t in [TMS.tile(64.02, 28.82, z)]]
        t = TMS.tile(*centre, 12)
        far = tiles.TileAddress(t.z, t.x, t.y)  # demo titles, nowhere near the change
        far_before = tiles.built_tile(uow, tiles.tiled("titles"), far, engine="python")
        assert far_before.body

        def served(collection: str, a: tiles.TileAddress) -> bytes:
            return tiles.build_tile(uow, tiles.tiled(collection), a, engine="python")

        def same_as_fresh() -> None:
            for collection in ("titles", "applications"):
                for a in near + [far]:
                    assert served(collection, a) == _fresh(uow, collection, a), (collection, a)

        same_as_fresh()
        built = tiles.CACHE.counts["built"]
        caught_up = tiles.CACHE.counts["caught-up"]
        number = _file(engine)
        ref = f"PK-BA/A{number}"
        assert ref in {f["properties"]["number"] for f in
                       mapbox_vector_tile.decode(served("applications", near[-1]))["applications"]["features"]}
        same_as_fresh()
        title = _grant(engine, number)
        same_as_fresh()
        got = mapbox_vector_tile.decode(served("titles", near[-1]))["titles"]["features"]
        assert title.number in {f["properties"]["number"] for f in got}
        assert not mapbox_vector_tile.decode(served("applications", near[-1]))  # granted: no longer pending
        _relinquish(engine, title)
        same_as_fresh()
        assert tiles.CACHE.counts["built"] == built  # no layer was read again ...
        assert tiles.CACHE.counts["caught-up"] > caught_up  # ... each change was applied
        assert tiles.built_tile(uow, tiles.tiled("titles"), far, engine="python") is far_before  # still cached
    finally:
        engine.dispose()


def test_cached_tiles_away_from_a_change_stay_cached_and_the_rest_follow_it(changing_db, centre):
    """The served tiles (PostGIS's on PostgreSQL, the in-process layer's on SQLite) after a filing,
    a grant and a relinquishment that shrinks the title: each equals one built afresh; a tile the
    change does not touch is still the one built before; a tile only the relinquished ground met
    shows the title no more (the change's envelope holds the ground before it as well as after:
    from the change log for PostGIS, from the layer in process)."""
    postgis = changing_db.backend == "postgresql"
    engine_name = "postgis" if postgis else "python"
    tiles.CACHE.clear()
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": changing_db.url}))
    try:
        uow = UnitOfWork(engine)
        near = [tiles.TileAddress(t.z, t.x, t.y) for z in (6, 9, 12) for t in [TMS.tile(64.02, 28.82, z)]]
        corner = TMS.tile(64.045, 28.845, 14)  # inside the 0.05° square, outside the 0.03° one
        given_up = tiles.TileAddress(corner.z, corner.x, corner.y)
        t = TMS.tile(*centre, 12)
        far = tiles.TileAddress(t.z, t.x, t.y)
        far_before = tiles.built_tile(uow, tiles.tiled("titles"), far, engine=engine_name)
        assert far_before.body

        def served(collection: str, a: tiles.TileAddress) -> bytes:
            return tiles.build_tile(uow, tiles.tiled(collection), a, engine=engine_name)

        def fresh(collection: str, a: tiles.TileAddress) -> bytes:
            return tiles.postgis_tile(uow, tiles.tiled(collection), a) if postgis else _fresh(uow, collection, a)

        def numbers(body: bytes, layer: str) -> set[str]:
            return {f["properties"]["number"] for f in mapbox_vector_tile.decode(body).get(layer, {}).get("features", [])}

        def same_as_fresh() -> None:
            for collection in ("titles", "applications"):
                for a in near + [given_up, far]:
                    assert served(collection, a) == fresh(collection, a), (collection, a)

        same_as_fresh()  # every tile cached at the first generation
        number = _file(engine)
        same_as_fresh()
        assert f"PK-BA/A{number}" in numbers(served("applications", given_up), "applications")
        title = _grant(engine, number)
        same_as_fresh()
        assert title.number in numbers(served("titles", given_up), "titles")
        assert not numbers(served("applications", near[-1]), "applications")  # granted: no longer pending
        _relinquish(engine, title)
        same_as_fresh()
        assert title.number not in numbers(served("titles", given_up), "titles")
        assert title.number in numbers(served("titles", near[-1]), "titles")
        assert tiles.CACHE.counts["postgis-caught-up" if postgis else "caught-up"] >= 3
        assert tiles.built_tile(uow, tiles.tiled("titles"), far, engine=engine_name) is far_before  # still cached
    finally:
        engine.dispose()
