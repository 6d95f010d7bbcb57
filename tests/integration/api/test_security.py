"""Bad input and attacks on every backend: each refused with the right status and nothing changed
in the database. The routes come from the OpenAPI document and the app's router, so a route added
later is swept too (and the authorisation table fails until the new route is placed in it).

Statuses, one rule for every write route (docs/api.md, "Errors"): a body over
MAADAN_MAX_BODY_BYTES is 413; a body whose Content-Type the route does not read is 415; a body
that is not valid JSON, or valid JSON that breaks the schema, is 422 saying where."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from maadan.http.content_types import accepted
from maadan.auth.model import MAX_FAILURES, WINDOW

from .security_site import (
    CLEAN,
    ORG_A,
    ORG_B,
    PASSWORD,
    PAYLOADS,
    RAW_TAGS,
    SCRIPTS,
    WRITE_METHODS,
    app_routes,
    body_schema,
    changed,
    example,
    fill,
    fingerprint,
    make_site,
    operations,
    put,
    square,
    strings_in,
    text_fields,
    web_routes,
)


@pytest.fixture
def site(seeded_copy):
    yield from make_site(seeded_copy.url)


def _path_values(site) -> dict[str, str]:
    app = site.file(ORG_A)
    with site.uow() as uow:
        title = uow.cadastre.titles(limit=1)[0].number
    return {"jurisdiction": "PK-BA", "number": str(app.number), "username": "applicant.b",
            "collection_id": "titles", "feature_id": "1", "name": "copper", "project_id": "reko-diq",
            "organisation_id": "chagai-minerals", "title": title}


def _write_routes_with_bodies(site) -> list[tuple[str, str]]:
    """(METHOD, path template) of every route that reads a request body: the API's and the web's."""
    spec = site.spec()
    api = [(m, p) for m, p, op in operations(spec, WRITE_METHODS) if op.get("requestBody")]
    web = [(m, r.path) for m in ("POST", "PUT", "PATCH", "DELETE") for r in web_routes(site.app, m)
           if accepted(r.route)]
    return api + web


# --- oversized, malformed and mistyped bodies ----------------------------------------------------

def test_bad_bodies_on_every_write_route_are_refused_and_change_nothing(site):
    values = _path_values(site)
    routes = _write_routes_with_bodies(site)
    assert ("POST", "/api/cadastre/applications") in routes and ("POST", "/login") in routes
    limit = site.app.state.settings.max_body_bytes
    admin = site.bearer["root"]
    before = fingerprint(site.engine)
    for method, template in routes:
        url = fill(template, values)
        route = next(r for r in app_routes(site.app) if r.path == template and method in r.methods)
        kinds = accepted(route.route)
        takes_json = "application/json" in kinds
        good_type = "application/json" if takes_json else "application/x-www-form-urlencoded"

        r = site.client.request(method, url, content=b"{" + b" " * limit + b"}", headers=admin | {
            "content-type": good_type})
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large", (method, template, r.text)

        for wrong in ("text/plain", "application/xml", *(() if takes_json else ("application/json",))):
            r = site.client.request(method, url, content=b'{"a": 1}', headers=admin | {"content-type": wrong})
            assert r.status_code == 415, (method, template, wrong, r.status_code, r.text)
            assert r.json()["error"] == "unsupported_media_type" and good_type in r.json()["message"]

        if takes_json:
            r = site.client.request(method, url, content=b'{"title_type": "EL",\n  "area": {oops}}',
                                    headers=admin | {"content-type": "application/json"})
            assert r.status_code == 422, (method, template, r.text)
            assert r.json()["message"].startswith("body: not valid JSON at line 2, column 12"), r.json()
            for body in (b"[]", b'"text"', b"null", b"1e999999"):
                r = site.client.request(method, url, content=body, headers=admin | {"content-type": "application/json"})
                assert r.status_code == 422 and r.json()["error"] == "invalid_input", (method, template, body, r.text)
    assert changed(before, fingerprint(site.engine)) == []


BAD_GEOJSON = [
    ({"type": "Point", "coordinates": [64, 28.8]}, "Point"),
    ({"type": "Polygon", "coordinates": [[[64, 28.8], [64.1, 28.8], [64.1, 28.9], [64, 28.9]]]}, "coordinates[0]"),
    ({"type": "Polygon", "coordinates": [[[64, 28.8], [64.1, 28.8]]]}, "coordinates[0]"),
    ({"type": "Polygon", "coordinates": [[[64, 28.8], ["a", 28.8], [64.1, 28.9], [64, 28.8]]]}, "coordinates[0]"),
    ({"type": "Polygon", "coordinates": "64,28"}, "coordinates"),
    ({"type": "Polygon", "coordinates": [[[64, 28.8], [64.1, 28.9], [64.1, 28.8], [64, 28.9], [64, 28.8]]]},
     "not valid"),
    ({"type": "Polygon", "coordinates": [[[264, 28.8], [264.1, 28.8], [264.1, 28.9], [264, 28.8]]]}, "range"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature"}]}, "features[0]"),
    ({"type": "Feature", "geometry": None}, "geometry"),
    ({"type": "Polygonn", "coordinates": []}, "Polygonn"),
    ({}, "type"),
]


@pytest.mark.parametrize("geojson, where", BAD_GEOJSON, ids=[w for _, w in BAD_GEOJSON])
def test_malformed_geojson_is_422_saying_where_and_changes_nothing(site, geojson, where):
    bodies = {
        "/api/cadastre/check": {"title_type": "EL", "area": {"geojson": geojson}},
        "/api/cadastre/applications": {"title_type": "EL", "minerals": ["copper"], "area": {"geojson": geojson},
                                       "holders": [{"name": "Chagai Minerals", "share_pct": 100, "country": "PK"}]},
    }
    before = fingerprint(site.engine)
    for path, body in bodies.items():
        r = site.client.post(path, json=body, headers=site.bearer["applicant.a"])
        assert r.status_code == 422, (path, r.text)
        err = r.json()
        assert err["error"] in ("invalid_geometry", "invalid_input"), (path, err)
        assert where in err["message"] + json.dumps(err.get("details")), (path, err)  # says where
    assert changed(before, fingerprint(site.engine)) == []


# --- SQL-ish and script strings in every text field ---------------------------------------------

KNOWN_GOOD = {  # bodies that pass validation, so the payloads reach the use case and the store
    ("POST", "/api/cadastre/check"): {"title_type": "EL", "area": {"geojson": CLEAN},
                                      "holders": [{"name": "H", "share_pct": 100, "country": "PK"}]},
    ("POST", "/api/cadastre/applications"): {"title_type": "EL", "minerals": ["copper"], "area": {"geojson": CLEAN},
                                             "holders": [{"name": "H", "share_pct": 100, "country": "PK"}]},
    ("POST", "/api/cadastre/applications/{jurisdiction}/{number}/decisions"): {"action": "accept"},
    ("POST", "/api/users"): {"username": "new.user", "password": PASSWORD, "role": "officer"},
}


def _same_tables(site, titles_before: int) -> None:
    with site.uow() as uow:  # nothing was dropped or rewritten by a string
        assert uow.cadastre.count_titles() == titles_before


def test_injection_strings_in_every_text_field_of_every_write_route(site):
    spec = site.spec()
    values = _path_values(site)
    with site.uow() as uow:
        titles = uow.cadastre.count_titles()
    swept = 0
    for method, template, op in operations(spec, WRITE_METHODS):
        schema = body_schema(spec, op)
        base = KNOWN_GOOD.get((method, template)) or (example(spec, schema) if schema else None)
        fields = text_fields(spec, schema) if schema else []
        params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        for payload in PAYLOADS:
            for path in fields:
                body = put(base, path, payload, spec, schema)
                r = site.client.request(method, fill(template, values), json=body, headers=site.bearer["root"])
                assert r.status_code < 500, (method, template, path, payload, r.text)
                data = r.json() if r.content else None  # the JSON stays intact whatever the string
                if r.status_code < 300 and payload in json.dumps(body) and data and payload in r.text:
                    assert payload in set(strings_in(data)), (method, template, path)
                swept += 1
            for name in params:
                url = fill(template, values | {name: quote(payload, safe="")})
                r = site.client.request(method, url, json=base, headers=site.bearer["root"])
                assert r.status_code < 500 and r.status_code != 200, (method, template, name, payload, r.text)
                swept += 1
    _same_tables(site, titles)
    assert swept > 40


def test_injection_strings_in_every_filter_and_path_parameter(site):
    """Every string parameter of every GET operation and web page: no 5xx, JSON intact, and HTML
    pages show the string escaped, never as markup."""
    spec = site.spec()
    values = _path_values(site)
    officer, _ = site.cookie_client("officer.one")
    checked = 0
    for _, template, op in operations(spec, ("get",)):
        for p in op.get("parameters", []):
            schema = p.get("schema", {})
            if schema.get("type") not in (None, "string") and "anyOf" not in schema:
                continue
            for payload in PAYLOADS:
                if p["in"] == "path":
                    url, params = fill(template, values | {p["name"]: quote(payload, safe="")}), None
                else:
                    url, params = fill(template, values), {p["name"]: payload}
                r = site.client.get(url, params=params, headers=site.bearer["root"])
                assert r.status_code < 500, (template, p["name"], payload, r.text)
                if "html" in r.headers.get("content-type", ""):
                    assert not any(tag in r.text for tag in RAW_TAGS), (template, p["name"])
                elif r.content:
                    r.json()
                checked += 1
    for route in web_routes(site.app, "GET"):
        query = [q.name for q in route.route.dependant.query_params]
        path = [q.name for q in route.route.dependant.path_params]
        for payload in PAYLOADS:
            urls = [(fill(route.path, values), {name: payload}) for name in query]
            urls += [(fill(route.path, values | {name: quote(payload, safe="")}), None) for name in path]
            for url, params in urls:
                r = officer.get(url, params=params, follow_redirects=False)
                assert r.status_code < 500, (route.path, url, params, r.text)
                assert not any(tag in r.text for tag in RAW_TAGS), (route.path, url, params)
                checked += 1
    assert checked > 100


def _days_pass(site, number: int) -> None:
    """Stand-in for the passing of days: the application's receipt moves two days back."""
    from datetime import timedelta

    from sqlalchemy import update

    from maadan.store import tables as t

    with site.uow(True) as uow:
        app = uow.cadastre.application("PK-BA", number)
        uow.session.execute(update(t.application).where(t.application.c.id == app.id)
                            .values(received_at=app.received_at - timedelta(days=2)))
        uow.commit()


def test_script_strings_are_stored_verbatim_and_escaped_on_every_page(site):
    name, reason = SCRIPTS[0] + " Mining", SCRIPTS[1] + " '; DROP TABLE titles; --"
    filed = site.client.post("/api/cadastre/applications", headers=site.bearer["applicant.a"], json={
        "title_type": "EL", "minerals": ["copper"], "area": {"geojson": square(66.7, 28.2)},
        "holders": [{"name": name, "share_pct": 100, "country": "PK", "beneficial_owners": [SCRIPTS[1]]}]})
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    assert filed.json()["holders"][0]["name"] == name
    _days_pass(site, number)  # rule 10: nothing is offered on its day of receipt
    for action in ("accept", "review", "offer"):
        r = site.client.post(f"/api/cadastre/applications/PK-BA/{number}/decisions", headers=site.bearer["officer.one"],
                             json={"action": action, "reason": reason})
        assert r.status_code == 200, r.text
    one = site.client.get(f"/api/cadastre/applications/PK-BA/{number}", headers=site.bearer["officer.one"]).json()
    assert one["holders"][0]["name"] == name and one["holders"][0]["beneficial_owners"] == [SCRIPTS[1]]
    events = site.client.get("/api/audit/events", params={"subject": f"PK-BA/A{number}"},
                             headers=site.bearer["officer.one"]).json()["items"]
    assert [e["reason"] for e in events if e["kind"] == "application.review"] == [reason]

    officer, _ = site.cookie_client("officer.one")
    queue = officer.get("/cadastre/queue")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mining" in queue.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in queue.text
    grant = {"action": "grant", "reason": reason}
    r = site.client.post(f"/api/cadastre/applications/PK-BA/{number}/decisions", headers=site.bearer["officer.one"],
                         json=grant)
    assert r.status_code == 409 and "is a proposed organisation" in r.json()["message"]  # not in the directory
    proposals = officer.get("/cadastre/accounts").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mining" in proposals and not any(t in proposals for t in RAW_TAGS)
    from maadan.organisations.model import slug
    from maadan.portal import service as portal
    from maadan.store.uow import UnitOfWork

    portal.decide_proposal(UnitOfWork(site.engine, write=True), slug(name), "user:officer.one")
    r = site.client.post(f"/api/cadastre/applications/PK-BA/{number}/decisions", headers=site.bearer["officer.one"],
                         json=grant)
    assert r.status_code == 200 and r.json()["title"], r.text
    title = r.json()["title"]
    assert site.client.get(f"/api/cadastre/titles/{title}").json()["holders"][0]["name"] == name
    ogc = site.client.get("/ogc/collections/titles/items", params={"f": "json", "limit": 1000}).json()
    assert name in set(strings_in(ogc))

    pages = [fill(r.path, {}) for r in web_routes(site.app, "GET") if "{" not in r.path]
    pages += [f"/cadastre/titles/{title}", "/cadastre/queue?done=" + quote(f"PK-BA/A{number}")]
    for page in pages:
        html = officer.get(page)
        assert html.status_code < 500, page
        assert not any(tag in html.text for tag in RAW_TAGS), page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mining" in officer.get(f"/cadastre/titles/{title}").text


# --- one organisation's applications and titles are not another's -------------------------------

# Every cadastre route, API and web, with who may use it for another organisation's application or
# title: "public" (anyone, e.g. the public register), "officer" (officers and admins only: an
# applicant gets 403), "own" (an applicant only for its own organisation's: 403 otherwise),
# "listing" (an applicant sees only its own organisation's items), "visible" (another organisation's
# application as the public sees it while pending, else 404 exactly as for a missing one).
CADASTRE_ROUTES = {
    ("GET", "/api/cadastre/jurisdictions"): "public",
    ("POST", "/api/cadastre/check"): "public",
    ("POST", "/api/cadastre/applications"): "own",
    ("GET", "/api/cadastre/applications"): "listing",
    ("GET", "/api/cadastre/applications/{jurisdiction}/{number}"): "visible",
    ("POST", "/api/cadastre/applications/{jurisdiction}/{number}/decisions"): "own",
    ("GET", "/api/cadastre/titles"): "public",
    ("GET", "/api/cadastre/titles/{number}"): "public",
    ("POST", "/api/cadastre/title-actions"): "officer",
    ("POST", "/api/cadastre/payments"): "officer",
    ("GET", "/api/cadastre/due"): "officer",
    ("GET", "/api/cadastre/available-ground"): "public",
    ("GET", "/api/cadastre/rules"): "public",
    ("GET", "/api/cadastre/rules/{jurisdiction}"): "public",
    ("GET", "/api/cadastre/rules/{jurisdiction}/diff"): "public",
    ("GET", "/api/audit/verify"): "public",
    ("GET", "/api/audit/events"): "officer",
    ("GET", "/cadastre"): "public",
    ("GET", "/cadastre/titles/{number}"): "public",
    ("GET", "/cadastre/rules"): "public",
    ("GET", "/cadastre/rules/{jurisdiction}"): "public",
    ("GET", "/cadastre/apply"): "own",
    ("POST", "/cadastre/upload-area"): "own",
    ("GET", "/cadastre/queue"): "officer",
    ("POST", "/cadastre/queue/{jurisdiction}/{number}"): "officer",
    ("GET", "/api/cadastre/competitions"): "public",
    ("GET", "/api/cadastre/competitions/{jurisdiction}/{number}"): "public",
    ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/decision"): "officer",
    ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/bids"): "own",
    ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/remainder"): "own",
    ("GET", "/api/cadastre/notices"): "listing",
    ("POST", "/api/cadastre/notices/{notice_id}/read"): "own-hidden",  # 404, so other notices' ids stay unknown
    ("GET", "/cadastre/competitions"): "officer",
    ("POST", "/cadastre/competitions/{jurisdiction}/{number}"): "officer",
    ("POST", "/cadastre/competitions/{jurisdiction}/{number}/remainder"): "own",
    ("GET", "/cadastre/notices"): "listing",
    ("POST", "/cadastre/notices/{notice_id}/read"): "own-hidden",
    # the portal and the workbench (tested in tests/integration/web/test_portal_pages.py, test_workbench_pages.py)
    ("GET", "/cadastre/applications/{jurisdiction}/{number}"): "visible",
    ("POST", "/cadastre/applications/{jurisdiction}/{number}/move"): "own",
    ("GET", "/cadastre/mine"): "own",
    ("POST", "/cadastre/coordinates"): "own",
    ("GET", "/cadastre/due"): "officer",
    ("POST", "/cadastre/due/payments"): "officer",
    ("POST", "/cadastre/due/rent-run"): "officer",
    ("POST", "/cadastre/due/reminders"): "officer",
    ("POST", "/cadastre/title-action"): "officer",
    ("POST", "/cadastre/default-notice"): "officer",
    ("GET", "/cadastre/accounts"): "officer",
    ("POST", "/cadastre/accounts/{username}"): "officer",
    ("POST", "/cadastre/proposals/{proposal_id}"): "officer",
}
CADASTRE_PREFIXES = ("/api/cadastre", "/api/audit", "/cadastre")


def test_every_cadastre_route_is_in_the_authorisation_table(site):
    routes = {(m, r.path) for r in app_routes(site.app) if r.path.startswith(CADASTRE_PREFIXES)
              for m in r.methods if m != "HEAD"}
    missing = sorted(routes - CADASTRE_ROUTES.keys())
    assert missing == [], f"add these cadastre routes to CADASTRE_ROUTES (who may use them) and test them: {missing}"
    assert sorted(CADASTRE_ROUTES.keys() - routes) == [], "CADASTRE_ROUTES names routes that no longer exist"


def test_an_applicant_cannot_read_or_change_another_organisations_application(site):
    theirs = site.file(ORG_A)
    mine = site.file(ORG_B, "Acme Mining", square(66.8, 28.4))
    b = site.bearer["applicant.b"]
    with site.uow() as uow:
        invoice = uow.cadastre.invoices()[0]
        title = uow.cadastre.titles(limit=1)[0]
    before = fingerprint(site.engine)
    requests = {  # route -> the request an applicant of ORG_B makes against ORG_A's item
        ("POST", "/api/cadastre/applications/{jurisdiction}/{number}/decisions"):
            ("POST", f"/api/cadastre/applications/PK-BA/{theirs.number}/decisions", {"action": "withdraw"}),
        ("POST", "/api/cadastre/title-actions"):
            ("POST", "/api/cadastre/title-actions", {"number": title.number, "action": "surrender", "reason": "x"}),
        ("POST", "/api/cadastre/payments"):
            ("POST", "/api/cadastre/payments", {"invoice_id": invoice.id, "amount": 1, "reference": "x"}),
        ("GET", "/api/cadastre/due"): ("GET", "/api/cadastre/due", None),
        ("GET", "/api/audit/events"): ("GET", "/api/audit/events", None),
        ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/decision"):
            ("POST", "/api/cadastre/competitions/PK-BA/1/decision", {"winner": theirs.number, "reason": "x"}),
        ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/bids"):
            ("POST", "/api/cadastre/competitions/PK-BA/1/bids", {"application": theirs.number, "amount": 1}),
        ("POST", "/api/cadastre/competitions/{jurisdiction}/{number}/remainder"):
            ("POST", "/api/cadastre/competitions/PK-BA/1/remainder", {"application": theirs.number, "answer": "decline"}),
    }
    refused = [k for k, rule in CADASTRE_ROUTES.items() if rule in ("own", "officer") and k[0] in ("GET", "POST")
               and k[1].startswith("/api")]
    for key in refused:
        if key == ("POST", "/api/cadastre/applications"):
            continue  # filing: always for one's own organisation, tested below
        method, url, body = requests[key]
        r = site.client.request(method, url, json=body, headers=b)
        assert r.status_code == 403 and r.json()["error"] == "forbidden", (key, r.text)
    # a decision on another organisation's application, even one only an officer may take
    r = site.client.post(f"/api/cadastre/applications/PK-BA/{theirs.number}/decisions", json={"action": "grant"},
                         headers=b)
    assert r.status_code == 403
    # the web: the officers' queue form
    web, csrf = site.cookie_client("applicant.b")
    before = fingerprint(site.engine)
    r = web.post(f"/cadastre/queue/PK-BA/{theirs.number}", data={"action": "withdraw", "csrf_token": csrf})
    assert r.status_code == 403
    assert changed(before, fingerprint(site.engine)) == []

    # another organisation's pending application: what the public sees of it, no more
    r = site.client.get(f"/api/cadastre/applications/PK-BA/{theirs.number}", headers=b)
    public = site.client.get(f"/api/cadastre/applications/PK-BA/{theirs.number}")
    assert r.status_code == public.status_code == 200 and r.json() == public.json()
    assert "holders" not in r.json() and "applicant_org" not in r.json() and "fee" not in r.json()
    # once it is no longer public (withdrawn), it does not exist for them: 404 as for a missing one
    a = site.bearer["applicant.a"]
    assert site.client.post(f"/api/cadastre/applications/PK-BA/{theirs.number}/decisions",
                            json={"action": "withdraw"}, headers=a).status_code == 200
    before = fingerprint(site.engine)
    missing = site.client.get("/api/cadastre/applications/PK-BA/999999", headers=b)
    for method, url, body in (("GET", f"/api/cadastre/applications/PK-BA/{theirs.number}", None),
                              ("POST", f"/api/cadastre/applications/PK-BA/{theirs.number}/decisions",
                               {"action": "withdraw"})):
        r = site.client.request(method, url, json=body, headers=b)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (method, r.text)
        assert set(r.json()) == set(missing.json()) and r.json()["details"]["kind"] == "application"
        assert site.client.request(method, url, json=body).status_code in (401, 404)  # the public
    assert site.client.get(f"/api/cadastre/applications/PK-BA/{theirs.number}", headers=a).status_code == 200
    assert changed(before, fingerprint(site.engine)) == []

    listing = site.client.get("/api/cadastre/applications", headers=b).json()["items"]
    assert [a["number"] for a in listing] == [mine.number]
    assert site.client.get(f"/api/cadastre/applications/PK-BA/{mine.number}", headers=b).status_code == 200
    filed = site.client.post("/api/cadastre/applications", headers=b, json={
        "title_type": "EL", "minerals": ["copper"], "area": {"geojson": square(67.0, 28.6)},
        "holders": [{"name": "Acme Mining", "share_pct": 100, "country": "PK"}]})
    assert filed.status_code == 201 and filed.json()["applicant_org"] == ORG_B
    r = site.client.post(f"/api/cadastre/applications/PK-BA/{mine.number}/decisions", json={"action": "withdraw"},
                         headers=b)
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"


# --- CSRF, expired tokens, repeated wrong passwords ----------------------------------------------

CSRF_EXEMPT = {  # writes a cookie cannot be abused for, with the reason
    ("POST", "/api/auth/token"): "takes a username and password, sets no cookie",
    ("POST", "/api/cadastre/check"): "changes nothing; answers only to the caller",
}


def test_every_cookie_authenticated_write_needs_the_csrf_token(site):
    values = _path_values(site)
    client, csrf = site.cookie_client("root")
    routes = {(m, r.path): r.route for r in app_routes(site.app) for m in r.methods}
    writes = [(m, p) for m, p, _ in operations(site.spec(), WRITE_METHODS)]
    writes += [(m, r.path) for m in ("POST", "PUT", "PATCH", "DELETE") for r in web_routes(site.app, m)]
    assert ("POST", "/cadastre/queue/{jurisdiction}/{number}") in writes and ("POST", "/logout") in writes
    before = fingerprint(site.engine)
    for method, template in writes:
        if (method, template) in CSRF_EXEMPT or template == "/login":
            continue
        url = fill(template, values)
        kinds = accepted(routes[(method, template)]) or ()
        forged = csrf[:-2] + ("xx" if not csrf.endswith("xx") else "yy")
        if "application/json" in kinds or not kinds:
            attempts = [client.request(method, url, json={}),
                        client.request(method, url, json={}, headers={"X-CSRF-Token": forged})]
        else:
            attempts = [client.request(method, url, data={"x": "1"}),
                        client.request(method, url, data={"csrf_token": forged}),
                        client.request(method, url, data={"csrf_token": ""})]
        for r in attempts:
            assert r.status_code == 403, (method, template, r.status_code, r.text[:200])
            assert "CSRF" in r.text or "csrf" in r.text.lower()
    assert changed(before, fingerprint(site.engine)) == []
    assert client.get("/api/auth/me").json()["username"] == "root"  # the session still stands


def test_the_login_form_needs_its_csrf_token(site):
    from tests.integration.web.conftest import login_form

    anon = TestClient(site.app)
    before = fingerprint(site.engine)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": login_form(TestClient(site.app))["csrf_token"]}):
        r = anon.post("/login", data={"username": "officer.one", "password": PASSWORD, **data}, follow_redirects=False)
        assert r.status_code == 403 and "sign in again" in r.text and "maadan_session" not in r.headers.get(
            "set-cookie", "")
    assert changed(before, fingerprint(site.engine)) == []
    r = anon.post("/login", data=login_form(anon, username="officer.one", password=PASSWORD), follow_redirects=False)
    assert r.status_code == 303 and "maadan_session=" in r.headers["set-cookie"]


def test_an_expired_token_or_session_is_401_or_anonymous(site):
    now = datetime.now(timezone.utc)
    bearer = site.bearer["officer.one"]
    assert site.client.get("/api/auth/me", headers=bearer).status_code == 200
    site.app.state.clock = lambda: now + timedelta(hours=13)
    try:
        r = site.client.get("/api/auth/me", headers=bearer)
        assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        before = fingerprint(site.engine)
        r = site.client.post("/api/cadastre/payments", json={"invoice_id": 1, "amount": 5, "reference": "x"},
                             headers=bearer)
        assert r.status_code == 401
        assert changed(before, fingerprint(site.engine)) == []
        web, csrf = site.cookie_client("officer.one")
        site.app.state.clock = lambda: now + timedelta(days=30)
        assert web.get("/cadastre/queue", follow_redirects=False).status_code == 303  # to sign in
    finally:
        site.app.state.clock = None


@pytest.mark.parametrize("door", ["api", "web"])
def test_repeated_wrong_passwords_are_429_until_the_window_passes(site, door):
    from tests.integration.web.conftest import login_form

    t = [datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)]
    site.app.state.clock = lambda: t[0]

    def sign_in(password: str) -> int:
        if door == "api":
            return site.client.post("/api/auth/token", json={"username": "officer.one", "password": password}).status_code
        return site.client.post("/login", data=login_form(site.client, username="officer.one", password=password),
                                follow_redirects=False).status_code
    try:
        before = fingerprint(site.engine)
        for i in range(MAX_FAILURES):
            t[0] += timedelta(seconds=10)
            assert sign_in("wrong password " + str(i)) == 401
        t[0] += timedelta(seconds=10)
        assert sign_in("wrong again") == 429
        assert sign_in(PASSWORD) == 429  # the right password does not get through either
        assert changed(before, fingerprint(site.engine)) == []  # no token, no session
        t[0] += WINDOW + timedelta(seconds=1)
        assert sign_in(PASSWORD) == (200 if door == "api" else 303)
    finally:
        site.app.state.clock = None


def test_the_client_address_comes_from_a_proxy_only_when_it_is_trusted(site):

    from starlette.requests import Request

    from maadan.http.security import client_address
    from maadan.config import load_settings

    def address(trusted: str, forwarded: str | None) -> str | None:
        settings = load_settings({"MAADAN_DATABASE_URL": "sqlite://", "MAADAN_TRUSTED_PROXIES": trusted})
        app = type("App", (), {"state": type("State", (), {"settings": settings})()})()
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return client_address(Request({"type": "http", "client": ("10.0.0.1", 5000), "headers": headers, "app": app}))

    assert address("", "203.0.113.5") == "10.0.0.1"  # nobody trusted: the header is ignored
    assert address("10.0.0.9", "203.0.113.5") == "10.0.0.1"  # the peer is not the trusted proxy
    assert address("10.0.0.1", "203.0.113.5") == "203.0.113.5"
    assert address("10.0.0.1", "198.51.100.7, 203.0.113.5") == "203.0.113.5"  # the nearest hop, not the first
    assert address("10.0.0.1, 10.0.0.2", "203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert address("10.0.0.1", None) == "10.0.0.1"
    with pytest.raises(Exception, match="not an IP address"):
        load_settings({"MAADAN_TRUSTED_PROXIES": "proxy.example"})


def test_a_nul_character_in_any_text_is_422_on_every_backend_and_changes_nothing(site):
    """PostgreSQL cannot store U+0000 in text and SQLite can: both refuse it before it reaches the store."""
    before = fingerprint(site.engine)
    officer = site.bearer["officer.one"]
    answers = [
        site.client.post("/api/auth/token", json={"username": "j\x00x", "password": PASSWORD}),
        site.client.post("/api/auth/token", data={"username": "j\x00x", "password": PASSWORD}),
        site.client.get("/api/minerals", params={"q": "cop\x00per"}),
        site.client.get("/api/agreements/a%00b"),
        site.client.post("/api/agreements", headers=officer,
                         json={"title": "NUL\x00", "kind": "mou", "sources": [{"publisher": "x"}]}),
    ]
    for r in answers:
        assert r.status_code == 422 and r.json()["error"] == "invalid_input", (r.request.url, r.text)
        assert "NUL character" in r.json()["message"]
    assert changed(before, fingerprint(site.engine)) == []
    # the same sign-in without the NUL works (multipart uploads are files and are not looked at)
    ok = site.client.post("/api/auth/token", json={"username": "officer.one", "password": PASSWORD})
    assert ok.status_code == 200


def test_a_nul_the_middleware_cannot_see_is_still_a_422_not_a_500(site):
    """Multipart form fields pass the middleware untouched (they may be files); on PostgreSQL the store
    refuses the NUL and the app answers 422, not 500. A probe route stands in for any such form."""
    from fastapi import Form
    from sqlalchemy import text

    def probe(name: str = Form(...)) -> dict:
        with site.engine.connect() as conn:
            return {"n": conn.execute(text("SELECT length(:v)"), {"v": name}).scalar_one()}

    site.app.add_api_route("/test-only/nul-probe", probe, methods=["POST"])
    ok = site.client.post("/test-only/nul-probe", files={"name": (None, "ab")})
    assert ok.status_code == 200 and ok.json() == {"n": 2}
    r = site.client.post("/test-only/nul-probe", files={"name": (None, "a\x00b")})
    if site.engine.dialect.name == "postgresql":
        assert r.status_code == 422 and "NUL character" in r.json()["message"]
    else:
        assert r.status_code == 200  # SQLite stores NUL; the middleware is what refuses it in JSON and forms
