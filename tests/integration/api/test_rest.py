"""The REST API: knowledge base, register, errors, paging."""

import pytest


def test_health(read_client):
    r = read_client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["schema_current"]


def test_minerals_paging_and_filters(read_client):
    r = read_client.get("/api/minerals", params={"list": "usgs-2025", "limit": 10, "offset": 55})
    body = r.json()
    assert r.status_code == 200 and body["total"] == 60 and body["count"] == 5 and body["offset"] == 55
    assert read_client.get("/api/minerals", params={"list": "usgs-1999"}).status_code == 422
    assert read_client.get("/api/minerals", params={"limit": 0}).json()["error"] == "invalid_input"


def test_mineral_facts_and_unknown_name(read_client):
    copper = read_client.get("/api/minerals/Cu").json()
    assert copper["mineral"]["id"] == "copper" and copper["sources"]
    r = read_client.get("/api/minerals/coper")
    assert r.status_code == 404 and "copper" in r.json()["details"]["suggestions"]


def test_projects(read_client):
    reko = read_client.get("/api/projects/reko-diq").json()
    equity = next(o for o in reko["ownership"] if o["basis"] == "equity")
    assert equity["complete"] and abs(equity["total_pct"] - 100) < 0.1
    near = read_client.get("/api/deposits", params={"near": "29.13,62.06", "within_km": 60}).json()
    assert near["items"][0]["id"] == "reko-diq"
    assert read_client.get("/api/deposits", params={"near": "91,0", "within_km": 5}).status_code == 422
    assert read_client.get("/api/projects/nowhere").status_code == 404


def test_organisations(read_client):
    pk = read_client.get("/api/organisations", params={"country": "PK", "limit": 1000}).json()
    assert pk["total"] > 10 and all(o["country"] == "PK" for o in pk["items"])


@pytest.mark.parametrize("body, status", [
    ("{not json", 422),
    ('{"title_type": "EL", "area": {"geojson": {"type": "Point", "coordinates": [64, 28.8]}}}', 422),
    ('{"title_type": "EL", "area": {"geojson": {"type": "Polygon", "coordinates": [[[64,28.8],[64.1,28.9],[64.1,28.8],[64,28.9],[64,28.8]]]}}}', 422),
    ('{"title_type": "XX", "area": {"geojson": {"type": "Polygon", "coordinates": [[[64,28.8],[64.1,28.8],[64.1,28.9],[64,28.9],[64,28.8]]]}}}', 422),
    ('{"title_type": "EL", "area": {}, "surprise": 1}', 422),
])
def test_check_refuses_bad_bodies_with_4xx(read_client, body, status):
    r = read_client.post("/api/cadastre/check", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["error"] in ("invalid_input", "invalid_geometry") and r.json()["message"]


def test_check_a_free_area(read_client):
    area = {"type": "Polygon", "coordinates": [[[64, 28.8], [64.1, 28.8], [64.1, 28.9], [64, 28.9], [64, 28.8]]]}
    body = read_client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": area}}).json()
    assert body["ok"] and 100 < body["area_km2"] < 115 and body["unverified_rules"]


def test_oversized_body_is_413(read_client):
    r = read_client.post("/api/cadastre/check", content=b"x" * 6_000_000, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"


def test_wrong_content_type(read_client):
    r = read_client.post("/api/cadastre/check", content=b"title_type=EL", headers={"content-type": "text/plain"})
    assert 400 <= r.status_code < 500


def test_openapi_and_docs_served_locally(read_client):
    spec = read_client.get("/openapi.json").json()
    assert "/api/cadastre/check" in spec["paths"]
    html = read_client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_titles_register_paging(client):
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    service.load_demo_cadastre(UnitOfWork(client.app.state.engine, write=True), 30, 5, "test")
    page = client.get("/api/cadastre/titles", params={"limit": 10, "offset": 20}).json()
    assert page["total"] == 30 and page["count"] == 10
    number = page["items"][0]["number"]
    one = client.get(f"/api/cadastre/titles/{number}").json()
    assert one["number"] == number and one["synthetic"] and one["geometry"]["type"] == "Polygon"
    assert client.get("/api/cadastre/titles/PK-BA/EL/1999/0001").status_code == 404
    assert client.get("/api/audit/verify").json()["ok"]


def test_register_type_filter_and_audit_paging_in_sql(client):
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    for seed in (3, 4, 2):  # each load is an event in the register of changes
        made = service.load_demo_cadastre(UnitOfWork(client.app.state.engine, write=True), 40, seed, "test")
    by_type: dict[str, int] = {}
    for t in made:
        by_type[t.title_type] = by_type.get(t.title_type, 0) + 1
    kind, n = max(by_type.items(), key=lambda kv: kv[1])
    page = client.get("/api/cadastre/titles", params={"type": kind.lower(), "limit": 3, "offset": 1}).json()
    assert page["total"] == n and page["count"] == min(3, n - 1) and {t["type"] for t in page["items"]} == {kind}
    html = client.get("/cadastre", params={"type": kind}).text
    assert f'Titles <span class="unit">({n})</span>' in html

    from maadan.http.app import create_app  # noqa: F401  (the officer's view of the register of changes)
    from maadan.auth import service as auth

    officer = auth.create_user(UnitOfWork(client.app.state.engine, write=True), "officer.audit",
                               "a long enough passphrase", "officer")
    token, _ = auth.issue_token(UnitOfWork(client.app.state.engine, write=True), officer)
    bearer = {"Authorization": f"Bearer {token}"}
    everything = client.get("/api/audit/events", params={"limit": 1000}, headers=bearer).json()
    second = client.get("/api/audit/events", params={"limit": 2, "offset": 1}, headers=bearer).json()
    assert second["total"] == everything["total"] >= 3
    assert [e["seq"] for e in second["items"]] == [e["seq"] for e in everything["items"][1:3]]
