"""One error, two forms: JSON for API clients, an HTML page for browsers (http/errors.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from maadan.config import load_settings
from maadan.http.app import create_app

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_address_is_a_page_for_a_browser_and_json_for_a_client(seeded_db):
    with TestClient(create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))) as client:
        page = client.get("/no/such/page", headers=BROWSER)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "<h1>Not found</h1>" in page.text and 'href="/minerals"' in page.text  # the site's own layout
        data = client.get("/no/such/page")
        assert data.status_code == 404 and data.json()["error"] == "not_found"
        api = client.get("/api/minerals/unobtainium", headers=BROWSER)
        assert api.status_code == 404 and "Unknown mineral" in api.text and "<!doctype html>" in api.text
        assert client.get("/api/minerals/unobtainium").json()["error"] == "not_found"
        assert client.get("/minerals/unobtainium", headers={"Accept": "application/json"}).json()["error"] == "not_found"


def test_errors_a_page_does_not_catch_are_pages_with_the_status(seeded_db):
    with TestClient(create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))) as client:
        bad = client.get("/projects", params={"kind": "castle"}, headers=BROWSER)
        assert bad.status_code == 422 and "kind must be project or deposit" in bad.text
        invalid = client.get("/analytics/economics/reko-diq", params={"paths": "many"}, headers=BROWSER)
        assert invalid.status_code == 422 and invalid.headers["content-type"].startswith("text/html")
        assert "paths" in invalid.text
        anon = client.get("/api/cadastre/due", headers=BROWSER, follow_redirects=False)
        assert anon.status_code == 303 and anon.headers["location"] == "/login?next=%2Fapi%2Fcadastre%2Fdue"
        assert client.get("/api/cadastre/due").status_code == 401


def test_a_bug_is_a_500_page_for_a_browser_and_json_for_a_client(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))

    @app.get("/broken")
    def broken() -> dict:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/broken", headers=BROWSER)
        assert page.status_code == 500 and "<h1>Something went wrong</h1>" in page.text and "a bug" not in page.text
        assert page.headers["x-request-id"] in page.text  # the id to quote when reporting it (issue 18)
        data = client.get("/broken")
        rid = data.headers["x-request-id"]
        assert data.status_code == 500 and data.json() == {"error": "internal",
                                                           "message": f"internal error; it has been logged as request {rid}"}


def test_a_page_over_the_client_limits_is_a_page_that_says_when_to_come_back(seeded_db):
    """429 and 503 from the per-client limits (http/client_limits.py) reach a browser as the site's
    page with Retry-After, and an API client as JSON, from the same route."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_CLIENT_RATE": "10",
                                    "MAADAN_EXPENSIVE_CONCURRENCY": "1"}))
    limits = app.state.client_limits
    with TestClient(app) as client:
        me = "addr:testclient"  # the test client's address: no proxy is trusted
        for _ in range(2):  # spend this client's budget (10 units, a compute request costs 5)
            limits.acquire(me, "compute")
            limits.release(me, "compute")
        page = client.get("/analytics/screening", headers=BROWSER)
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert "<h1>Too many requests</h1>" in page.text and "try again in" in page.text
        assert 1 <= int(page.headers["retry-after"]) <= 60
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]  # the page gets the headers too
        data = client.get("/analytics/screening", headers={"Accept": "application/json"})
        assert data.status_code == 429 and data.json()["error"] == "too_many_requests"
        assert data.json()["details"]["retry_after_s"] == int(data.headers["retry-after"])

        limits.clock = lambda: 10.0 ** 9  # much later: the budget is back
        limits.acquire("addr:someone-else", "compute")  # ... but the worker's one compute slot is taken
        try:
            busy = client.get("/analytics/economics/reko-diq", headers=BROWSER)
            assert busy.status_code == 503 and busy.headers["content-type"].startswith("text/html")
            assert "<h1>The server is busy</h1>" in busy.text and busy.headers["retry-after"]
            data = client.get("/analytics/economics/reko-diq", headers={"Accept": "application/json"})
            assert data.status_code == 503 and data.json()["error"] == "busy"
        finally:
            limits.release("addr:someone-else", "compute")
        assert client.get("/analytics/screening", headers=BROWSER).status_code == 200
