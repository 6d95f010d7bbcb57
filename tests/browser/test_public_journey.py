"""The public journey end to end in Chromium, on SQLite and PostgreSQL (issue 16 items 3, 5, 7, 8):
a journalist checks the register (what it proves, its last signed checkpoint), reads its history,
downloads the register and reads the files back (GeoPackage with pyogrio), fetches a title
certificate and checks the copy against the register, reads the statistics and a mineral page;
every new page passes the accessibility audit; every public page fits a 390 px phone.
Screenshots are kept in tests/browser/artifacts/ (git-ignored)."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pyogrio
import pytest
from pypdf import PdfReader

from tests.conftest import BACKENDS, Database, run_maadan, serve

from .conftest import ARTIFACTS, Network, Site, _requirements, idle, settle
from .test_accessibility import AUDIT, PUBLIC

pytestmark = pytest.mark.slow

NEW_PAGES = ["/register", "/register/history", "/register/statistics", "/register/documents", "/minerals/copper"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module", params=BACKENDS)
def public_site(request, tmp_path_factory) -> Iterator[tuple[Site, str]]:
    """A site on each backend with the demo cadastre, one granted title and a signed checkpoint."""
    _requirements()
    from maadan.cadastre import service as cadastre
    from maadan.cadastre.model import Holder
    from maadan.config import load_settings
    from maadan.http.app import create_app
    from maadan.store.uow import UnitOfWork

    folder = tmp_path_factory.mktemp(f"public-{request.param}")
    db = Database(request.param, folder)
    key = folder / "register-key.pem"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAADAN_REGISTER_KEY", str(key))
        run_maadan(db.url, ["db", "init"], ["demo", "cadastre", "--titles", "50", "--seed", "1"])
        app = create_app(load_settings({"MAADAN_DATABASE_URL": db.url}))

        def uow():
            return UnitOfWork(app.state.engine, write=True)

        square = [[66.5, 28.0], [66.55, 28.0], [66.55, 28.05], [66.5, 28.05], [66.5, 28.0]]
        inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                        holders=(Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private"),),
                                        area=cadastre.AreaInput(geojson={"type": "Polygon", "coordinates": [square]}),
                                        applicant_org="chagai-minerals")
        app_ = cadastre.apply(uow(), inp, "cli:test", now=datetime.now(timezone.utc) - timedelta(days=2)).application
        for action in ("accept", "review", "offer"):
            cadastre.decide(uow(), "PK-BA", app_.number, action, "cli:test")
        _, title = cadastre.decide(uow(), "PK-BA", app_.number, "grant", "cli:test")
        run_maadan(db.url, ["audit", "keygen"], ["audit", "checkpoint"])
    try:
        with serve(app) as url:
            yield Site(url, app.state.engine, app), title.number
    finally:
        app.state.engine.dispose()
        db.close()


@pytest.fixture
def chromium(browser):
    """The session's one Chromium (a second sync Playwright in the same thread is refused)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return browser


@contextlib.contextmanager
def person(chromium, site: Site, phone: bool = False):
    ctx = chromium.new_context(viewport=PHONE if phone else {"width": 1366, "height": 900}, base_url=site.url,
                               accept_downloads=True)
    ctx.set_default_timeout(20_000)
    Network.watch(ctx)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        yield page, errors
    finally:
        ctx.close()


def shot(page, name: str) -> None:
    settle(page)
    page.screenshot(path=str(ARTIFACTS / f"public-{name}.png"), full_page=True)


def test_a_journalist_checks_the_register_end_to_end(chromium, public_site, tmp_path, request):
    site, number = public_site
    backend = request.node.callspec.params.get("public_site", "sqlite")
    with person(chromium, site) as (page, errors):
        page.goto("/")
        page.get_by_role("link", name="Register", exact=True).click()
        page.wait_for_url(site.url + "/register")
        status = page.locator("#register-check")
        assert "Consistent." in status.inner_text()
        assert "Events covered" in page.content() and "verify_export" in page.content()
        shot(page, f"{backend}-register")
        # The history: public leaves, newest first.
        page.get_by_role("link", name="The register's history").click()
        assert page.locator("table.history tbody tr").count() > 0
        assert "application.grant" in page.content()
        shot(page, f"{backend}-history")
        # Downloads, read back.
        page.goto("/register#downloads")
        with page.expect_download() as dl:
            page.get_by_role("link", name="titles.gpkg").click()
        gpkg = tmp_path / "titles.gpkg"
        dl.value.save_as(gpkg)
        info = pyogrio.read_info(gpkg)
        assert info["features"] == 51 and "CC BY 4.0" in info["layer_metadata"]["LICENSE"]
        csv_text = page.request.get("/register/downloads/titles.csv").text()
        assert number in csv_text and "applied_on" in csv_text.splitlines()[0]
        # The certificate, from the title page; then the copy checked against the register.
        page.goto(f"/cadastre/titles/{number}")
        href = page.get_by_role("link", name="PDF").first.get_attribute("href")
        assert href == f"/documents/certificate/{number}.pdf"
        pdf = page.request.get(href).body()
        copy = tmp_path / "certificate.pdf"
        copy.write_bytes(pdf)
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert "Title certificate" in text and number in text
        page.goto("/register/documents")
        page.get_by_label("A copy of the document (PDF or HTML)").set_input_files(str(copy))
        page.get_by_role("button", name="Check the file").click()
        assert "Genuine." in page.locator("#check-result").inner_text()
        shot(page, f"{backend}-document-genuine")
        # Statistics with charts, and a mineral page.
        page.goto("/register/statistics")
        assert page.locator("svg").count() >= 2 and "Median days" in page.content()
        shot(page, f"{backend}-statistics")
        page.goto("/minerals/copper")
        assert "Copper in Pakistan" in page.content()
        assert errors == []


def test_new_pages_pass_the_audit_and_every_public_page_fits_a_phone(chromium, public_site, request):
    site, number = public_site
    backend = request.node.callspec.params.get("public_site", "sqlite")
    problems: list[str] = []
    with person(chromium, site, phone=True) as (page, errors):
        for path in [*PUBLIC, *NEW_PAGES, f"/cadastre/titles/{number}", "/agreements", "/analytics/criticality"]:
            page.goto(path)
            idle(page)
            if path in NEW_PAGES:
                problems += [f"{path}: {p}" for p in page.evaluate(AUDIT)]
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{path}: {width}px wide on a {PHONE['width']}px phone")
            if path in NEW_PAGES:
                shot(page, f"{backend}-phone-{path.strip('/').replace('/', '-')}")
        assert errors == []
    with person(chromium, site) as (page, errors):
        for path in NEW_PAGES:
            page.goto(path)
            problems += [f"{path} (laptop): {p}" for p in page.evaluate(AUDIT)]
    assert problems == []


def test_agreement_sources_are_links(chromium, public_site):
    site, _ = public_site
    with person(chromium, site) as (page, errors):
        page.goto("/agreements/2025-09-08-ussm-fwo-mou")
        links = page.locator("section.sources a[href^='http']")
        assert links.count() > 0


def test_unknown_address_is_an_html_page(chromium, public_site):
    site, _ = public_site
    with person(chromium, site, phone=True) as (page, errors):
        response = page.goto("/no/such/page")
        assert response.status == 404 and "text/html" in response.headers["content-type"]
        assert page.get_by_role("heading", name="Not found").is_visible()


def test_the_map_helps_find_ground(chromium, public_site, request):
    site, number = public_site
    backend = request.node.callspec.params.get("public_site", "sqlite")
    for phone in (False, True):
        with person(chromium, site, phone=phone) as (page, errors):
            page.goto("/map")
            idle(page)
            try:
                page.wait_for_function("() => window.maadanView && document.querySelectorAll('.border-label').length === 4")
            except Exception:
                raise AssertionError(f"no border labels; page errors: {errors}") from None
            assert page.locator(".maplibregl-ctrl-scale").first.is_visible()
            page.locator(".place-label", has_text=re.compile(r"^Karachi$")).wait_for()
            box = page.locator("#map").bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            assert "° N" in page.locator("#map-coords").inner_text()
            page.get_by_label("Find a title, application, deposit, mineral or place").fill("Quetta")
            page.get_by_role("button", name="Find").click()
            page.locator("#search-results li", has_text="Quetta (place)").first.wait_for()
            page.get_by_label("Find a title, application, deposit, mineral or place").fill("copper")
            page.get_by_role("button", name="Find").click()
            page.locator("#search-results a", has_text="Mineral: copper").wait_for()
            page.locator("#available-status", has_text="km²").wait_for()
            page.wait_for_function("() => (window.maadanMap.getSource('available-ground').serialize().data || {}).type === 'Feature'")
            shot(page, f"{backend}-{'phone' if phone else 'laptop'}-map-available-ground")
            assert errors == []


FINDING_GROUND_LAYERS = ["Jurisdiction boundaries", "Reserved areas", "Titles", "Pending applications",
                         "Deposits and projects (with location uncertainty)", "International border",
                         "Available ground", "Populated places (GeoNames)"]
SHOWN_PLACES = """() => [...document.querySelectorAll('.place-label')]
    .filter(e => !e.classList.contains('zoom-hidden') && !e.classList.contains('group-hidden')).length"""


def test_the_layer_switcher_toggles_every_finding_ground_layer_and_places_follow_the_zoom(chromium, public_site, request):
    """Issue 16 items 5-6: every layer of the finding-ground map is in the switcher and toggles (its
    style layers and its HTML labels); place names show by size as the map zooms in."""
    site, _ = public_site
    backend = request.node.callspec.params.get("public_site", "sqlite")
    with person(chromium, site) as (page, errors):
        page.goto("/map")
        page.locator(".place-label", has_text=re.compile(r"^Karachi$")).wait_for()
        page.wait_for_function("() => document.querySelectorAll('.border-label').length === 4")
        switcher = page.locator(".map-layers")
        for label in FINDING_GROUND_LAYERS:
            switcher.get_by_label(label, exact=True).wait_for()
        groups = page.evaluate("() => window.maadanView.groups")
        assert set(groups) == set(FINDING_GROUND_LAYERS)
        visibility = "(ls) => ls.map(l => window.maadanMap.getLayoutProperty(l, 'visibility') || 'visible')"
        for label, layers in groups.items():
            box = switcher.get_by_label(label, exact=True)
            box.uncheck()
            assert page.evaluate(visibility, layers) == ["none"] * len(layers), label
            box.check()
            assert page.evaluate(visibility, layers) == ["visible"] * len(layers), label
        page.evaluate("() => window.maadanMap.jumpTo({center: [67.0, 30.2], zoom: 4.6})")
        country = page.evaluate(SHOWN_PLACES)
        page.evaluate("() => window.maadanMap.jumpTo({center: [67.0, 30.2], zoom: 6.8})")
        region = page.evaluate(SHOWN_PLACES)
        page.evaluate("() => window.maadanMap.jumpTo({center: [67.0, 30.2], zoom: 8.5})")
        close = page.evaluate(SHOWN_PLACES)
        total = page.locator(".place-label").count()
        assert 0 < country < region < close == total, (country, region, close, total)
        shot(page, f"{backend}-laptop-map-place-names-zoom-8")
        switcher.get_by_label("Populated places (GeoNames)", exact=True).uncheck()
        assert page.evaluate(SHOWN_PLACES) == 0
        switcher.get_by_label("International border", exact=True).uncheck()
        assert page.locator(".border-label.group-hidden").count() == 4
        assert errors == []
