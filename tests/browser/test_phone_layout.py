"""The phone layout (390×844) of every signed-in page, on both backends (issue 16 item 8): the
applicant's portal (/cadastre/mine), an application's page, the apply form (its drawing map before
the submit button), the inbox and the account; the officer's queue, due page, applicants page, a
title and a title action's confirmation, and the analytics pages with their sub-navigation. On
each: no horizontal overflow, no two elements overlapping, every control inside the screen and
reachable (the topmost element at its centre once scrolled to), and the accessibility audit.
Screenshots are kept in tests/browser/artifacts/."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import APPLICANT, OFFICER
from .test_accessibility import AUDIT
from .test_portal_journeys import journey_site as journey_site  # noqa: F401 (fixtures: a site per backend)
from .test_portal_journeys import postgres_template as postgres_template  # noqa: F401

pytestmark = pytest.mark.slow

WIDTH = 390

# Problems of the layout at the phone's width, each naming the elements: overflow, overlaps between
# visible elements that are not nested (text blocks, headings, controls, table cells, the sub-
# navigation's links), controls outside the screen, and controls another element covers.
LAYOUT = """(width) => {
  const problems = [];
  const doc = document.documentElement;
  const wide = el => el.getBoundingClientRect().right + window.scrollX > width + 1;
  if (doc.scrollWidth > width) {
    const culprits = [...document.querySelectorAll('body *')]
      .filter(el => wide(el) && ![...el.children].some(wide)
              && !(el.closest('.table-wrap') && !wide(el.closest('.table-wrap'))));
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let t = walker.nextNode(); t && culprits.length < 3; t = walker.nextNode()) {
      if (!t.textContent.trim()) continue;
      range.selectNodeContents(t);
      const r = range.getBoundingClientRect();
      if (r.width && r.right + window.scrollX > width + 1 && !(t.parentElement.closest('.table-wrap') && !wide(t.parentElement.closest('.table-wrap')))) {
        culprits.push(t.parentElement);
      }
    }
    problems.push('the page is ' + doc.scrollWidth + 'px wide: ' + culprits.slice(0, 3).map(el => el.outerHTML.slice(0, 120)).join(' | '));
  }
  const inMap = el => el.closest('.maplibregl-map, .leaflet-container, .maplibregl-popup, dialog:not([open])');
  const visible = el => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !el.closest('[hidden]')
      && el.checkVisibility({checkVisibilityCSS: true}) && !(el.closest('details:not([open])') && !el.closest('summary'));
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '"';
  const blocks = [...document.querySelectorAll(
      'main h1, main h2, main h3, main p, main label, main button, main input:not([type=hidden]), main select, ' +
      'main textarea, main summary, main th, main td, main dt, main dd, main li, main .subnav a, header a, header button')]
    .filter(el => visible(el) && !inMap(el));
  // an inline element that wraps has one box per line: compare boxes, not the union of them
  const rects = blocks.map(el => [...el.getClientRects()].filter(r => r.width > 0 && r.height > 0));
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i], b = blocks[j];
      if (a.contains(b) || b.contains(a)) continue;
      let worst = null;
      for (const r of rects[i]) for (const q of rects[j]) {
        const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
        const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
        if (w > 2 && h > 2) worst = [w, h];
      }
      if (worst) problems.push('overlap: ' + name(a) + ' and ' + name(b) + ' (' + Math.round(worst[0]) + '×' + Math.round(worst[1]) + 'px)');
    }
  }
  const controls = [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary, header a, header button, header summary')]
    .filter(el => visible(el) && !inMap(el) && !el.closest('.table-wrap'));
  for (const el of controls.slice(0, 150)) {
    const r = el.getBoundingClientRect();
    const left = r.left + window.scrollX, right = r.right + window.scrollX;
    if (left < -1 || right > width + 1) { problems.push('outside the screen: ' + name(el)); continue; }
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const c = el.getBoundingClientRect();
    const x = Math.min(Math.max(c.left + c.width / 2, 0), width - 1), y = c.top + c.height / 2;
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !top.contains(el) && !(el.labels && [...el.labels].includes(top))
        && !(top.htmlFor && top.htmlFor === el.id)) {
      problems.push('covered: ' + name(el) + ' by ' + name(top));
    }
  }
  window.scrollTo(0, 0);
  return problems;
}"""


def _application(site, org: str):
    """An application of the applicant's organisation, filed two days ago and accepted."""
    from maadan.cadastre import service as cadastre
    from maadan.cadastre.model import Holder

    square = [[66.6, 28.1], [66.65, 28.1], [66.65, 28.15], [66.6, 28.15], [66.6, 28.1]]
    inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                    holders=(Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private"),),
                                    area=cadastre.AreaInput(geojson={"type": "Polygon", "coordinates": [square]}),
                                    applicant_org=org)
    app = cadastre.apply(site.uow(True), inp, "cli:test", now=datetime.now(timezone.utc) - timedelta(days=2)).application
    cadastre.decide(site.uow(True), "PK-BA", app.number, "accept", "cli:test")
    return app


def test_every_signed_in_page_fits_a_phone(visitor, journey_site, request):  # noqa: F811 (the fixture)
    site = journey_site
    backend = request.node.callspec.params["journey_site"]
    app = _application(site, APPLICANT[1])
    with site.uow() as u:
        title = next(t for t in u.cadastre.titles("PK-BA") if t.state == "active")
    problems: list[str] = []

    def check(v, label: str) -> None:
        v.idle()
        found = v.page.evaluate(LAYOUT, WIDTH) + v.page.evaluate(AUDIT)
        problems.extend(f"{label}: {p}" for p in found)
        v.shot(f"{backend}-phone-{label}")

    a = visitor(f"phone-{backend}-applicant", phone=True, on=site)
    a.login(APPLICANT[0])
    for path, label in (("/cadastre/mine", "mine"), (f"/cadastre/applications/PK-BA/{app.number}", "application"),
                        ("/cadastre/notices", "inbox"), ("/account", "account"), ("/cadastre/apply", "apply")):
        a.page.goto(path)
        if label == "application":
            a.page.locator("#application-map[data-ready='1']").wait_for()
        check(a, label)
    form_map = a.page.locator("#map").bounding_box()
    submit = a.page.get_by_role("button", name="Submit the application").bounding_box()
    assert form_map and submit and form_map["y"] + form_map["height"] <= submit["y"], (form_map, submit)

    o = visitor(f"phone-{backend}-officer", phone=True, on=site)
    o.login(OFFICER)
    for path, label in (("/cadastre/queue", "queue"), ("/cadastre/due", "due"), ("/cadastre/accounts", "applicants"),
                        (f"/cadastre/applications/PK-BA/{app.number}", "officer-application"),
                        (f"/cadastre/titles/{title.number}", "title"), ("/account", "officer-account"),
                        ("/analytics", "analytics"), ("/analytics/criticality", "analytics-criticality")):
        o.page.goto(path)
        check(o, label)
    o.page.goto(f"/cadastre/titles/{title.number}")
    o.page.locator('#title-actions button[data-action="transfer"]').click()
    o.idle()
    check(o, "title-action-transfer")
    assert problems == [], "\n".join(problems)
    assert a.errors == [] and o.errors == []
