"""The applicant's and the officer's journeys end to end in Chromium: registering as an applicant of
an organisation, the officer confirming it, filing from a coordinate table with the organisation
pre-filled (the form replaced by its receipt, one filing however often it is sent), following the
application on its own page, the officer deciding there with a confirmation that warns of the
unpaid fee, the decision in the applicant's inbox and e-mail outbox, and the new pages' accessibility.
Screenshots are kept in tests/browser/artifacts."""

from __future__ import annotations

import re
import shutil
from typing import Iterator

import pytest

from tests.conftest import BACKENDS, Database, run_maadan, serve

from .conftest import APPLICANT, OFFICER, PASSWORD, Site
from .test_accessibility import AUDIT

pytestmark = pytest.mark.slow

TABLE = "latitude, longitude\n28.000, 66.500\n28.000, 66.550\n28.050, 66.550\n28.050, 66.500\n"


@pytest.fixture(scope="module")
def postgres_template(site_database, tmp_path_factory) -> Iterator[Database]:
    """The browser site's database on PostgreSQL: bundled data, the 50-title demo cadastre, two users."""
    if "postgresql" not in BACKENDS:
        yield None
        return
    from maadan.auth.service import create_user
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    db = Database("postgresql", tmp_path_factory.mktemp("browser-pg"))
    run_maadan(db.url, ["db", "init"], ["demo", "cadastre", "--titles", "50", "--seed", "1"])
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    create_user(UnitOfWork(engine, write=True), APPLICANT[0], PASSWORD, "applicant", APPLICANT[1])
    create_user(UnitOfWork(engine, write=True), OFFICER, PASSWORD, "officer")
    engine.dispose()
    yield db
    db.close()


@pytest.fixture(params=BACKENDS)
def journey_site(request, site_database, postgres_template, tmp_path) -> Iterator[Site]:
    """A site of its own on each backend: SQLite, a copy of the browser suite's file; PostgreSQL, a
    copy of the same data made from a template database."""
    from maadan.config import load_settings
    from maadan.http.app import create_app

    if request.param == "sqlite":
        path = tmp_path / "maadan.sqlite"
        shutil.copyfile(site_database, path)
        url, db = f"sqlite:///{path}", None
    else:
        db = Database("postgresql", tmp_path, template=postgres_template)
        url = db.url
    app = create_app(load_settings({"MAADAN_DATABASE_URL": url}))
    try:
        with serve(app) as base:
            yield Site(base, app.state.engine, app)
    finally:
        app.state.engine.dispose()
        if db is not None:
            db.close()


def audit(v) -> list[str]:
    v.idle()
    return [f"{v.page.url}: {p}" for p in v.page.evaluate(AUDIT)]


def test_applicant_and_officer_journeys(visitor, journey_site, request):
    own_site = journey_site
    backend = request.node.callspec.params["journey_site"]
    problems: list[str] = []
    # --- the applicant registers ----------------------------------------------------------------
    a = visitor(f"portal-{backend}-applicant", on=own_site)
    a.page.goto("/login")
    a.page.get_by_role("link", name="Register as an applicant").click()
    a.page.get_by_label("Username").fill("ussm.filer")
    a.page.get_by_label("E-mail address").fill("filer@ussm.example")
    a.page.get_by_label("Password (at least 15 characters)").fill(PASSWORD)
    a.page.get_by_label("Password again").fill("not the same passphrase")
    a.page.get_by_label("Your organisation").select_option(label="US Strategic Metals")
    a.page.get_by_role("button", name="Register").click()
    a.page.get_by_role("alert").get_by_text("the two passwords differ").wait_for()
    a.page.get_by_label("Password (at least 15 characters)").fill(PASSWORD)
    a.page.get_by_label("Password again").fill(PASSWORD)
    a.page.get_by_role("button", name="Register").click()
    a.page.locator("#registered").wait_for()
    a.shot("1-registered")
    a.login("ussm.filer")
    a.page.goto("/cadastre/apply")
    assert "waiting for an officer's confirmation" in a.page.locator("#apply-blocked").inner_text()
    problems += audit(a)

    # --- the officer confirms the organisation ---------------------------------------------------
    o = visitor(f"portal-{backend}-officer", on=own_site)
    asked: list[str] = []
    o.page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    o.login(OFFICER)
    o.page.get_by_role("link", name="Applicants").click()
    row = o.page.locator("#account-ussm\\.filer")
    assert "US Strategic Metals" not in row.inner_text() or "ussm" in row.inner_text()
    row.locator('button[data-action="confirm"]').click()
    o.page.locator("#accounts-done").wait_for()
    assert asked and "ussm.filer" in asked[-1]
    o.shot("1-confirmed")

    # --- the applicant files from a coordinate table -------------------------------------------------
    a.page.goto("/cadastre/apply")
    assert a.page.locator("#apply-blocked").count() == 0
    first = a.page.locator("#holder-rows fieldset.holder").first
    assert first.locator('[name="name"]').input_value() == "US Strategic Metals"  # pre-filled
    assert "In the organisations directory" in first.locator(".holder-status").inner_text()
    a.page.get_by_label("Minerals").fill("copper")
    a.page.locator("#coordinate-table summary").click()
    a.page.get_by_label("Vertices, one a row, in order").fill("28.000, 66.500\n28.000, abc\n28.050, 66.550\n")
    a.page.get_by_role("button", name="Preview on the map").click()
    a.page.locator("#coord-result.error").get_by_text("row 2, column 2 (longitude)").wait_for()
    a.page.get_by_label("Vertices, one a row, in order").fill(TABLE)
    a.page.get_by_role("button", name="Preview on the map").click()
    a.page.locator("#coord-result.ok").get_by_text("4 vertices").wait_for()
    a.page.locator("#check-area").wait_for()
    a.shot("2-coordinates")
    button = a.page.get_by_role("button", name="Submit the application")
    button.click()
    receipt = a.page.locator("#receipt")
    receipt.wait_for(state="visible")
    assert a.page.locator("#apply-form").is_hidden()  # replaced by the receipt
    ref = receipt.locator('[data-field="number"]').inner_text()
    assert re.fullmatch(r"PK-BA/A\d+", ref)
    assert re.search(r"\d,\d{3}", receipt.locator('[data-field="fee"]').inner_text())  # thousands separators
    # the same form sent again (a retry, a double click) files nothing new: the same receipt comes back
    replay = a.page.evaluate("""async () => {
      const cfg = JSON.parse(document.getElementById('apply-config').textContent);
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const r = await fetch('/api/cadastre/applications', {method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': csrf,
                  'Idempotency-Key': cfg.idempotency_key},
        body: JSON.stringify({jurisdiction: 'PK-BA', title_type: document.getElementById('title_type').value,
          minerals: ['copper'], holders: [{name: 'US Strategic Metals', share_pct: 100, organisation_id: 'ussm'}],
          area: {geojson: JSON.parse(document.getElementById('area-geojson').value)}})});
      return {status: r.status, replayed: r.headers.get('Idempotent-Replayed'), body: await r.json()};
    }""")
    assert replay["status"] in (201, 409) and (replay["replayed"] == "true" or replay["status"] == 409)
    a.shot("3-receipt")
    a.page.locator("#receipt-link").click()
    a.page.locator("#timeline").get_by_text("received").first.wait_for()
    assert a.page.locator("#app-fee").get_by_text("outstanding").count() == 1
    a.page.locator("#application-map[data-ready='1']").wait_for()
    problems += audit(a)
    a.shot("4-application")
    a.page.goto("/cadastre/mine")
    assert ref in a.page.locator("#my-applications").inner_text()
    assert a.page.locator("#my-applications tbody tr").count() == 1  # filed once

    # --- the officer decides on the application page ------------------------------------------------
    number = ref.rsplit("A", 1)[1]
    o.page.goto(f"/cadastre/applications/PK-BA/{number}")
    o.page.locator("#application-map[data-ready='1']").wait_for()
    problems += audit(o)
    o.page.locator('button[data-action="accept"]').click()
    confirm = o.page.locator("#confirm-move")
    confirm.wait_for()
    assert "application fee is unpaid" in o.page.locator("#confirm-warnings").inner_text()
    o.shot("2-confirm-accept")
    o.page.locator("#confirm-button").click()
    o.page.locator("#move-done").wait_for()
    assert o.page.locator("#app-state").inner_text() == "accepted"
    o.shot("3-accepted")
    o.page.goto("/cadastre/queue?state=accepted")
    assert o.page.locator(f"#A-PK-BA-{number}").count() == 1
    o.page.goto("/cadastre/due?kind=fee")
    assert ref in o.page.locator("#due-items").inner_text()
    problems += audit(o)
    o.shot("4-due")

    # --- the applicant is told ----------------------------------------------------------------------
    a.page.goto("/cadastre/notices")
    assert "was accepted" in a.page.locator("main").inner_text()
    a.shot("5-inbox")
    with own_site.uow() as u:
        mails = u.portal.mails()
    assert any(m.address == "filer@ussm.example" and ref in m.subject for m in mails)
    assert problems == []
    expected = re.compile(r"Failed to load resource: the server responded with a status of (409|422)")  # the bad table, the replay
    assert [e for e in a.errors if not expected.match(e)] == [] and o.errors == []
