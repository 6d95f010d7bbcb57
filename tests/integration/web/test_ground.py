"""Finding ground (issue 16 item 6): available ground (jurisdiction minus titles, pending applications
and reserved areas), populated places with their licence, the border, and the one search."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import shape

from maadan.cadastre.boundaries import load_boundary
from tests.integration.web.conftest import square

pytestmark = pytest.mark.slow


def test_available_ground_is_the_jurisdiction_minus_what_is_taken(web):
    before = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"})
    assert before.status_code == 200
    f = before.json()
    free = shape(f["geometry"])
    boundary = load_boundary("PK-BA")
    assert f["properties"]["minus"]["active titles"] > 0  # the demo cadastre's titles
    assert 0 < f["properties"]["area_km2"] < f["properties"]["jurisdiction_area_km2"]
    assert before.headers["content-encoding"] == "gzip"  # compressed once when computed, sent as it is
    plain = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"},
                           headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == f
    refused = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"},
                             headers={"Accept-Encoding": "gzip;q=0, br"})  # gzip named with weight 0: not wanted
    assert "content-encoding" not in refused.headers and refused.content == plain.content
    # Sent as cached bytes with an ETag: the same request again with it answers 304 and no body.
    tag = before.headers["etag"]
    again = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"},
                           headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    with web.uow() as uow:
        titles = uow.cadastre.titles("PK-BA", ["active"])
    assert not any(shapely.intersection(free, t.geometry).area > 1e-9 for t in titles[:20])
    assert shapely.covered_by(free, boundary.geometry.buffer(1e-9))
    # A new application takes its ground out of the available ground at once.
    area = square(66.5, 28.0, 0.1)
    web.apply(area=area)
    after = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"}).json()
    taken = f["properties"]["area_km2"] - after["properties"]["area_km2"]
    assert 100 < taken < 125  # about 110 km² at 28° N
    moved = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": "PK-BA"},
                           headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag  # the ground changed: a new answer
    assert after["properties"]["minus"]["pending applications"] == f["properties"]["minus"]["pending applications"] + 1
    for bad in ("pk-ba", "XX-YY", "PK-BA;drop", ""):
        r = web.client.get("/api/cadastre/available-ground", params={"jurisdiction": bad})
        assert r.status_code in (404, 422), bad


def test_places_and_border_carry_their_sources(read_web):
    fc = read_web.client.get("/api/places").json()
    assert len(fc["features"]) == 370 and "CC BY 4.0" in fc["source"]
    names = {f["properties"]["name"] for f in fc["features"]}
    assert {"Karachi", "Lahore", "Quetta"} <= names
    border = read_web.client.get("/api/reference/border").json()
    assert border["properties"]["name"] == "International border of Pakistan"
    assert len(border["properties"]["label_points"]) == 4 and border["geometry"]["type"] in ("LineString", "MultiLineString")


def test_one_search_finds_titles_applications_deposits_minerals_and_places(web):
    app = web.apply()
    with web.uow() as uow:
        number = uow.cadastre.titles("PK-BA", ["active"], limit=1)[0].number

    def kinds(q, **kw):
        r = web.client.get("/api/search", params={"q": q}, **kw)
        assert r.status_code == 200, r.text
        return [(h["kind"], h["label"]) for h in r.json()["items"]]

    assert ("title", f"Title {number}") in kinds(number)
    assert ("title", f"Title {number}") in kinds(number.lower())
    assert any(k == "place" and label == "Quetta" for k, label in kinds("quetta"))
    assert any(k == "project" and "Reko Diq" in label for k, label in kinds("reko"))
    found = kinds("copper")
    assert ("mineral", "Mineral: copper") in found and any("Reko Diq" in label for _, label in found)
    # A pending application is public; once refused it is not, to the public.
    assert ("application", f"Application PK-BA/A{app.number}") in kinds(f"PK-BA/A{app.number}")
    from maadan.cadastre import service as cadastre
    cadastre.decide(web.uow(True), "PK-BA", app.number, "reject-incomplete", "user:o", reason="no map")
    assert kinds(f"PK-BA/A{app.number}") == []
    assert web.client.get("/api/search", params={"q": "x" * 101}).status_code == 422
    assert web.client.get("/api/search", params={"q": ""}).status_code == 422
