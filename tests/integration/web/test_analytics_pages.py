"""The analytics pages, server-side (the browser test covers screening and economics in Chromium)."""

from __future__ import annotations


def test_index_and_nav(read_web):
    page = read_web.client.get("/analytics").text
    assert '<a href="/analytics" aria-current="page">Analytics</a>' in page
    assert "/analytics/economics/reko-diq" in page and "/api/analytics/reports/screening/us-investor.pdf" in page


def test_criticality_page_has_the_risk_map_and_geopolrisk_reason(read_web):
    r = read_web.client.get("/analytics/criticality")
    assert r.status_code == 200
    assert r.text.count("<circle") == 52 and 'class="chart wide"' in r.text
    assert "GeoPolRisk (Gemechu" in r.text and "GOV_WGI_PV.EST" in r.text  # §1, §2e: computed, with its source
    assert "0.023 <span" in r.text  # copper's GeoPolRisk (0.022615)
    assert "/api/analytics/reports/mineral/gallium.pdf" in r.text


def test_validation_page(read_web):
    page = read_web.client.get("/analytics/validation").text
    assert "ROC AUC 0.698" in page and "Beryllium" in page
    assert "economic-effects order" in page and "disruption shortfall D" in page and "Driving input" in page
    assert "net import reliance (" in page and "rhodium" in page  # a driver named; an unscored element listed


def test_whatif_form(read_web):
    page = read_web.client.get("/analytics/whatif", params={"project": "reko-diq", "phase": "1"}).text
    assert "240 kt/yr = 240 thousand metric tons" in page and "Pakistan" in page
    r = read_web.client.get("/analytics/whatif", params={"add": "lots", "unit": "kt", "mineral": "copper"})
    assert r.status_code == 422 and "add: &#39;lots&#39; is not a number" in r.text
    r = read_web.client.get("/analytics/whatif", params={"add": "5", "unit": "carats", "mineral": "copper"})
    assert r.status_code == 422 and "not a mass" in r.text


def test_economics_page(read_web):
    r = read_web.client.get("/analytics/economics/reko-diq", params={"paths": 1000})
    assert r.status_code == 200
    for text in ("NPV @8%", "Barrick", "Sensitivities (tornado)", "P90", "Parameters not verified",
                 "/api/analytics/reports/project/reko-diq.pdf", "Validation against published figures",
                 "Project finance", "US EXIM", "Scenarios", "2026 review", "minimum DSCR"):
        assert text in r.text, text
    assert read_web.client.get("/analytics/economics/saindak").status_code == 200  # a case exists now
    assert read_web.client.get("/analytics/economics/duddar").status_code == 404
    assert read_web.client.get("/analytics/economics/reko-diq", params={"paths": 10_000_000}).status_code == 422


def test_screening_page_with_the_demo_cadastre(read_web):
    page = read_web.client.get("/analytics/screening").text
    assert page.count("<tr>") >= 16 + 5
    assert "synthetic demo titles" in page  # the cadastre holds only the demo's synthetic titles
    assert read_web.client.get("/analytics/screening", params={"profile": "nobody"}).status_code == 404


def test_report_links_on_mineral_and_project_pages(read_web):
    assert "/api/analytics/reports/mineral/copper.pdf" in read_web.client.get("/minerals/copper").text
    assert "/api/analytics/reports/project/reko-diq.html" in read_web.client.get("/projects/reko-diq").text
