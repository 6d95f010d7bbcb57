"""OGC API – Features over HTTP on both stores: paging, bbox, datetime, single items, 404s, 400s,
and that only public data leaves through the applications collection."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.model import Application, Holder, Title
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import Database

UTC = timezone.utc
# A right triangle east of the demo titles, its empty corner at the south-west: boxes over that
# corner overlap its envelope but not its area.
TRIANGLE = shapely.Polygon([(66.7, 27.0), (66.7, 27.2), (66.5, 27.2), (66.7, 27.0)])
SECRET_OWNER = "Hidden Beneficial Owner Ltd"
SECRET_ORG = "secret-applicant-org"
PUBLIC_STATES = sorted(lc.PENDING)
PRIVATE_STATES = ["granted", "refused", "withdrawn", "rejected-incomplete"]


def ogc_app(url: str) -> FastAPI:
    """The real app (it includes maadan.ogc.router) on the database at `url`."""
    from maadan.http.app import create_app

    return create_app(load_settings({"MAADAN_DATABASE_URL": url}))


def square(x: float, y: float, d: float = 0.05):
    return shapely.box(x, y, x + d, y + d)


def load_ogc_data(url: str) -> None:
    """50 synthetic demo titles, a triangular title, public and non-public applications, a reserved area."""
    from maadan.cadastre import service

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    try:
        service.load_demo_cadastre(UnitOfWork(engine, write=True), 50, 1, "test")
        with UnitOfWork(engine, write=True) as uow:
            uow.cadastre.add_title(Title(
                id=None, jurisdiction="PK-BA", number="PK-BA/ML/2010/0007", title_type="ML", rules_version="test",
                holders=[Holder("Triangle Mining (Pvt) Ltd", 100.0, "PK")], geometry=TRIANGLE, area_km2=200.0,
                granted_on=date(2010, 5, 1), expires_on=None, state="active", minerals=["chromium"]))
            for i, state in enumerate(PUBLIC_STATES + PRIVATE_STATES):
                uow.cadastre.add_application(Application(
                    id=None, jurisdiction="PK-BA", number=i + 1, title_type="EL", rules_version="test",
                    minerals=["copper"], holders=[
                        Holder(f"Applicant {i + 1} (Pvt) Ltd", 60.0, "PK", beneficial_owners=(SECRET_OWNER,)),
                        Holder(f"Partner {i + 1}", 40.0, "CN", "foreign")],
                    geometry=square(67.0 + 0.1 * i, 27.5), area_km2=27.0,
                    received_at=datetime(2026, 1, 1 + i, 9, 30, tzinfo=UTC), state=state, priority="clear",
                    fee_amount=1234.0, fee_currency="PKR", fee_verified=True, applicant_org=SECRET_ORG))
            uow.cadastre.add_reserved("PK-BA", "Test National Park", "protected-area", "test fixture, 2026",
                                      square(66.0, 26.0, 0.2), 400.0)
            uow.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def ogc_db(seeded_db, tmp_path_factory):
    db = Database(seeded_db.backend, tmp_path_factory.mktemp("ogc"), template=seeded_db)
    load_ogc_data(db.url)
    yield db
    db.close()


@pytest.fixture(scope="module")
def client(ogc_db):
    app = ogc_app(ogc_db.url)
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def all_titles(ogc_db) -> list[Title]:
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    with UnitOfWork(engine) as uow:
        titles = uow.cadastre.titles()
    engine.dispose()
    return titles


def get(client, path: str, status: int = 200, **params):
    r = client.get(path, params=params) if params else client.get(path)  # params={} would drop path's query
    assert r.status_code == status, r.text
    return r


def path_of(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def all_pages(client, first: str) -> tuple[list[dict], list[dict]]:
    """Follows next links; returns the features and the page bodies."""
    features, pages, href = [], [], first
    while href:
        body = get(client, href).json()
        pages.append(body)
        features += body["features"]
        href = next((path_of(ln["href"]) for ln in body["links"] if ln["rel"] == "next"), None)
        assert len(pages) < 100
    return features, pages


def by_rel(body: dict) -> dict[str, str]:
    return {ln["rel"]: ln["href"] for ln in body["links"]}


# --- landing page, conformance, collections ----------------------------------------------------

def test_landing_page_and_conformance(client):
    r = get(client, "/ogc")
    assert r.headers["content-type"].startswith("application/json")
    links = by_rel(r.json())
    assert {"self", "conformance", "data", "service-desc", "service-doc"} <= set(links)
    descs = {link["type"]: path_of(link["href"]) for link in r.json()["links"] if link["rel"] == "service-desc"}
    assert descs == {"application/vnd.oai.openapi+json;version=3.1": "/openapi.json",
                     "application/vnd.oai.openapi+json;version=3.0": "/openapi-3.0.json"}
    assert path_of(links["service-doc"]) == "/docs"
    for path in descs.values():
        assert get(client, path).json()["paths"]["/ogc/collections/{collection_id}/items"]
    conf = get(client, path_of(links["conformance"])).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in conf
    assert get(client, "/ogc", f="json").json() == r.json()


def test_collections(client, all_titles):
    body = get(client, "/ogc/collections").json()
    found = {c["id"]: c for c in body["collections"]}
    assert list(found) == ["titles", "applications", "deposits", "projects", "reserved-areas", "boundaries"]
    for c in found.values():
        assert c["itemType"] == "feature" and c["title"] and c["description"]
        assert path_of(by_rel(c)["items"]) == f"/ogc/collections/{c['id']}/items"
        assert c["extent"]["spatial"]["bbox"][0][0] <= c["extent"]["spatial"]["bbox"][0][2]
    titles = found["titles"]
    assert "SYNTHETIC" in titles["description"]
    bounds = shapely.total_bounds([t.geometry for t in all_titles])
    assert titles["extent"]["spatial"]["bbox"] == [pytest.approx(list(bounds))]
    first = min(t.granted_on for t in all_titles)
    assert titles["extent"]["temporal"]["interval"] == [[f"{first.isoformat()}T00:00:00Z", None]]  # one never expires
    apps = found["applications"]["extent"]["temporal"]["interval"][0]
    assert apps == ["2026-01-01T09:30:00Z", f"2026-01-0{len(PUBLIC_STATES)}T09:30:00Z"]
    assert "temporal" not in found["deposits"]["extent"]
    one = get(client, "/ogc/collections/titles").json()
    assert one == titles


def test_unknown_collection_is_404_json(client):
    for path in ("/ogc/collections/title", "/ogc/collections/title/items", "/ogc/collections/title/items/x"):
        r = get(client, path, 404)
        assert r.json()["error"] == "not_found" and "titles" in r.json()["message"]


# --- items: paging -----------------------------------------------------------------------------

def test_paging_follows_next_links_to_the_end(client, all_titles):
    r = get(client, "/ogc/collections/titles/items", limit=7)
    assert r.headers["content-type"].startswith("application/geo+json")
    first = r.json()
    assert first["type"] == "FeatureCollection" and first["numberMatched"] == len(all_titles) == 51
    assert first["numberReturned"] == 7 and "prev" not in by_rel(first) and first["timeStamp"].endswith("Z")
    features, pages = all_pages(client, "/ogc/collections/titles/items?limit=7")
    assert len(pages) == 8 and pages[-1]["numberReturned"] == 2 and "next" not in by_rel(pages[-1])
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == 51
    assert {f["properties"]["number"] for f in features} == {t.number for t in all_titles}
    # prev of the second page is the first page
    second = get(client, path_of(by_rel(first)["next"])).json()
    assert get(client, path_of(by_rel(second)["prev"])).json()["features"] == first["features"]
    assert path_of(by_rel(second)["collection"]) == "/ogc/collections/titles"


def test_default_limit_offset_past_the_end_and_clamp(client):
    body = get(client, "/ogc/collections/titles/items").json()
    assert body["numberReturned"] == 10 and body["numberMatched"] == 51
    past = get(client, "/ogc/collections/titles/items", offset=500).json()
    assert past["numberReturned"] == 0 and past["numberMatched"] == 51 and "prev" in by_rel(past)
    assert "next" not in by_rel(past)
    clamped = get(client, "/ogc/collections/titles/items", limit=50_000).json()
    assert clamped["numberReturned"] == 51


def test_title_properties(client):
    f = get(client, "/ogc/collections/titles/items", limit=1).json()["features"][0]
    p = f["properties"]
    assert set(p) == {"number", "jurisdiction", "type", "state", "area_km2", "granted_on", "expires_on", "holders",
                      "minerals", "synthetic", "renewals", "rules_version", "rules_basis"}  # the one title view (cadastre/views.py)
    assert p["synthetic"] is True and p["number"].startswith("SYN-") and f["id"] == p["number"].replace("/", "~")
    assert set(p["holders"][0]) == {"name", "share_pct", "country", "kind"}
    assert f["geometry"]["type"] == "Polygon"


# --- items: bbox -------------------------------------------------------------------------------

def expected_in_bbox(titles: list[Title], bbox) -> set[str]:
    minx, miny, maxx, maxy = bbox
    box = shapely.box(*bbox) if minx < maxx and miny < maxy else shapely.LineString([(minx, miny), (maxx, maxy)])
    return {t.number for t in titles if shapely.intersects(t.geometry, box)}


@pytest.mark.parametrize("bbox", [
    (62.0, 28.5, 63.0, 29.3),       # the Chagai corner: cuts through several titles
    (61.0, 25.0, 67.0, 30.0),       # everything
    (66.5, 27.0, 66.55, 27.05),     # only the empty corner of the triangle's envelope: nothing
    (62.0, 26.0, 66.55, 27.05),     # cuts demo titles and the triangle's empty corner
    (66.6, 27.0, 66.8, 27.3),       # the triangle, exactly
    (62.5, 28.0, 62.5, 29.0),       # a line
    (0.0, 0.0, 1.0, 1.0),           # nowhere
])
def test_bbox_matches_exact_intersection(client, all_titles, bbox):
    text = ",".join(str(x) for x in bbox)
    features, pages = all_pages(client, f"/ogc/collections/titles/items?bbox={text}&limit=4")
    want = expected_in_bbox(all_titles, bbox)
    assert {f["properties"]["number"] for f in features} == want
    assert pages[0]["numberMatched"] == len(want) == len(features)
    for page in pages:  # every link keeps the bbox
        for rel, href in by_rel(page).items():
            if rel in ("self", "next", "prev"):
                assert f"bbox={text}" in href


def test_bbox_on_small_collections(client):
    inside = get(client, "/ogc/collections/reserved-areas/items", bbox="65.9,25.9,66.1,26.1").json()
    assert [f["properties"]["name"] for f in inside["features"]] == ["Test National Park"]
    outside = get(client, "/ogc/collections/reserved-areas/items", bbox="10,10,11,11").json()
    assert outside["numberMatched"] == 0 and outside["features"] == []
    boundaries = get(client, "/ogc/collections/boundaries/items", bbox="64,28,64.1,28.1").json()
    assert [f["id"] for f in boundaries["features"]] == ["PK-BA"]


# --- items: datetime ---------------------------------------------------------------------------

def valid_between(t: Title, start: date | None, end: date | None) -> bool:
    return (end is None or t.granted_on <= end) and (start is None or t.expires_on is None or t.expires_on >= start)


@pytest.mark.parametrize("value, start, end", [
    ("2026-11-01", date(2026, 11, 1), date(2026, 11, 1)),
    ("2029-01-01T12:00:00Z", date(2029, 1, 1), date(2029, 1, 1)),
    ("2015-01-01/2020-12-31", date(2015, 1, 1), date(2020, 12, 31)),
    ("../2012-01-01T00:00:00Z", None, date(2012, 1, 1)),
    ("2040-01-01/..", date(2040, 1, 1), None),
])
def test_titles_datetime_matches_validity(client, all_titles, value, start, end):
    features, pages = all_pages(client, f"/ogc/collections/titles/items?datetime={value}&limit=20")
    want = {t.number for t in all_titles if valid_between(t, start, end)}
    assert {f["properties"]["number"] for f in features} == want and pages[0]["numberMatched"] == len(want)
    assert 0 < len(want) < 51 or value == "2026-11-01"


def test_datetime_and_bbox_together(client, all_titles):
    body = get(client, "/ogc/collections/titles/items", bbox="66.6,27.0,66.8,27.3", datetime="../2011-01-01",
               limit=100).json()
    assert [f["properties"]["number"] for f in body["features"]] == ["PK-BA/ML/2010/0007"]


def test_applications_datetime_on_received_at(client):
    body = get(client, "/ogc/collections/applications/items",
               datetime="2026-01-02T00:00:00Z/2026-01-03T23:59:59Z").json()
    assert [f["properties"]["received_at"] for f in body["features"]] == ["2026-01-02T09:30:00Z",
                                                                         "2026-01-03T09:30:00Z"]
    one_day = get(client, "/ogc/collections/applications/items", datetime="2026-01-01").json()
    assert one_day["numberMatched"] == 1
    instant = get(client, "/ogc/collections/applications/items", datetime="2026-01-01T14:30:00+05:00").json()
    assert instant["numberMatched"] == 1


# --- single items ------------------------------------------------------------------------------

def test_single_title_and_self_links(client):
    listed = get(client, "/ogc/collections/titles/items", limit=3).json()["features"][2]
    r = get(client, f"/ogc/collections/titles/items/{listed['id']}")
    assert r.headers["content-type"].startswith("application/geo+json")
    one = r.json()
    assert one["type"] == "Feature" and one["id"] == listed["id"] and one["properties"] == listed["properties"]
    links = by_rel(one)
    assert path_of(links["self"]) == f"/ogc/collections/titles/items/{listed['id']}"
    assert get(client, path_of(links["self"])).json()["id"] == listed["id"]
    assert path_of(links["collection"]) == "/ogc/collections/titles"
    triangle = get(client, "/ogc/collections/titles/items/PK-BA~ML~2010~0007").json()
    assert triangle["properties"]["expires_on"] is None


@pytest.mark.parametrize("path", [
    "/ogc/collections/titles/items/PK-BA~EL~1999~0001",
    "/ogc/collections/titles/items/nothing",
    "/ogc/collections/applications/items/PK-BA~A999",
    "/ogc/collections/applications/items/garbage",
    "/ogc/collections/deposits/items/nowhere",
    "/ogc/collections/reserved-areas/items/999999",
    "/ogc/collections/boundaries/items/PK-XX",
])
def test_unknown_features_are_404_json(client, path):
    r = get(client, path, 404)
    assert r.json()["error"] == "not_found" and r.json()["message"]


def test_single_application_public_only(client):
    for i, state in enumerate(PUBLIC_STATES + PRIVATE_STATES):
        r = client.get(f"/ogc/collections/applications/items/PK-BA~A{i + 1}")
        if state in lc.PENDING:
            assert r.status_code == 200 and r.json()["properties"]["state"] == state
        else:  # a decided application answers exactly like an unknown one
            assert r.status_code == 404 and r.json()["error"] == "not_found"


# --- what the public may see -------------------------------------------------------------------

def test_applications_exclude_non_public_data(client):
    r = get(client, "/ogc/collections/applications/items", limit=100)
    body = r.json()
    assert body["numberMatched"] == len(PUBLIC_STATES) == len(body["features"])
    assert sorted(f["properties"]["state"] for f in body["features"]) == PUBLIC_STATES
    for f in body["features"]:
        assert set(f["properties"]) == {"ref", "number", "jurisdiction", "type", "state", "priority", "received_at",
                                        "area_km2", "applicants", "minerals", "synthetic", "rules_basis",
                                        "competition_group", "competing_with", "waits_on"}
        assert f["id"] == f["properties"]["ref"].replace("/", "~")
    for secret in (SECRET_OWNER, SECRET_ORG, "beneficial", "applicant_org", "fee", "1234", "documents"):
        assert secret not in r.text
    # every application lies in the bbox of the collection: the non-public ones are still not counted
    everything = get(client, "/ogc/collections/applications/items", bbox="66,27,69,28").json()
    assert everything["numberMatched"] == len(PUBLIC_STATES)


# --- deposits, projects, reserved areas, boundaries --------------------------------------------

def test_deposits_and_projects(client, ogc_db):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": ogc_db.url}))
    with UnitOfWork(engine) as uow:
        located = [p for p in uow.projects.all() if p.location is not None]
    engine.dispose()
    deposits = get(client, "/ogc/collections/deposits/items", limit=1000).json()
    assert deposits["numberMatched"] == len(located) > 0
    assert all(f["geometry"]["type"] == "Point" for f in deposits["features"])
    reko = get(client, "/ogc/collections/deposits/items/reko-diq").json()
    assert reko["properties"]["name"] == "Reko Diq" and "copper" in reko["properties"]["commodities"]
    lon, lat = reko["geometry"]["coordinates"]
    assert 61 < lon < 63 and 28 < lat < 30  # lon/lat order
    projects = get(client, "/ogc/collections/projects/items", limit=1000).json()
    assert projects["numberMatched"] == len([p for p in located if p.kind == "project"])
    assert all(f["properties"]["kind"] == "project" for f in projects["features"])
    assert set(deposits["features"][0]["properties"]) == {"id", "name", "kind", "status", "country", "province",
                                                          "district", "commodities", "operator", "location",
                                                          "location_kind", "location_confidence", "location_derived",
                                                          "radius_km", "box_south", "box_west", "box_north",
                                                          "box_east"}
    # how precisely each deposit is known travels with the point: a box or a radius of uncertainty
    by_id = {f["id"]: f["properties"] for f in deposits["features"]}
    assert reko["properties"]["location_kind"] == "point" and reko["properties"]["location_confidence"] == "high"
    boxes = [p for p in by_id.values() if p["location_kind"] == "box"]
    assert boxes and all(p["box_south"] < p["box_north"] and p["box_west"] < p["box_east"] for p in boxes)
    circles = [p for p in by_id.values() if p["location_kind"] == "circle"]
    assert circles and all(p["radius_km"] > 0 for p in circles)


def test_reserved_areas_and_boundaries(client):
    park = get(client, "/ogc/collections/reserved-areas/items").json()["features"][0]
    assert park["properties"]["source"] == "test fixture, 2026"
    assert get(client, f"/ogc/collections/reserved-areas/items/{park['id']}").json()["properties"]["name"] == \
        "Test National Park"
    boundaries = get(client, "/ogc/collections/boundaries/items", limit=100).json()
    codes = [f["id"] for f in boundaries["features"]]
    assert "PK-BA" in codes and boundaries["numberMatched"] == len(codes)
    ba = get(client, "/ogc/collections/boundaries/items/PK-BA").json()["properties"]
    assert ba["name"] and ba["source"] and "caveat" in ba


# --- bad input: 400, never 500 -----------------------------------------------------------------

@pytest.mark.parametrize("params, parameter, words", [
    ({"bbox": "1,2,3,4,5,6"}, "bbox", "3D bbox not supported"),
    ({"bbox": "62,28,63"}, "bbox", "4 numbers"),
    ({"bbox": "63,28,62,29"}, "bbox", "greater than"),
    ({"bbox": "62,28,200,29"}, "bbox", "outside"),
    ({"limit": "0"}, "limit", "at least 1"),
    ({"limit": "abc"}, "limit", "whole number"),
    ({"offset": "-1"}, "offset", "0 or more"),
    ({"datetime": "last tuesday"}, "datetime", "RFC 3339"),
    ({"datetime": "2026-02-01/2026-01-01"}, "datetime", "starts after it ends"),
    ({"f": "html"}, "f", "only f=json"),
    ({"filter": "state='active'"}, "filter", "unknown query parameter"),
    ({"bbox-crs": "EPSG:4326"}, "bbox-crs", "unknown query parameter"),
])
def test_bad_parameters_are_400_naming_them(client, params, parameter, words):
    r = get(client, "/ogc/collections/titles/items", 400, **params)
    body = r.json()
    assert body["error"] == "invalid_parameter" and body["details"]["parameter"] == parameter
    assert words in body["message"] and body["message"].startswith(parameter)


def test_repeated_parameter_and_other_endpoints_are_strict(client):
    r = client.get("/ogc/collections/titles/items?limit=1&limit=2")
    assert r.status_code == 400 and r.json()["details"]["parameter"] == "limit"
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/titles",
                 "/ogc/collections/titles/items/PK-BA~ML~2010~0007"):
        assert get(client, path, 400, limit="5").json()["details"]["parameter"] == "limit"
        assert get(client, path, 400, f="html").json()["details"]["parameter"] == "f"


def test_datetime_on_a_collection_without_time_is_400(client):
    r = get(client, "/ogc/collections/deposits/items", 400, datetime="2026-01-01")
    assert r.json()["details"]["parameter"] == "datetime"


@pytest.mark.parametrize("query", [
    "bbox=%00", "bbox=,,,", "bbox=1e400,0,1,1", "limit=" + "9" * 5000, "offset=" + "9" * 5000,
    "datetime=" + "2026-01-01/" * 50, "datetime=9999-12-31T23:59:59Z", "datetime=0001-01-01/..",
    "bbox=-180,-90,180,90&limit=10000&offset=1000000000", "f=%FF",
])
def test_odd_input_never_500(client, query):
    r = client.get(f"/ogc/collections/titles/items?{query}")
    assert r.status_code in (200, 400), r.text
    r = client.get(f"/ogc/collections/applications/items?{query}")
    assert r.status_code in (200, 400), r.text


def test_time_extremes_are_answered(client):
    far = get(client, "/ogc/collections/titles/items", datetime="9999-12-31T23:59:59Z").json()
    assert [f["properties"]["number"] for f in far["features"]] == ["PK-BA/ML/2010/0007"]  # never expires
    early = get(client, "/ogc/collections/applications/items",
                datetime=f"../{(datetime(2026, 1, 1, 9, 30, tzinfo=UTC) - timedelta(seconds=1)).isoformat()}").json()
    assert early["numberMatched"] == 0


def test_openapi_30_definition_has_no_31_constructs(client):
    r = client.get("/openapi-3.0.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.oai.openapi+json;version=3.0")
    doc = r.json()
    assert doc["openapi"] == "3.0.3" and doc["paths"].keys() == client.get("/openapi.json").json()["paths"].keys()

    def walk(node, where="$"):
        if isinstance(node, dict):
            assert node.get("type") != "null" and not isinstance(node.get("type"), list), where
            assert "const" not in node and "examples" not in node or where.endswith("content"), where
            for key in ("exclusiveMinimum", "exclusiveMaximum"):
                assert not isinstance(node.get(key), (int, float)) or isinstance(node.get(key), bool), where
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    walk(doc["components"]["schemas"])
    walk(doc["paths"])
    holder = doc["components"]["schemas"]["HolderIn"]["properties"]["country"]
    assert holder["nullable"] is True and holder["type"] == "string"
    import schemathesis

    assert len(list(schemathesis.openapi.from_dict(doc).get_all_operations())) == len(
        [op for ops in doc["paths"].values() for op in ops])
