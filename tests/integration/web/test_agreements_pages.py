"""The agreements, partners and organisation pages on the seeded database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from maadan.http.app import create_app
from maadan.config import load_settings


@pytest.fixture
def site(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app) as client:
        yield client


def test_agreements_page_lists_filters_and_shows_the_timeline(site):
    page = site.get("/agreements").text
    assert 'href="/agreements"' in page and "Timeline" in page and "September 2025" in page
    assert page.count('href="/agreements/202') == 36  # 18 in the table, 18 on the timeline
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
    assert "FPJ (some outlets)" in nlc
    missing = site.get("/agreements/2025-09-08-ussm-fwo")
    assert missing.status_code == 404 and 'href="/agreements/2025-09-08-ussm-fwo-mou"' in missing.text


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
