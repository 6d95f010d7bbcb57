"""The Content-Security-Policy in a real browser (issue 15): every web page, for the public, an
applicant and an officer, the API docs and a report document load under the policy with no
violation reported (the page's `securitypolicyviolation` events and Chromium's console), and the
headers are there. A page added later fails the coverage check until it is listed here."""

from __future__ import annotations

import pytest

from .conftest import APPLICANT, OFFICER

pytestmark = pytest.mark.slow

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                    (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


def _pages(site) -> dict[str, tuple[str, str]]:
    """Every GET page of the web app: path template -> (a URL for it, who may see it)."""
    from maadan.news.service import ingest_news

    with site.uow() as uow:
        title = uow.cadastre.titles(limit=1)[0].number
        agreement = sorted(uow.agreements.ids())[0]
    doc = ingest_news(site.uow(True), b"ISLAMABAD, 4 March 2026: Frontier Works Organisation signed a memorandum "
                      b"of understanding with Kestrel Graphite Company to explore graphite in Chagai.\n",
                      "csp.txt").document
    app = _application(site)
    return {
        "/": ("/", "public"), "/map": ("/map", "public"), "/minerals": ("/minerals", "public"),
        "/minerals/{name}": ("/minerals/lithium", "public"), "/projects": ("/projects", "public"),
        "/projects/{project_id}": ("/projects/reko-diq", "public"), "/cadastre": ("/cadastre", "public"),
        "/cadastre/titles/{number}": (f"/cadastre/titles/{title}", "public"), "/login": ("/login", "public"),
        "/agreements": ("/agreements", "public"), "/agreements/{agreement_id}": (f"/agreements/{agreement}", "public"),
        "/agreements/stale": ("/agreements/stale", "public"),
        "/cadastre/rules": ("/cadastre/rules", "public"),
        "/cadastre/rules/{jurisdiction}": ("/cadastre/rules/PK-BA?diff_from=2002-03-08&diff_to=2020-03-03", "public"),
        "/partners": ("/partners", "public"), "/organisations/{organisation_id}": ("/organisations/ussm", "public"),
        "/analytics": ("/analytics", "public"), "/analytics/criticality": ("/analytics/criticality", "public"),
        "/analytics/economics/{project}": ("/analytics/economics/reko-diq?paths=1000", "public"),
        "/analytics/screening": ("/analytics/screening", "public"),
        "/analytics/validation": ("/analytics/validation", "public"),
        "/analytics/whatif": ("/analytics/whatif?project=reko-diq", "public"),
        "/cadastre/competitions": ("/cadastre/competitions", "officer"),
        "/cadastre/notices": ("/cadastre/notices", "applicant"),
        "/cadastre/apply": ("/cadastre/apply", "applicant"), "/cadastre/queue": ("/cadastre/queue", "officer"),
        "/news": ("/news", "officer"), "/news/{document_id}": (f"/news/{doc.id}", "officer"),
        "/favicon.ico": ("/favicon.ico", "public"),
        "/register": ("/register", "public"), "/register/history": ("/register/history", "public"),
        "/register/documents": ("/register/documents", "public"),
        "/register/statistics": ("/register/statistics", "public"),
        "/login/register": ("/login/register", "public"), "/login/forgot": ("/login/forgot", "public"),
        "/login/reset": ("/login/reset?token=not-a-real-one", "public"),
        "/account": ("/account", "applicant"), "/cadastre/mine": ("/cadastre/mine", "applicant"),
        "/cadastre/accounts": ("/cadastre/accounts", "officer"), "/cadastre/due": ("/cadastre/due", "officer"),
        "/cadastre/applications/{jurisdiction}/{number}": (f"/cadastre/applications/PK-BA/{app.number}", "applicant"),
    }


# GET routes that answer files, not pages: downloads (CSV, GeoJSON, GeoPackage, the licence text) and the
# issued documents, whose HTML carries its own stricter policy (tests/integration/web/test_documents.py).
NOT_PAGES = {"/openapi-3.0.json", "/metrics", "/register/statistics.csv", "/register/downloads/{name}",
             "/register/downloads/LICENCE.txt", "/documents/{kind}/{key}"}


def _application(site):
    """One application of the applicant's organisation (its page draws a map)."""
    from maadan.cadastre import service as cadastre
    from maadan.cadastre.model import Holder

    square = {"type": "Polygon", "coordinates": [[[66.5, 28.0], [66.55, 28.0], [66.55, 28.05], [66.5, 28.05], [66.5, 28.0]]]}
    inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                    holders=(Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private"),),
                                    area=cadastre.AreaInput(geojson=square), applicant_org=APPLICANT[1])
    return cadastre.apply(site.uow(True), inp, actor="user:test").application


def test_every_page_loads_under_the_policy_with_no_violation(visitor, site):
    from tests.integration.api.security_site import web_routes

    pages = _pages(site)
    served = {r.path for r in web_routes(site.app, "GET")} - NOT_PAGES
    assert sorted(served - pages.keys()) == [], "list these pages in _pages so the CSP test visits them"

    people = {"public": visitor("csp-public"), "applicant": visitor("csp-applicant"), "officer": visitor("csp-officer")}
    people["applicant"].login(APPLICANT[0])
    people["officer"].login(OFFICER)
    for v in people.values():
        v.page.add_init_script(RECORD_VIOLATIONS)
    checked = 0
    for template, (url, who) in pages.items():
        for role in ("public", who) if who != "public" else ("public", "applicant", "officer"):
            v = people[role]
            response = v.page.goto(url)
            v.idle()
            if role != who and who != "public":
                continue  # the public is sent to sign in: that page is checked as /login
            headers = response.headers
            assert "default-src 'self'" in headers["content-security-policy"], url
            assert "frame-ancestors 'none'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"
            # the reset page carries a token in its address: it sends no referrer at all
            policy = "no-referrer" if template == "/login/reset" else "same-origin"
            assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == policy
            if template == "/map":
                v.page.wait_for_function("() => window.maadanView && window.maadanMap.loaded()"
                                         " && window.maadanView.drawn('titles') > 0")
            if template in ("/cadastre/apply", "/cadastre/applications/{jurisdiction}/{number}"):
                v.page.locator(".leaflet-container").first.wait_for()
            assert v.page.evaluate("() => window.__csp") == [], (role, url)
            checked += 1
    for v in people.values():
        assert [e for e in v.errors if "Content Security Policy" in e or "Refused to" in e] == [], v.name
        assert v.foreign_requests() == []
    assert checked >= len(pages)


def test_the_api_docs_and_a_report_document_run_under_their_policies(visitor):
    v = visitor("csp-docs")
    v.page.add_init_script(RECORD_VIOLATIONS)
    v.page.goto("/docs")
    v.page.locator(".swagger-ui .opblock").first.wait_for()
    v.page.locator(".swagger-ui .opblock-summary").first.click()  # expand an operation: more of the UI runs
    v.page.wait_for_timeout(300)
    assert v.page.evaluate("() => window.__csp") == []
    response = v.page.goto("/api/analytics/reports/mineral/copper.html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    v.page.locator("h1").wait_for()
    assert v.page.evaluate("() => window.__csp") == []
    assert v.page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("sans-serif")  # CSS applied
    assert [e for e in v.errors if "Content Security Policy" in e or "Refused to" in e] == []
    assert v.foreign_requests() == []

