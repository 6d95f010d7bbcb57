"""What the security tests share: an app on a private database with a small synthetic cadastre and
one account per role, a fingerprint of the whole database (to prove a refused request changed
nothing), and the routes of the app as the OpenAPI document and the router list them."""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, func, select

from maadan.http.app import create_app
from maadan.http.security import SESSION_COOKIE
from maadan.auth import service as auth
from maadan.cadastre import service as cadastre
from maadan.cadastre.model import Holder
from maadan.config import load_settings
from maadan.store.uow import UnitOfWork

PASSWORD = "a long enough passphrase"
ORG_A, ORG_B = "chagai-minerals", "acme-mining"
WRITE_METHODS = ("post", "put", "patch", "delete")
SQLISH = ["'; DROP TABLE titles; --", '" OR 1=1 --']
SCRIPTS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
PAYLOADS = SQLISH + SCRIPTS
RAW_TAGS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
# Tables whose changes a refused request may legitimately cause: every sign-in attempt is recorded.
JOURNAL_TABLES = {"login_attempt"}
HASHED_ROWS_MAX = 20_000  # bigger tables (PostGIS's spatial_ref_sys) are compared by row count


def square(x: float, y: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


CLEAN = square(66.5, 28.0)  # inside PK-BA, far from the demo titles around Chagai


@dataclass
class Site:
    client: TestClient
    engine: Any
    bearer: dict[str, dict[str, str]] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)

    @property
    def app(self):
        return self.client.app

    def uow(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def session(self, who: str) -> tuple[str, str]:
        """(session cookie, its CSRF token) for a fresh web session of `who`."""
        token, csrf, _ = auth.start_session(self.uow(True), self.users[who])
        return token, csrf

    def cookie_client(self, who: str) -> tuple[TestClient, str]:
        token, csrf = self.session(who)
        client = TestClient(self.app)
        client.cookies.set(SESSION_COOKIE, token)
        return client, csrf

    def file(self, org: str, holder: str = "Chagai Minerals (Pvt) Ltd", area: dict | None = None):
        inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                        holders=(Holder(holder, 100.0, "PK", "private"),),
                                        area=cadastre.AreaInput(geojson=area or CLEAN), applicant_org=org)
        return cadastre.apply(self.uow(True), inp, actor="user:test").application

    def spec(self) -> dict:
        return self.app.openapi()


def make_site(url: str) -> Iterator[Site]:
    app = create_app(load_settings({"MAADAN_DATABASE_URL": url}))
    engine = app.state.engine
    cadastre.load_demo_cadastre(UnitOfWork(engine, write=True), titles=20, seed=1, actor="cli:test")
    with TestClient(app) as client:
        site = Site(client, engine)
        for name, role, org in [("root", "admin", None), ("officer.one", "officer", None),
                                ("applicant.a", "applicant", ORG_A), ("applicant.b", "applicant", ORG_B)]:
            site.users[name] = auth.create_user(site.uow(True), name, PASSWORD, role, org)
            token, _ = auth.issue_token(site.uow(True), site.users[name])
            site.bearer[name] = {"Authorization": f"Bearer {token}"}
        yield site


# --- the database's fingerprint ----------------------------------------------------------------

def fingerprint(engine) -> dict[str, str]:
    """Each table's row count and, for tables of ordinary size, a hash of all its rows."""
    meta = MetaData()
    with warnings.catch_warnings():  # indexes are not compared here, and SQLite cannot reflect ix_title_width's
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        meta.reflect(engine)
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            if name in JOURNAL_TABLES:
                continue
            n = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if n > HASHED_ROWS_MAX:
                out[name] = f"{n} rows"
                continue
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            out[name] = f"{n} rows, " + hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# --- the app's routes ----------------------------------------------------------------------------

def operations(spec: dict, methods: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation) for every operation of the OpenAPI document."""
    return [(m.upper(), path, op) for path, ops in spec["paths"].items() for m, op in ops.items() if m in methods]


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    route: Any  # the APIRoute: its dependant, body field, openapi_extra


def app_routes(app) -> list[RouteInfo]:
    """Every endpoint of the app with its full path, through included routers (FastAPI ≥ 0.13x
    keeps included routers as branches of app.routes; older versions flatten them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        contexts = [(r.path, r) for r in app.routes if hasattr(r, "path")]
    else:
        contexts = [(c.path or getattr(c.original_route, "path", ""), c.original_route)
                    for c in iter_route_contexts(app.routes)]
    return [RouteInfo(CONVERTER.sub(r"{\1}", path), frozenset(getattr(r, "methods", None) or ()), r)
            for path, r in contexts if isinstance(r, APIRoute)]


def web_routes(app, method: str) -> list[RouteInfo]:
    """The web app's routes for `method` (everything outside /api, /ogc, the docs and static files)."""
    skip = ("/api", "/ogc", "/static", "/docs", "/openapi.json")
    return [r for r in app_routes(app) if method in r.methods and not r.path.startswith(skip)]


PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
CONVERTER = re.compile(r"{([^}:]+):[^}]*}")  # {number:path} is {number} in OpenAPI


def fill(path: str, values: dict[str, str]) -> str:
    """The path template with its parameters filled from `values` (any other parameter: "1")."""
    return PARAM.sub(lambda m: values.get(m.group(1), "1"), path)


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    if "anyOf" in schema:  # Optional[X]: the non-null choice
        choices = [resolve(spec, s) for s in schema["anyOf"] if s.get("type") != "null"]
        if choices:
            return choices[0]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve(spec, schema["allOf"][0])
    return schema


def body_schema(spec: dict, op: dict) -> dict | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return resolve(spec, media["schema"]) if media and "schema" in media else None


def text_fields(spec: dict, schema: dict, prefix: tuple = ()) -> list[tuple]:
    """Paths to every free-text field (a string with no enum, pattern or format) in a body."""
    schema = resolve(spec, schema)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return [p for name, sub in schema.get("properties", {}).items()
                for p in text_fields(spec, sub, prefix + (name,))]
    if kind == "array" and "items" in schema:
        return text_fields(spec, schema["items"], prefix + (0,))
    if kind == "string" and not ({"enum", "pattern", "format", "const"} & schema.keys()):
        return [prefix]
    return []


def example(spec: dict, schema: dict) -> Any:
    """A value the schema accepts (required members only; free text "x")."""
    schema = resolve(spec, schema)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: example(spec, props[k]) for k in schema.get("required", []) if k in props}
    if kind == "array":
        return [example(spec, schema.get("items", {}))] * max(1, schema.get("minItems", 1))
    if kind == "string":
        if schema.get("pattern") == r"^[0-9a-f]{64}$":
            return "0" * 64
        if schema.get("pattern") == r"^[A-Za-z]{2}$":
            return "PK"
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    return None


def put(body: Any, path: tuple, value: Any, spec: dict, schema: dict) -> Any:
    """`body` with the field at `path` set to `value`, creating what is missing on the way."""
    if not path:
        return value
    schema = resolve(spec, schema)
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) and body else [example(spec, schema.get("items", {}))]
        items[0] = put(items[0], rest, value, spec, schema.get("items", {}))
        return items
    out = dict(body) if isinstance(body, dict) else {}
    sub = schema.get("properties", {}).get(head, {})
    out[head] = put(out.get(head, example(spec, sub)), rest, value, spec, sub)
    return out


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)
