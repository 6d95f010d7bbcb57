"""The OpenAPI document tells the truth about errors: every error body is
{"error": code, "message": what to fix, "details": ...} (http/errors.py), so FastAPI's default
422 schema (HTTPValidationError, {"detail": [...]}) is replaced by that shape."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts

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


# Documents already built in this process, by what they describe (see `_described`). FastAPI builds an
# app's document on its first call, from scratch: for Maadan's ~120 response models that is most of a
# second of CPU, and every app of the same routes gets the same document (the test suite builds an app
# per test). Each entry keeps its routes alive, so an id in a key cannot be reused by another route.
_DOCUMENTS: dict[tuple, tuple[tuple, str]] = {}
_KEPT = 8


def _described(app: FastAPI) -> tuple[tuple, tuple]:
    """What an app's document is built from: the app's own fields, and every route it documents (an
    APIRoute in the schema, as FastAPI's get_openapi picks them): the route's definition (the same object
    for every app that includes the same router), where it is mounted and its methods. Two apps with equal
    keys get equal documents."""
    routes, parts = [], []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        routes.append(route)
        parts.append((id(route), context.path, tuple(sorted(context.methods or ()))))
    fields = (app.title, app.version, app.openapi_version, app.summary, app.description, app.terms_of_service,
              repr(app.contact), repr(app.license_info), repr(app.openapi_tags), repr(app.servers),
              app.separate_input_output_schemas, repr(app.webhooks.routes), app.root_path)
    return (fields, tuple(parts)), tuple(routes)


def _errors_as_maadan_writes_them(doc: dict[str, Any]) -> dict[str, Any]:
    schemas = doc.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas:
        schemas["HTTPValidationError"] = ERROR_SCHEMA | {"title": "Error"}
        schemas.pop("ValidationError", None)
        for ops in doc.get("paths", {}).values():
            for op in ops.values():
                if "422" in op.get("responses", {}):
                    op["responses"]["422"]["description"] = "Invalid input: the message says what and where"
    return doc


def _reading_order(doc: dict[str, Any]) -> dict[str, Any]:
    """Paths in the order a reader looks for them, the REST API before the OGC API (routes are
    matched in another order, for speed: http/app.py `ADAPTERS`)."""
    paths = doc.get("paths")
    if paths:
        doc["paths"] = dict(sorted(paths.items(), key=lambda item: not item[0].startswith("/api/")))  # stable
    return doc


def install(app: FastAPI) -> None:
    build = app.openapi  # FastAPI's own: builds app.openapi_schema unless it is set

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            key, routes = _described(app)
            known = _DOCUMENTS.get(key)
            if known is not None and len(known[0]) == len(routes) and all(a is b for a, b in zip(known[0], routes)):
                app.openapi_schema = json.loads(known[1])  # this app's own copy: a caller may change it
            else:
                doc = _reading_order(_errors_as_maadan_writes_them(build()))
                _DOCUMENTS[key] = (routes, json.dumps(doc))
                while len(_DOCUMENTS) > _KEPT:
                    _DOCUMENTS.pop(next(iter(_DOCUMENTS)))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(OPENAPI_30_PATH, include_in_schema=False)
    def openapi_30() -> JSONResponse:
        return JSONResponse(as_openapi_30(app.openapi()),
                            media_type="application/vnd.oai.openapi+json;version=3.0")


# --- the same definition in OpenAPI 3.0, for OGC API – Features' oas30 conformance class ---------
# FastAPI writes OpenAPI 3.1 (JSON Schema 2020-12). 3.0 differs, for what FastAPI emits, in: null
# (3.0 has `nullable: true` instead of a "null" type), `const` (3.0: a one-value enum), numeric
# exclusive bounds (3.0: booleans beside minimum/maximum) and `examples` in schemas (3.0: example).

OPENAPI_30_PATH = "/openapi-3.0.json"


def _schema_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_schema_30(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _schema_30(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        choices = out.get(key)
        if isinstance(choices, list) and any(c == {"type": "null"} for c in choices):
            rest = [c for c in choices if c != {"type": "null"}]
            del out[key]
            if len(rest) == 1 and "$ref" not in rest[0]:
                out = {**rest[0], **out}
            elif rest:
                out[key] = rest
            out["nullable"] = True
    kind = out.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        out["type"] = kinds[0] if len(kinds) == 1 else kinds
        if len(kinds) < len(kind):
            out["nullable"] = True
        if isinstance(out["type"], list):  # several types: 3.0 cannot say it in `type`
            del out["type"]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), (int, float)) and not isinstance(out.get(bound), bool):
            out[plain] = out[bound]
            out[bound] = True
    if isinstance(out.get("examples"), list) and "properties" not in out.get("examples", {}):
        examples = out.pop("examples")
        if examples:
            out["example"] = examples[0]
    return out


def as_openapi_30(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` (OpenAPI 3.1 as FastAPI writes it) rewritten as OpenAPI 3.0.3."""
    out = {k: v for k, v in doc.items() if k not in ("openapi", "webhooks", "jsonSchemaDialect")}
    out["paths"] = {}
    for path, ops in doc.get("paths", {}).items():
        out["paths"][path] = {}
        for method, op in ops.items():
            op = dict(op)
            if "parameters" in op:
                op["parameters"] = [{**p, "schema": _schema_30(p.get("schema", {}))} for p in op["parameters"]]
            for part in ("requestBody", "responses"):
                if part in op:
                    op[part] = _content_30(op[part])
            out["paths"][path][method] = op
    if "components" in doc:
        out["components"] = {**doc["components"],
                             "schemas": {k: _schema_30(v) for k, v in doc["components"].get("schemas", {}).items()}}
    return {"openapi": "3.0.3", **out}


def _content_30(node: Any) -> Any:
    """Rewrite the schemas under every `content` of a request body or responses object."""
    if isinstance(node, dict):
        return {k: (_schema_30(v) if k == "schema" else _content_30(v)) for k, v in node.items()}
    return node
