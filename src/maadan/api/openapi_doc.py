"""The OpenAPI document tells the truth about errors: every error body is
{"error": code, "message": what to fix, "details": ...} (api/errors.py), so FastAPI's default
422 schema (HTTPValidationError, {"detail": [...]}) is replaced by that shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "A stable code: invalid_input, not_found, conflict, ..."},
        "message": {"type": "string", "description": "What is wrong and where, in words"},
        "details": {"description": "Where and why, when known (for invalid_input: one entry per field)"},
    },
}


def install(app: FastAPI) -> None:
    build = app.openapi
    done: list[int] = []

    def openapi() -> dict[str, Any]:
        doc = build()  # FastAPI's own, cached on the app after the first call
        if id(doc) not in done:
            done.append(id(doc))
            schemas = doc.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA | {"title": "Error"}
                schemas.pop("ValidationError", None)
                for ops in doc.get("paths", {}).values():
                    for op in ops.values():
                        if "422" in op.get("responses", {}):
                            op["responses"]["422"]["description"] = "Invalid input: the message says what and where"
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
