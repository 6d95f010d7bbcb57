"""The order routes are matched in (http/app.py `ADAPTERS`, api/__init__.py `FIRST`, the static files
mounted first by web/__init__.py): the static files, the OGC API and the cadastre's API first, since
matching tries each route's pattern in turn and those take most of a busy server's requests.
Reordering must not change which route answers a path: for every route, a path made from its own
template is answered by that route (or one with the same template), never by an earlier one whose
pattern also matches."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from starlette.routing import compile_path

PARAM = re.compile(r"{([^}:]+)(?::([^}]*))?}")


def ordered_routes(app) -> list[tuple[str, frozenset[str]]]:
    """(path template, methods) of every route with methods, in the order they are matched."""
    out = []
    for c in iter_route_contexts(app.routes):
        route = c.original_route
        path = c.path or getattr(route, "path", "")
        methods = getattr(route, "methods", None)
        if path and methods:
            out.append((path, frozenset(methods)))
    return out


def sample(path: str) -> str:
    return PARAM.sub(lambda m: "a/b" if m.group(2) == "path" else "7" if m.group(2) == "int" else "x1", path)


def test_every_route_answers_its_own_paths(read_client):
    routes = ordered_routes(read_client.app)
    assert len(routes) > 100
    compiled = [(path, methods, compile_path(path)[0]) for path, methods in routes]
    shadowed = []
    for path, methods in routes:
        probe = sample(path)
        for method in methods:
            first = next(p for p, ms, regex in compiled if method in ms and regex.fullmatch(probe))
            if first != path:
                shadowed.append(f"{method} {probe}: meant for {path}, answered by {first}")
    assert not shadowed, shadowed


def test_the_busiest_routes_are_matched_first(read_client):
    assert read_client.app.router.routes[0].path == "/static"  # the static files' one pattern, before all
    assert read_client.get("/static/favicon.svg").status_code == 200
    paths = [p for p, _ in ordered_routes(read_client.app)]
    # the app's own few (/openapi.json, /metrics) come before every adapter's; then these, then the rest
    first_other = min(i for i, p in enumerate(paths)
                      if p.startswith("/api/") and not p.startswith("/api/cadastre/") and p != "/api/ping")
    assert paths.index("/api/ping") < paths.index("/api/cadastre/check")  # the benchmarks' ceiling, then these
    assert paths.index("/cadastre") > first_other  # the web pages last
    for busy in ("/ogc/collections/{collection_id}/items", "/ogc/collections/{collection_id}/items/{feature_id}",
                 "/ogc/collections/{collection_id}/tiles/{tile_matrix_set_id}/{tile_matrix}/{tile_row}/{tile_col}", "/api/cadastre/check",
                 "/api/cadastre/titles/{number:path}"):
        assert paths.index(busy) < first_other, busy
