"""Every 500 the audit found is a 4xx with a clear message (issue 15): 100,000 nested JSON arrays (a
RecursionError) on every route that reads JSON, and /api/cadastre/check's 400 {"error": "error"}
for a body it could not parse, which is now the documented 422. Nothing is written."""

from __future__ import annotations

import pytest

from maadan.http.content_types import accepted
from maadan.http.middleware import MAX_JSON_DEPTH, json_depth

from .security_site import WRITE_METHODS, app_routes, changed, fill, fingerprint, make_site, operations

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def site(seeded_copy):
    yield from make_site(seeded_copy.url)


def test_deep_json_is_a_422_on_every_route_that_reads_json(site):
    admin = site.bearer["root"]
    routes = [(m, p) for m, p, op in operations(site.spec(), WRITE_METHODS)
              if "application/json" in ((op.get("requestBody") or {}).get("content") or {})]
    routes += [(m, r.path) for r in app_routes(site.app) for m in r.methods
               if m in ("POST", "PUT", "PATCH") and "application/json" in (accepted(r.route) or ())
               and (m, r.path) not in routes]
    assert ("POST", "/api/cadastre/check") in routes and ("POST", "/api/auth/token") in routes
    before = fingerprint(site.engine)
    for method, template in routes:
        url = fill(template, {})
        for body in (DEEP, b'{"title_type": "EL", "area": {"geojson": {"type": "Polygon", "coordinates": '
                     + b"[" * 100_000 + b"]" * 100_000 + b"}}}"):
            r = site.client.request(method, url, content=body, headers=admin | {"content-type": "application/json"})
            assert r.status_code == 422, (method, template, r.status_code, r.text[:200])
            assert r.json()["error"] == "invalid_input" and "nests" in r.json()["message"]
    assert changed(before, fingerprint(site.engine)) == []


def test_the_check_answers_an_unparsable_body_with_the_documented_422(site):
    for body in (b'{"title_type": "EL", "area": \xff\xfe}', DEEP, b"[" * 5_000 + b"]" * 5_000):
        r = site.client.post("/api/cadastre/check", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["error"] == "invalid_input", (body[:20], r.text)
        assert r.json() != {"error": "error"}
    spec = site.spec()["paths"]["/api/cadastre/check"]["post"]["responses"]
    assert "422" in spec


def test_nesting_that_real_bodies_use_passes(site):
    from .security_site import CLEAN

    body = {"title_type": "EL", "area": {"geojson": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "[[[[ not nesting ]]]]" * 20}, "geometry": CLEAN}]}}}
    r = site.client.post("/api/cadastre/check", json=body)
    assert r.status_code == 200, r.text


def test_json_depth_counts_brackets_outside_strings_only():
    assert json_depth(b'{"a": [1, {"b": "[[[[\\"]]"}]}') == 3
    assert json_depth(b'"[[["') == 0 and json_depth(b"[]") == 1 and json_depth(b"12") == 0
    assert json_depth(b'["\\\\", [[1]]]') == 3  # an escaped backslash ends before the quote
    assert json_depth(b'["]]]]]]]]]]", ' + b"[" * 80 + b"]" * 80 + b"]") == 81  # closers in a string hide nothing
    assert json_depth(DEEP) == 100_000 > MAX_JSON_DEPTH


def test_the_limit_holds_at_its_edge_whether_or_not_a_body_is_measured(site):
    """A body with no more brackets than the limit is not measured (it cannot nest deeper); one with
    more is, and refused only when it nests deeper."""
    def post(body: bytes):
        return site.client.post("/api/cadastre/check", content=body, headers={"content-type": "application/json"})

    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    deeper = b"[" + at_limit + b"]"
    shallow_but_many = b"[" + b", ".join([b"[1]"] * (3 * MAX_JSON_DEPTH)) + b"]"  # depth 2, 193 brackets
    assert post(deeper).status_code == 422 and "nests 65 levels" in post(deeper).json()["message"]
    for body in (at_limit, shallow_but_many):  # let through by the depth limit, then refused as no check body
        r = post(body)
        assert r.status_code == 422 and "nests" not in r.json()["message"], r.text
