"""The agreements registry in a real browser: the list with its timeline, filtering, and one
agreement with its readings side by side and its sources."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_agreements_page_and_an_agreement(visitor, phone):
    v = visitor("agreements-phone" if phone else "agreements", phone=phone)
    v.page.goto("/")
    v.page.get_by_role("link", name="Agreements", exact=True).first.click()
    v.page.wait_for_url("**/agreements")
    assert v.page.get_by_role("heading", name="Agreements", level=1).is_visible()
    assert v.page.get_by_role("heading", name="Timeline").is_visible()
    v.page.get_by_label("Mineral").fill("antimony")
    v.page.get_by_role("button", name="Filter").click()
    v.page.wait_for_url("**/agreements?*mineral=antimony*")
    rows = v.page.locator("table tbody tr")
    assert rows.count() == 3
    v.shot("filtered")
    v.page.goto("/agreements/2025-06-12-ifc-ida-reko-diq-loan")
    assert v.page.get_by_role("heading", name="Where sources disagree").is_visible()
    assert v.page.locator(".reading").count() == 2
    assert v.page.get_by_role("link", name="Reko Diq").first.is_visible()
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= v.page.viewport_size["width"], f"the agreement page is {width}px wide"
    v.shot("agreement")
    v.page.get_by_role("link", name="International Finance Corporation").first.click()
    v.page.wait_for_url("**/organisations/ifc")
    assert v.page.get_by_role("heading", name="Agreements").is_visible()
    v.shot("organisation")
    assert v.errors == [] and v.foreign_requests() == []


def test_partner_match_form(visitor):
    v = visitor("partners")
    v.page.goto("/partners")
    v.page.get_by_label("For organisation").fill("US Strategic Metals")
    v.page.get_by_label("Mineral").first.fill("antimony")
    v.page.get_by_role("button", name="Find partners").click()
    v.page.wait_for_url("**/partners?*")
    first = v.page.locator("#match ~ div table tbody tr, section table tbody tr").first
    assert "Frontier Works Organisation" in first.inner_text()
    v.shot("match")
    assert v.errors == [] and v.foreign_requests() == []


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_registry_pages_fit_the_screen(visitor, phone):
    v = visitor("registry-phone" if phone else "registry", phone=phone)
    for label, path in (("agreements", "/agreements"), ("partners", "/partners?for=USSM&match_mineral=antimony"),
                        ("organisation", "/organisations/fwo"), ("agreement-mou", "/agreements/2025-09-08-ussm-fwo-mou")):
        v.page.goto(path)
        v.idle()
        assert v.page.locator("h1").first.is_visible(), path
        width = v.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= v.page.viewport_size["width"], f"{path} is {width}px wide: it scrolls sideways"
        v.shot(label)
    assert v.errors == [] and v.foreign_requests() == []
