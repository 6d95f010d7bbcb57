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
