"""The analytics pages in a real browser: screening and project economics render their tables and
charts, link to the reports, and fetch nothing from another host."""

from __future__ import annotations

import pytest

from tests.conftest import bundled_project_count

from .conftest import SLOW_ACTION_MS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_screening_and_economics_pages(visitor, phone):
    v = visitor("analytics-phone" if phone else "analytics", phone=phone)
    v.page.goto("/")
    v.page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    v.page.get_by_role("link", name="Screening", exact=True).first.click()
    v.page.get_by_role("heading", level=1).filter(has_text="Screening").wait_for()
    rows = v.page.locator("#screening tbody tr")
    assert rows.count() == bundled_project_count()
    assert "Reko Diq" in v.page.locator("#screening").inner_text()
    assert v.page.get_by_text("Governance", exact=False).first.is_visible()
    assert v.page.locator('a[href="/api/analytics/reports/screening/us-investor.pdf"]').count() == 1
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= v.page.viewport_size["width"]
    v.shot("screening")

    v.page.goto("/analytics/economics/reko-diq?paths=1000", timeout=SLOW_ACTION_MS)  # a Monte Carlo valuation
    v.page.get_by_role("heading", name="Sensitivities (tornado)").wait_for()
    assert v.page.locator("svg.chart rect").count() == 16  # 8 inputs x low/high
    text = v.page.locator("main").inner_text()
    for needle in ("NPV @8", "Barrick", "P10", "P50", "P90", "Parameters not verified", "undefined"):
        assert needle in text, needle
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= v.page.viewport_size["width"]
    v.shot("economics")
    if not phone:  # the PDF report linked from the page is a PDF (the same document whatever the screen)
        resp = v.page.request.get("/api/analytics/reports/project/reko-diq.pdf", timeout=SLOW_ACTION_MS)
        assert resp.ok and resp.body()[:5] == b"%PDF-"
    assert v.errors == []
    assert v.foreign_requests() == []


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_other_analytics_pages_render_without_sideways_scroll(visitor, phone):
    v = visitor("analytics-more-phone" if phone else "analytics-more", phone=phone)
    for label, path in [("index", "/analytics"), ("criticality", "/analytics/criticality"),
                        ("validation", "/analytics/validation"), ("whatif", "/analytics/whatif?project=reko-diq&phase=1")]:
        v.page.goto(path)
        v.idle()
        assert v.page.locator("h1").first.is_visible(), path
        width = v.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= v.page.viewport_size["width"], f"{path} is {width}px wide"
        v.shot(label)
    v.page.goto("/analytics/whatif")
    v.page.get_by_label("Project").fill("reko-diq")
    v.page.get_by_label("Phase").fill("1")
    v.page.get_by_role("button", name="Compute").click()
    v.page.get_by_text("240 kt/yr = 240 thousand metric tons").wait_for()
    assert v.errors == []
    assert v.foreign_requests() == []
