"""The application page (applicant's portal and officer's workbench), "my applications", the
queue's filters, the due page with payments, rent runs and reminders, and title actions, through
HTTP on both backends."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from maadan.cadastre import service as cadastre

from .conftest import square

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def officer(web, name: str = "officer.w"):
    web.user(name, "officer")
    web.login(name)


def move(web, ref_path: str, action: str, reason: str = "", confirmed: bool = True):
    data = {"action": action, "reason": reason, "csrf_token": web.csrf(ref_path)}
    if confirmed:
        data["confirmed"] = "yes"
    return web.client.post(f"{ref_path}/move", data=data, follow_redirects=False)


def test_application_page_visibility(web):
    app = web.apply(now=T0)
    path = f"/cadastre/applications/PK-BA/{app.number}"
    public = web.client.get(path)  # pending: public, without the fee or holders' details
    assert public.status_code == 200 and app.ref in public.text and 'id="app-fee"' not in public.text
    assert 'id="application-geo"' in public.text and 'id="move-accept"' not in public.text
    assert web.client.get("/cadastre/applications/PK-BA/99999").status_code == 404
    assert web.client.get("/cadastre/applications/pk-ba/1").status_code in (404, 422)
    web.user("other.org", "applicant", "rdmc")
    web.login("other.org")
    assert 'id="move-withdraw"' not in web.client.get(path).text
    assert move(web, path, "withdraw").status_code == 403
    web.client.cookies.clear()
    web.user("own.org", "applicant", "chagai-minerals")
    web.login("own.org")
    own = web.client.get(path)
    assert 'id="app-fee"' in own.text and "outstanding" in own.text and 'id="move-withdraw"' in own.text
    mine = web.client.get("/cadastre/mine")
    assert mine.status_code == 200 and f'href="{path}"' in mine.text
    assert move(web, path, "accept").status_code in (403, 409)  # applicants only withdraw
    first = move(web, path, "withdraw", confirmed=False)
    assert first.status_code == 200 and 'id="confirm-move"' in first.text  # asks first, writes nothing
    with web.uow() as u:
        assert u.cadastre.application("PK-BA", app.number).state == "received"
    done = move(web, path, "withdraw")
    assert done.status_code == 303
    page = web.client.get(done.headers["location"])
    assert "withdrawn" in page.text and 'id="move-done"' in page.text
    web.client.cookies.clear()
    assert web.client.get(path).status_code == 404  # withdrawn: no longer public


def test_officer_moves_confirm_and_warn_before_grant(web):
    app = web.apply(now=T0)
    path = f"/cadastre/applications/PK-BA/{app.number}"
    officer(web)
    page = web.client.get(path)
    assert 'id="move-accept"' in page.text and "application fee is unpaid" in page.text
    first = move(web, path, "accept", confirmed=False)
    assert 'id="confirm-warnings"' in first.text and "application fee is unpaid" in first.text
    assert move(web, path, "refuse").status_code == 409  # not a legal move from received
    no_reason = move(web, path, "reject-incomplete")
    assert no_reason.status_code == 422 and "give the reason" in no_reason.text
    assert move(web, path, "accept").status_code == 303
    assert move(web, path, "review").status_code == 303
    # Someone else's title is granted over the ground meanwhile (here: a second, earlier claim of the
    # same ground is not possible, so a reserved area is added): a grant would be refused; the
    # officer is warned before the offer.
    cadastre.add_reserved_areas(web.uow(True), "PK-BA", [("Test park", square(66.52, 28.02, 0.01))], "protected-area",
                                "test layer (synthetic)", "cli:test")
    offer = move(web, path, "offer", confirmed=False)
    assert "already reserved as Test park" in offer.text and "a grant would be refused" in offer.text
    timeline = web.client.get(path).text
    assert re.search(r"<strong>accept</strong> by officer\.w", timeline) and "received → accepted" in timeline


def test_queue_filters(web):
    a1 = web.apply(now=T0)
    web.apply(area=square(67.5, 29.0), now=T0 + timedelta(days=3))
    officer(web)
    everything = web.client.get("/cadastre/queue")
    assert everything.status_code == 200 and f'href="/cadastre/applications/PK-BA/{a1.number}"' in everything.text
    since = web.client.get("/cadastre/queue?since=2026-11-04")
    assert f'id="A-PK-BA-{a1.number}"' not in since.text and 'id="queue-count"' in since.text
    assert f'id="A-PK-BA-{a1.number}"' in web.client.get("/cadastre/queue?until=2026-11-02&state=received").text
    assert f'id="A-PK-BA-{a1.number}"' not in web.client.get("/cadastre/queue?competition=yes").text
    bad = web.client.get("/cadastre/queue?since=yesterday")
    assert bad.status_code == 422 and "from: give a date as YYYY-MM-DD" in bad.text
    assert web.client.get("/cadastre/queue?state=granted").status_code == 422


def _granted(web):
    app = web.apply(now=T0)
    for i, action in enumerate(("accept", "review", "offer", "grant")):
        cadastre.decide(web.uow(True), "PK-BA", app.number, action, "user:officer", now=T0 + timedelta(days=2, hours=i))
    with web.uow() as u:
        return [t for t in u.cadastre.titles("PK-BA") if t.application_number == app.number][0]


def test_due_page_payments_rent_run_and_reminders(web):
    title = _granted(web)
    officer(web)
    page = web.client.get("/cadastre/due?kind=rent&within=3650")
    assert page.status_code == 200 and title.number in page.text
    with web.uow() as u:
        [rent] = [i for i in u.cadastre.invoices(title_number=title.number) if i.kind == "rent"]
    bad = web.client.post("/cadastre/due/payments", data={"invoice": rent.id, "amount": "lots", "reference": "x",
                                                          "csrf_token": web.csrf("/cadastre/due")})
    assert bad.status_code == 422 and f"invoice {rent.id}: amount must be a number" in bad.text
    over = web.client.post("/cadastre/due/payments", data={"invoice": rent.id, "amount": str(rent.amount * 10),
                                                           "reference": "HBL-1", "csrf_token": web.csrf("/cadastre/due")})
    assert over.status_code in (409, 422)
    paid = web.client.post("/cadastre/due/payments", data={"invoice": rent.id, "amount": f"{rent.amount:,.2f}",
                                                           "reference": "HBL-1", "csrf_token": web.csrf("/cadastre/due")})
    assert paid.status_code == 200 and "payment of" in paid.text and "outstanding 0.00" in paid.text
    assert web.client.get("/cadastre/due?kind=wrong").status_code == 422
    unconfirmed = web.client.post("/cadastre/due/rent-run", data={"jurisdiction": "PK-BA", "year": "2027",
                                                                   "csrf_token": web.csrf("/cadastre/due")})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    run = web.client.post("/cadastre/due/rent-run", data={"jurisdiction": "PK-BA", "year": "2027", "confirmed": "yes",
                                                          "csrf_token": web.csrf("/cadastre/due")})
    assert run.status_code == 200 and "rent run PK-BA 2027" in run.text
    sent = web.client.post("/cadastre/due/reminders", data={"within": "3650", "csrf_token": web.csrf("/cadastre/due")})
    assert sent.status_code == 200 and "reminder(s) sent" in sent.text


def test_due_page_comes_in_pages_of_a_hundred_and_the_api_encodes_only_its_page(web):
    """A national register's list of what is due runs to thousands: the page shows 100 at a time
    with links to the others (filters kept), and every item is on exactly one page."""
    import re

    from maadan.cadastre.workbench import DueFilter, due_list

    for year in (2024, 2025, 2026):  # the demo titles' rent, unpaid: more than a page
        cadastre.issue_rent(web.uow(True), "PK-BA", year, "user:officer")
    officer(web)
    expected = [i.invoice_id for i in due_list(web.uow(), DueFilter(kind="rent", within=3650))]
    assert len(expected) > 100
    seen, page = [], 1
    while True:
        got = web.client.get(f"/cadastre/due?kind=rent&within=3650&page={page}")
        assert got.status_code == 200
        ids = [int(i) for i in re.findall(r'name="invoice" value="(\d+)"', got.text)]
        assert 0 < len(ids) <= 100
        seen += ids
        assert f"{len(expected)} items" in got.text
        link = re.search(r'href="/cadastre/due\?([^"]+)" rel="next"', got.text)
        if link is None:
            break
        assert "kind=rent" in link[1] and "within=3650" in link[1]
        page += 1
    assert page == -(-len(expected) // 100) and seen == expected
    assert web.client.get("/cadastre/due?page=0").status_code == 422
    assert web.client.get("/cadastre/due?page=two").status_code == 422
    last = web.client.get("/cadastre/due?kind=rent&within=3650&page=999")  # past the end: the last page
    assert last.status_code == 200 and f"Page {page} of {page}" in last.text

    api = web.client.get("/api/cadastre/due", params={"within_days": 3650, "limit": 20, "offset": 40})
    body = api.json()
    assert body["count"] == 20 and body["offset"] == 40 and body["total"] >= len(expected)
    everything = web.client.get("/api/cadastre/due", params={"within_days": 3650, "limit": 500}).json()
    assert body["items"] == everything["items"][40:60]


def test_a_granted_application_links_its_title(web):
    """The application's page finds the title granted from it by the application's number (an
    indexed lookup, not a pass over every title of the jurisdiction) and links it."""
    title = _granted(web)
    with web.uow() as u:
        assert [t.number for t in u.cadastre.titles("PK-BA", application_number=title.application_number)] == \
            [title.number]
        assert u.cadastre.titles("PK-BA", application_number=title.application_number + 1000) == []
    officer(web)
    page = web.client.get(f"/cadastre/applications/PK-BA/{title.application_number}")
    assert page.status_code == 200
    assert f'href="/cadastre/titles/{title.number}" id="granted-title"' in page.text


def test_title_actions_confirm_first(web):
    title = _granted(web)
    officer(web)
    page = web.client.get(f"/cadastre/titles/{title.number}")
    assert 'id="title-actions"' in page.text
    token = web.csrf(f"/cadastre/titles/{title.number}")
    ask = web.client.post("/cadastre/title-action", data={"number": title.number, "action": "revoke", "csrf_token": token})
    assert ask.status_code == 200 and 'id="title-action-confirm"' in ask.text
    no_reason = web.client.post("/cadastre/title-action", data={"number": title.number, "action": "revoke",
                                                                "confirmed": "yes", "csrf_token": token})
    assert no_reason.status_code == 422 and "a reason is required" in no_reason.text
    bad_holders = web.client.post("/cadastre/title-action", data={
        "number": title.number, "action": "transfer", "confirmed": "yes", "holders": "Only a name", "csrf_token": token})
    assert bad_holders.status_code == 422 and "holders, line 1" in bad_holders.text
    done = web.client.post("/cadastre/title-action", data={"number": title.number, "action": "surrender",
                                                           "confirmed": "yes", "reason": "work finished",
                                                           "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    with web.uow() as u:
        assert u.cadastre.title(title.number).state == "surrendered"
    assert web.client.post("/cadastre/title-action", data={"number": "PK-BA/EL/1900/0001", "action": "renew",
                                                           "csrf_token": token}).status_code == 404


def test_mine_reads_only_its_own_titles_and_equals_a_read_of_every_title(web):
    """/cadastre/mine at a million titles: the organisation's titles come from its holdings and its
    granted applications (indexed look-ups), and what falls due from those titles alone; the same
    as filtering a read of every title and of everything due."""
    from maadan.cadastre import workbench
    from maadan.cadastre.money import due

    title = _granted(web)
    user = web.user("own.mine", "applicant", "chagai-minerals")
    today = T0.date()
    mine = workbench.mine(web.uow(), user, today=today)
    with web.uow() as u:
        everything = u.cadastre.titles()
    granted = {a.number for a in mine.applications if a.state == "granted"}
    assert [t.number for t in mine.titles] == sorted(
        t.number for t in everything if t.jurisdiction == "PK-BA" and t.application_number in granted) == [title.number]
    refs = {title.number} | {a.ref for a in mine.applications}
    assert mine.due and mine.due == [i for i in due(web.uow(), 90, today=today) if i.ref in refs and i.kind != "notice"]
    assert due(web.uow(), 90, today=today, refs=set()) == []
