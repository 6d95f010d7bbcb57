"""The analytics pages in a real browser: screening and project economics render their tables and
charts, link to the reports, and fetch nothing from another host."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_screening_and_economics_pages(visitor, phone):
    v = visitor("analytics-phone" if phone else "analytics", phone=phone)
    v.page.goto("/")
    v.page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    v.page.get_by_role("link", name="Screening", exact=True).first.click()
    v.page.get_by_role("heading", level=1).filter(has_text="Screening").wait_for()
    rows = v.page.locator("#screening tbody tr")
    assert rows.count() == 16
    assert "Reko Diq" in v.page.locator("#screening").inner_text()
    assert v.page.get_by_text("Governance", exact=False).first.is_visible()
    assert v.page.locator('a[href="/api/analytics/reports/screening/us-investor.pdf"]').count() == 1
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= v.page.viewport_size["width"]
    v.shot("screening")

    v.page.goto("/analytics/economics/reko-diq?paths=1000")
    v.page.get_by_role("heading", name="Sensitivities (tornado)").wait_for()
    assert v.page.locator("svg.chart rect").count() == 16  # 8 inputs x low/high
    text = v.page.locator("main").inner_text()
    for needle in ("NPV @8", "Barrick", "P10", "P50", "P90", "Parameters not verified", "undefined"):
        assert needle in text, needle
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= v.page.viewport_size["width"]
    v.shot("economics")
    # The PDF report linked from the page is a PDF.
    resp = v.page.request.get("/api/analytics/reports/project/reko-diq.pdf")
    assert resp.ok and resp.body()[:5] == b"%PDF-"
    assert v.errors == []
    assert v.foreign_requests() == []
