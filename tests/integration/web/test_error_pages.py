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
        data = client.get("/broken")
        assert data.status_code == 500 and data.json() == {"error": "internal",
                                                           "message": "internal error; it has been logged"}
