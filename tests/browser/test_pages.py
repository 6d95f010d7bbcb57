"""Every public page in a real browser, on a laptop and a phone: it renders, runs without script
errors and asks nothing of any other host (no CDN, no map tiles). A screenshot of each is saved."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

PAGES = [("home", "/"), ("map", "/map"), ("minerals", "/minerals"), ("mineral-lithium", "/minerals/lithium"),
         ("projects", "/projects"), ("project-reko-diq", "/projects/reko-diq"), ("cadastre", "/cadastre"),
         ("login", "/login"), ("api-docs", "/docs")]


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_public_pages(visitor, phone):
    v = visitor("phone" if phone else "laptop", phone=phone)
    for label, path in PAGES:
        v.page.goto(path)
        v.page.wait_for_load_state("networkidle")
        assert v.page.locator("h1, .swagger-ui").first.is_visible(), path
        width = v.page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= v.page.viewport_size["width"], f"{path} is {width}px wide: it scrolls sideways"
        v.shot(label)
    assert v.errors == []
    assert v.foreign_requests() == []


def test_map_search_finds_a_deposit_and_a_title(visitor, site):
    v = visitor("map-search")
    with site.uow() as uow:
        number = uow.cadastre.titles(limit=1)[0].number
    v.page.goto("/map")
    v.page.wait_for_function("() => window.maadanLayers && window.maadanLayers.titles.getLayers().length > 0")
    v.page.get_by_label("Find a title, application, deposit, mineral or place").fill("Reko")
    v.page.get_by_role("button", name="Find").click()
    status = v.page.locator("#map-status")
    status.get_by_text("Found Reko Diq").wait_for()
    v.page.locator(".leaflet-popup-content", has_text="Details and sources").wait_for()
    v.page.get_by_label("Find a title, application, deposit, mineral or place").fill(number)
    v.page.keyboard.press("Enter")
    status.get_by_text(f"Found SYNTHETIC Title {number}").wait_for()
    popup = v.page.locator(".leaflet-popup-content", has_text=number)
    assert "SYNTHETIC" in popup.inner_text()
    v.shot("found-title")
    assert v.errors == [] and v.foreign_requests() == []


def test_map_draws_the_uncertainty_of_imprecise_deposits(visitor):
    """A deposit known only as a box or within a radius is drawn with that area, dashed (issue 13 item 6)."""
    v = visitor("map-uncertainty")
    v.page.goto("/map")
    v.page.wait_for_function("() => document.querySelectorAll('path.uncertainty').length >= 4")
    assert "imprecisely located" in v.page.content()
    v.shot("map-uncertainty")
    assert v.errors == [] and v.foreign_requests() == []
