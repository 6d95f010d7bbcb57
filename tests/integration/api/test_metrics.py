"""/metrics and request ids (issue 18 item 4), on both backends."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from maadan.config import load_settings
from maadan.http.app import create_app


def series(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_filings_checks_and_idempotency(role_client):
    c, applicant = role_client, role_client.token("applicant.a")
    area = {"type": "Polygon", "coordinates": [[[66.7, 28.2], [66.75, 28.2], [66.75, 28.25], [66.7, 28.25], [66.7, 28.2]]]}
    body = {"title_type": "EL", "minerals": ["copper"], "area": {"geojson": area},
            "holders": [{"name": "US Strategic Metals", "share_pct": 100, "country": "US", "organisation_id": "ussm"}]}
    for _ in range(2):
        assert c.post("/api/cadastre/applications", json=body,
                      headers=applicant | {"Idempotency-Key": "metrics-1"}).status_code == 201
    assert c.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": area}}).status_code == 200
    assert c.get("/api/minerals/copper").status_code == 200
    assert c.get("/api/minerals/no-such-mineral").status_code == 404
    r = c.get("/metrics")  # the test client is not on loopback: only with the token
    assert r.status_code == 403 and "MAADAN_METRICS_NETWORKS" in r.json()["message"]
    settings = c.app.state.settings
    object.__setattr__(settings, "metrics_token", "t" * 40)
    assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = c.get("/metrics", headers={"Authorization": "Bearer " + "t" * 40})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert series(text, "maadan_filings_total") == 1  # the replay is not a second filing
    assert series(text, "maadan_idempotency_total", outcome="stored") == 1
    assert series(text, "maadan_idempotency_total", outcome="replayed") == 1
    assert series(text, "maadan_checks_total", ok="true") == 1
    assert series(text, "maadan_http_requests_total", method="GET", route="/api/minerals/{name}", status="404") == 1
    assert series(text, "maadan_http_requests_total", method="POST", route="/api/cadastre/applications",
                  status="201") == 2
    assert series(text, "maadan_http_request_duration_seconds_count", method="POST",
                  route="/api/cadastre/applications") == 2
    assert 'maadan_spatial_index_state{state="warm"}' in text or 'state="warming"' in text
    assert "/api/minerals/no-such-mineral" not in text  # routes by template: the label set stays bounded


def test_metrics_for_a_configured_network(seeded_db):
    settings = load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_METRICS_NETWORKS": "10.0.0.0/8"})
    assert [str(n) for n in settings.metrics_networks] == ["10.0.0.0/8"]
    with TestClient(create_app(settings), client=("10.1.2.3", 5000)) as c:
        assert c.get("/metrics").status_code == 200
    with TestClient(create_app(settings), client=("192.0.2.1", 5000)) as c:
        assert c.get("/metrics").status_code == 403


def test_bad_metrics_settings_are_refused():
    import pytest

    from maadan.errors import ConfigError

    with pytest.raises(ConfigError, match="MAADAN_METRICS_NETWORKS: 'not-a-net'"):
        load_settings({"MAADAN_METRICS_NETWORKS": "not-a-net"})
    with pytest.raises(ConfigError, match="MAADAN_METRICS_TOKEN must be at least 32"):
        load_settings({"MAADAN_METRICS_TOKEN": "short"})


def test_every_answer_has_a_request_id_shown_on_error_pages(read_client):
    r = read_client.get("/api/minerals/copper")
    rid = r.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert read_client.get("/api/minerals/copper").headers["x-request-id"] != rid
    given = read_client.get("/api/minerals/copper", headers={"X-Request-ID": "proxy-abc.123"})
    assert given.headers["x-request-id"] == "proxy-abc.123"  # a proxy's id is kept, when it is a plain token
    hostile = read_client.get("/api/minerals/copper", headers={"X-Request-ID": "<script>" + "x" * 300})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])  # anything else is replaced
    page = read_client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["x-request-id"] in page.text
    assert read_client.post("/api/cadastre/check", content=b"x" * 6_000_000,
                            headers={"Content-Type": "application/json"}).headers.get("x-request-id")


def test_metrics_count_tiles_served_from_the_cache_and_built(read_client):
    """A tile asked twice is built once and then answered from the cache (a 304 too); the cache's
    size is reported. The cache is the process's, so the figures are compared before and after."""
    c = read_client
    settings = c.app.state.settings
    token = settings.metrics_token
    object.__setattr__(settings, "metrics_token", "m" * 40)
    try:
        _tiles_counted(c, {"Authorization": "Bearer " + "m" * 40})
    finally:
        object.__setattr__(settings, "metrics_token", token)  # the client is shared with other tests


def _tiles_counted(c, auth: dict[str, str]) -> None:
    import morecantile

    def figures() -> str:
        r = c.get("/metrics", headers=auth)
        assert r.status_code == 200, r.text
        return r.text

    from maadan.ogc import tiles

    tiles.CACHE.clear()  # the tile below is built afresh, whatever ran before in this process
    t = morecantile.tms.get("WebMercatorQuad").tile(65.0, 28.0, 6)  # in Balochistan: its boundary is in it
    url = f"/ogc/collections/boundaries/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}"
    before = figures()
    first = c.get(url)
    assert first.status_code == 200 and first.content
    assert c.get(url).status_code == 200
    assert c.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    after = figures()
    for how, more in (("built", 1), ("cached", 2)):
        assert (series(after, "maadan_tiles_served_total", how=how)
                - series(before, "maadan_tiles_served_total", how=how)) == more, how
    assert series(after, "maadan_tile_cache_tiles") >= 1
    assert series(after, "maadan_tile_cache_bytes") >= len(first.content)
    for why in ("changed", "overflow"):
        assert f'maadan_tile_cache_dropped_total{{why="{why}"}}' in after
    assert 'maadan_tile_layer_updates_total{how="postgis-caught-up"}' in after
