"""The OpenAPI document describes every response body of the REST API (typed response models), so
schemathesis (test_fuzz.py) checks each answer against it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from maadan.config import load_settings
from maadan.http.app import create_app

NO_JSON_BODY = {("post", "/api/auth/logout")}  # 204, no body


def test_every_rest_operation_documents_its_success_body(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app) as client:
        doc = client.get("/openapi.json").json()
    undocumented = []
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            if (method, path) in NO_JSON_BODY:
                continue
            ok = next((r for code, r in op["responses"].items() if code.startswith("2")), {})
            content = ok.get("content", {})
            schemas = [c.get("schema") for c in content.values()]
            if not schemas or any(s in (None, {}) for s in schemas[:1]) and "application/pdf" not in content:
                undocumented.append(f"{method.upper()} {path}")
    assert not undocumented, undocumented
    components = doc["components"]["schemas"]
    assert {"TitleOut", "ApplicationOut", "CheckOut", "AgreementOut", "TimelineOut", "DocumentOut"} <= set(components)
    assert "received_at" in components["ApplicationOut"]["properties"]


def test_apps_of_the_same_routes_share_one_build_of_the_document_but_not_the_object(seeded_db):
    """The document is built once per process for a set of routes (http/openapi_doc.py); each app gets
    its own copy, and an app with another documented route gets its own document."""
    settings = load_settings({"MAADAN_DATABASE_URL": seeded_db.url})
    first, second, third, fourth = (create_app(settings) for _ in range(4))

    @third.get("/api/extra", summary="A route only this app has")
    def extra() -> dict:
        return {}

    try:
        doc1, doc2, doc3 = first.openapi(), second.openapi(), third.openapi()
        assert doc1 == doc2 and doc1 is not doc2
        doc2["paths"].pop("/api/minerals")  # a caller changing its copy changes no other app's
        assert "/api/minerals" in first.openapi()["paths"] and "/api/minerals" in fourth.openapi()["paths"]
        assert "/api/extra" in doc3["paths"] and "/api/extra" not in doc1["paths"]
        assert doc3["paths"].keys() - {"/api/extra"} == doc1["paths"].keys()
        assert doc1["components"]["schemas"]["HTTPValidationError"]["required"] == ["error", "message"]
    finally:
        for app in (first, second, third, fourth):
            app.state.engine.dispose()
