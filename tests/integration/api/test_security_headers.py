"""Security headers on every response (issue 15): pages, JSON, errors (404, 413, 415, 422), static
files and the docs; HSTS only over TLS (directly or through a trusted proxy); the CSP names the
configured tile server and nothing else. The browser suite checks that no page breaks it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from maadan.api.app import create_app
from maadan.api.security_headers import content_security_policy, tile_source
from maadan.config import load_settings


def _app(url: str, **env: str):
    return create_app(load_settings({"MAADAN_DATABASE_URL": url, **env}))


@pytest.fixture
def app(seeded_db):
    app = _app(seeded_db.url)
    yield app
    app.state.engine.dispose()  # no connection may stay open on the template database


def _assert_headers(r) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, r.url
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_every_kind_of_response_carries_the_headers(app):
    with TestClient(app) as client:
        answers = [client.get("/"), client.get("/map"), client.get("/login"), client.get("/docs"),
                   client.get("/api/minerals"), client.get("/ogc/collections"), client.get("/static/css/maadan.css"),
                   client.get("/api/minerals/unobtainium"), client.get("/no/such/page"),
                   client.post("/api/cadastre/check", content=b"x" * 6_000_000, headers={"content-type": "application/json"}),
                   client.post("/api/cadastre/check", content=b"{}", headers={"content-type": "text/plain"}),
                   client.post("/api/cadastre/check", json={}), client.get("/api/minerals", params={"q": "a\x00"})]
        assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 200, 200, 404, 404, 413, 415, 422, 422]
        for r in answers:
            _assert_headers(r)
            assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS


def test_the_api_docs_have_no_inline_script(app):
    with TestClient(app) as client:
        html = client.get("/docs").text
    assert '<script src="/static/js/api-docs.js"></script>' in html
    assert "<script>" not in html and "SwaggerUIBundle(" not in html


def test_hsts_over_tls_and_behind_a_trusted_proxy_only(seeded_db):
    direct = _app(seeded_db.url)
    with TestClient(direct, base_url="https://maadan.example") as client:
        assert client.get("/").headers["strict-transport-security"] == "max-age=31536000"
    with TestClient(direct) as client:  # the client claims TLS, but no proxy is trusted
        assert "strict-transport-security" not in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    proxied = _app(seeded_db.url, MAADAN_TRUSTED_PROXIES="127.0.0.1")
    with TestClient(proxied, client=("127.0.0.1", 5000)) as client:
        assert client.get("/", headers={"X-Forwarded-Proto": "https"}).headers["strict-transport-security"]
        assert "strict-transport-security" not in client.get("/", headers={"X-Forwarded-Proto": "http"}).headers
    with TestClient(proxied, client=("10.9.9.9", 5000)) as client:  # not the trusted proxy
        assert "strict-transport-security" not in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers


def test_the_policy_names_the_configured_tile_server_only():
    assert tile_source("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org"
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_source("javascript:alert(1)") is None and tile_source(None) is None
    settings = load_settings({"MAADAN_DATABASE_URL": "sqlite://", "MAADAN_TILE_URL": "https://{s}.tiles.example/{z}/{x}/{y}.png"})
    csp = content_security_policy(settings)
    assert "img-src 'self' data: https://*.tiles.example;" in csp
    assert "https://*.tiles.example" not in csp.split("img-src")[0]  # scripts and styles stay 'self'


def test_a_report_document_carries_its_own_stricter_policy(seeded_db):
    with TestClient(_app(seeded_db.url)) as client:
        r = client.get("/api/analytics/reports/mineral/copper.html")
    assert r.status_code == 200
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in r.headers["content-security-policy"]  # nothing may run in it
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
