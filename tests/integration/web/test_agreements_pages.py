"""The agreements, partners and organisation pages on the seeded database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from maadan.http.app import create_app
from maadan.config import load_settings
from tests.conftest import bundled_agreement_ids

SEEDED = len(bundled_agreement_ids())


@pytest.fixture
def site(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app) as client:
        yield client


def test_agreements_page_lists_filters_and_shows_the_timeline(site):
    page = site.get("/agreements").text
    assert 'href="/agreements"' in page and "Timeline" in page and "September 2025" in page
    assert page.count('href="/agreements/202') == 2 * SEEDED  # each in the table and on the timeline
    antimony = site.get("/agreements", params={"mineral": "antimony"}).text
    assert "OGDCL–PMDC" in antimony and "Reko Diq" not in antimony
    r = site.get("/agreements", params={"mineral": "antimny"})
    assert r.status_code == 422 and "Did you mean: antimony" in r.text


def test_agreement_page_shows_readings_side_by_side_and_links(site):
    page = site.get("/agreements/2025-06-12-ifc-ida-reko-diq-loan").text
    assert "Where sources disagree" in page and page.count('class="reading"') == 2
    assert "USD 700 m" in page and 'href="/projects/reko-diq"' in page and 'href="/organisations/ifc"' in page
    page = site.get("/agreements/2025-04-08-pakistan-minerals-investment-forum").text
    assert "8 April 2025" in page
    nlc = site.get("/agreements/2025-09-08-nlc-mota-engil-logistics-mou").text
    assert "Free Press Journal" in nlc and "fpj.ourdemoservers.com" in nlc
    org = site.get("/organisations/mari-energies").text  # an organisation's claims, cited, and its corrections
    assert "Claims and their sources" in org and "brecorder.com/news/40347613" in org and "Corrections" in org
    mari = site.get("/agreements/2025-04-barrick-mari-energies-mou").text  # withdrawn: kept, with the reason
    assert 'class="withdrawn"' in mari and "Rio Tinto" in mari and "world-economist.com" in mari
    missing = site.get("/agreements/2025-09-08-ussm-fwo")
    assert missing.status_code == 404 and 'href="/agreements/2025-09-08-ussm-fwo-mou"' in missing.text


def test_agreement_page_shows_history_claims_with_sources_and_corrections(site):
    r = site.get("/agreements/2025-12-10-exim-reko-diq-loan-approved", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/agreements/2025-11-23-us-exim-reko-diq-loan"
    page = site.get("/agreements/2025-11-23-us-exim-reko-diq-loan").text
    assert "Status history" in page and "deferred" in page and "(as of 26 March 2026)" in page
    assert "Claims and their sources" in page and 'class="badge unsourced"' not in page
    assert 'href="https://www.dawn.com/news/1957007/us-exim-bank-pledges-125bn-loan-for-reko-diq"' in page
    assert "<h2 id=\"corrections\">Corrections</h2>" in page and "not a party to the loan" in page
    nlc = site.get("/agreements/2025-09-08-nlc-mota-engil-logistics-mou").text
    assert "Claims and their sources" in nlc


def test_curators_stale_page(site):
    page = site.get("/agreements/stale").text
    assert "Agreements to check again" in page and 'value="180"' in page
    page = site.get("/agreements/stale", params={"older_than": "36500"}).text
    assert "No agreement is stale at this age" in page or "undated" in page
    for bad in ("soon", "100000", "-1"):
        r = site.get("/agreements/stale", params={"older_than": bad})
        assert r.status_code == 422 and "is not a number of days" in r.text


def test_partners_page_and_match_form(site):
    page = site.get("/partners").text
    assert "Find partners" in page and "Directory" in page
    match = site.get("/partners", params={"for": "USSM", "match_mineral": "antimony", "match_region": "Balochistan"})
    assert match.status_code == 200
    assert match.text.index("Frontier Works Organisation") < match.text.index("Pakistan Mineral Development")
    assert "already party with US Strategic Metals" in match.text
    miss = site.get("/partners", params={"for": "US Strategic Metal"})
    assert miss.status_code == 422 and "Did you mean: ussm" in miss.text


def test_organisation_page_lists_agreements_and_partners(site):
    page = site.get("/organisations/fwo").text
    assert "Frontier Works Organisation" in page and 'href="/agreements/2025-09-08-ussm-fwo-mou"' in page
    assert 'href="/organisations/ussm"' in page and "Mineral titles" in page
    r = site.get("/organisations/FWO", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/organisations/fwo"
    assert site.get("/organisations/nobody").status_code == 404


def test_home_project_and_nav_link_agreements(site):
    home = site.get("/").text
    assert "Latest agreements" in home and 'href="/agreements/2026-02-barrick-reko-diq-board-review"' in home
    assert '<a href="/agreements"' in home and '<a href="/partners"' in home
    project = site.get("/projects/reko-diq").text
    assert 'href="/agreements/2025-08-22-adb-reko-diq-financing"' in project
