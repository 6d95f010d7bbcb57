"""Every page labelled and usable from the keyboard, in a real browser, public and signed in; and
the navigation and the map usable on a phone (390×844). An automated check runs on each page:
the document has a language and a viewport, every form control has a label (a <label>,
aria-label or aria-labelledby), every image has alt text (empty for decoration), every button and
link has a name. Screenshots are saved as artifacts."""

from __future__ import annotations

import pytest

from .conftest import APPLICANT, OFFICER, PASSWORD

pytestmark = pytest.mark.slow

PUBLIC = ["/", "/map", "/minerals", "/minerals/lithium", "/projects", "/projects/reko-diq", "/cadastre", "/login",
          "/login/register", "/login/forgot", "/login/reset"]
SIGNED_IN = {APPLICANT[0]: ["/cadastre/apply", "/cadastre/mine", "/cadastre/notices", "/account"],
             OFFICER: ["/", "/cadastre/queue", "/cadastre/due", "/cadastre/accounts", "/account"]}

# Returns a list of problems found on the page, each naming the element.
AUDIT = """() => {
  const problems = [];
  const describe = el => el.outerHTML.slice(0, 120);
  if (!document.documentElement.lang) problems.push('the <html> element has no lang');
  if (!document.querySelector('meta[name="viewport"]')) problems.push('no viewport meta');
  if (!document.title.trim()) problems.push('no <title>');
  const named = el => (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby')
      || (el.getAttribute('title') || '').trim();
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    const labelled = (el.labels && el.labels.length && [...el.labels].some(l => l.textContent.trim())) || named(el);
    if (!labelled) problems.push('form control without a label: ' + describe(el));
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('image without alt: ' + describe(img));
  }
  for (const el of document.querySelectorAll('button, a[href], [role="button"]')) {
    const text = (el.innerText || el.textContent || '').trim();
    const imgAlt = [...el.querySelectorAll('img[alt]')].some(i => i.alt.trim());
    if (!text && !named(el) && !imgAlt) problems.push('control without a name: ' + describe(el));
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' <h1> elements (want exactly one)');
  return problems;
}"""


def _audit(v, path: str) -> list[str]:
    v.page.goto(path)
    v.idle()
    return [f"{path}: {p}" for p in v.page.evaluate(AUDIT)]


@pytest.mark.parametrize("phone", [False, True], ids=["laptop", "phone"])
def test_every_page_is_labelled(visitor, phone):
    problems: list[str] = []
    v = visitor("a11y-" + ("phone" if phone else "laptop"), phone=phone)
    for path in PUBLIC:
        problems += _audit(v, path)
    for who, paths in SIGNED_IN.items():
        v.context.clear_cookies()
        v.login(who)
        for path in paths:
            problems += _audit(v, path)
            v.shot(who.split(".")[0] + "-" + (path.strip("/").replace("/", "-") or "home"))
    assert problems == []
    assert v.errors == []


def test_keyboard_alone_skips_to_content_and_signs_in(visitor, site):
    v = visitor("keyboard")
    v.page.goto("/")
    v.page.keyboard.press("Tab")
    focused = v.page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    v.page.keyboard.press("Enter")
    assert v.page.evaluate("() => document.activeElement.id") == "main"

    v.page.goto("/login")  # the username field has the focus; Tab moves to the password; Enter sends
    assert v.page.evaluate("() => document.activeElement.id") == "username"
    v.page.keyboard.type(OFFICER)
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("() => document.activeElement.id") == "password"
    v.page.keyboard.type(PASSWORD)
    v.page.keyboard.press("Enter")
    v.page.wait_for_url(site.url + "/")
    assert "Signed in as" in v.page.locator(".account").inner_text()

    v.page.goto("/cadastre/queue")  # every decision control is reachable with Tab
    reached = set()
    for _ in range(60):
        v.page.keyboard.press("Tab")
        reached.add(v.page.evaluate("() => document.activeElement.tagName + ':' + (document.activeElement.textContent || '').trim().slice(0, 30)"))
    assert any(r.startswith("A:Queue") for r in reached) and any(r.startswith("BUTTON:Sign out") for r in reached)
    v.shot("queue-keyboard")


def test_phone_navigation_and_map(visitor, site):
    v = visitor("phone-nav", phone=True)
    v.page.goto("/")
    nav = v.page.get_by_role("navigation", name="Main")
    for name in ("Home", "Map", "Minerals", "Projects", "Cadastre"):
        link = nav.get_by_role("link", name=name, exact=True)
        assert link.is_visible(), name
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
        assert box["height"] >= 20, f"{name} is hard to tap: {box['height']}px high"
    nav.get_by_role("link", name="Map", exact=True).click()
    v.page.wait_for_url(site.url + "/map")
    v.page.wait_for_function("() => window.maadanView && window.maadanMap.loaded() && window.maadanView.drawn('titles') > 0")
    box = v.page.locator("#map").bounding_box()
    assert box["width"] <= 390 and box["width"] >= 300 and box["height"] >= 250, box
    width = v.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the map page is {width}px wide on a 390px phone"
    layers = v.page.locator(".map-layers")
    assert layers.is_visible()
    before = v.page.evaluate("() => window.maadanMap.getZoom()")  # fails if the map object is missing
    assert isinstance(before, (int, float)), before
    v.page.locator(".maplibregl-ctrl-zoom-in").click()
    v.page.wait_for_function("z => window.maadanMap.getZoom() === z + 1", arg=before)
    v.page.get_by_label("Find a title, application, deposit, mineral or place").fill("Reko")
    v.page.get_by_role("button", name="Find").click()
    v.page.locator("#map-status").get_by_text("Found Reko Diq").wait_for()
    v.shot("map-search")
    assert v.errors == [] and v.foreign_requests() == []
