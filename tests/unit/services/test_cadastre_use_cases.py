"""The cadastre's use cases on the in-memory unit of work: checks, filing with rule-10 priority,
decisions up to the grant, the audit chain, and nothing written when a step fails."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from maadan.auth.model import User
from maadan.cadastre import service, views
from maadan.cadastre.model import Holder
from maadan.errors import Conflict, InvalidInput, NotFound
from tests.unit.fakes import FakeUnitOfWork

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)  # 11:00 in Pakistan


def square(x: float, y: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def filing(area: dict, org: str | None = "chagai-minerals", holder: str = "Chagai Minerals") -> service.ApplicationInput:
    return service.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("Cu",),
                                    holders=(Holder(holder, 100.0, "PK", "private"),),
                                    area=service.AreaInput(geojson=area), applicant_org=org)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_check_reports_area_fee_and_no_conflict_on_free_ground(uow):
    r = service.check(uow, "PK-BA", "EL", service.AreaInput(geojson=square(66.5, 28.0)))
    assert r.ok and r.conflicts == [] and 20 < r.area_km2 < 35 and r.vertex_count == 5
    assert views.check_view(r)["area"]["type"] == "Polygon" and uow.commits == 0  # a check writes nothing


def test_filing_numbers_resolves_minerals_records_and_invoices(uow):
    receipt = service.apply(uow, filing(square(66.5, 28.0)), "user:ana", now=T0)
    a = receipt.application
    assert (a.ref, a.priority, a.minerals, receipt.holds_priority) == ("PK-BA/A1", "clear", ["copper"], True)
    stored = uow.committed.cadastre
    assert [e.kind for e in stored.events_] == ["application.received"] and stored.events_[0].actor == "user:ana"
    assert [i.kind for i in stored.invoices_] == ["application-fee"] and stored.counters["PK-BA"]["last"] == 1


def test_rule_ten_same_day_competes_a_later_day_stands_behind(uow):
    service.apply(uow, filing(square(66.5, 28.0)), "user:a", now=T0)
    same_day = service.apply(uow, filing(square(66.52, 28.02), holder="B"), "user:b", now=T0.replace(hour=9))
    next_day = service.apply(uow, filing(square(66.51, 28.01), holder="C"), "user:c",
                             now=T0.replace(day=3))
    assert same_day.application.priority == "competing" and not same_day.holds_priority
    assert next_day.application.priority == "behind"
    assert {c.ref for c in next_day.application.conflicts if c.kind == "application"} == {"1", "2"}


def test_decisions_up_to_the_grant_issue_the_title_and_keep_the_chain(uow):
    n = service.apply(uow, filing(square(66.5, 28.0)), "user:ana", now=T0).application.number
    for action in ("accept", "review", "offer"):
        service.decide(uow, "PK-BA", n, action, "user:officer", today=date(2026, 3, 10))
    app, title = service.decide(uow, "PK-BA", n, "grant", "user:officer", today=date(2026, 3, 10))
    assert app.state == "granted" and title.number == "PK-BA/EL/2026/0001" and title.state == "active"
    stored = uow.committed.cadastre
    assert stored.obligations(title.number) and any(i.kind == "rent" for i in stored.invoices_)
    assert service.verify_audit(uow).ok and len(stored.events_) == 5
    # the granted title now closes the ground: a check names it and a filing is refused, writing nothing
    overlap = service.AreaInput(geojson=square(66.52, 28.02))
    assert [(c.kind, c.ref) for c in service.check(uow, "PK-BA", "EL", overlap).conflicts] == [("title", title.number)]
    commits = uow.commits
    with pytest.raises(Conflict, match="not free"):
        service.apply(uow, filing(square(66.52, 28.02), holder="Late"), "user:late", now=T0.replace(month=4))
    assert uow.commits == commits


def test_a_refused_step_writes_nothing(uow):
    n = service.apply(uow, filing(square(66.5, 28.0)), "user:ana", now=T0).application.number
    before = uow.commits
    with pytest.raises(Conflict, match="received"):
        service.decide(uow, "PK-BA", n, "grant", "user:officer")
    with pytest.raises(InvalidInput, match="reason is required"):
        service.decide(uow, "PK-BA", n, "reject-incomplete", "user:officer")
    with pytest.raises(InvalidInput):
        service.apply(uow, filing({"type": "Polygon", "coordinates": [[[66.5, 28.0], [66.6, 28.1]]]}), "user:x")
    assert uow.commits == before and len(uow.committed.cadastre.events_) == 1


def test_what_each_audience_sees_of_an_application(uow):
    n = service.apply(uow, filing(square(66.5, 28.0)), "user:ana", now=T0).application.number
    officer = User(1, "o", "officer", None, True, T0)
    own = User(2, "ana", "applicant", "chagai-minerals", True, T0)
    other = User(3, "bo", "applicant", "elsewhere", True, T0)
    public = views.application_for(uow, None, "PK-BA", n)
    assert "holders" not in public and "fee" not in public and public["applicants"] == ["Chagai Minerals"]
    assert views.application_for(uow, own, "PK-BA", n)["applicant_org"] == "chagai-minerals"
    assert views.application_for(uow, officer, "PK-BA", n)["fee"]["currency"]
    # another organisation's applicant sees a pending application as the public does
    assert views.application_for(uow, other, "PK-BA", n) == public
    service.decide(uow, "PK-BA", n, "withdraw", "user:ana")
    for viewer in (None, other):  # no longer pending: it does not exist for them, as for a missing one
        with pytest.raises(NotFound):
            views.application_for(uow, viewer, "PK-BA", n)
    assert views.application_for(uow, own, "PK-BA", n)["state"] == "withdrawn"
    assert views.application_for(uow, officer, "PK-BA", n)["state"] == "withdrawn"
    assert [a.ref for a in views.visible_applications(uow, own)] == ["PK-BA/A1"]
    assert views.visible_applications(uow, other) == [] and views.visible_applications(uow, None) == []


def test_the_spatial_index_is_cached_per_store_not_shared_between_stores():
    first, second = FakeUnitOfWork(), FakeUnitOfWork()
    service.apply(first, filing(square(66.5, 28.0)), "user:a", now=T0)
    assert first.key != second.key
    report = service.check(second, "PK-BA", "EL", service.AreaInput(geojson=square(66.5, 28.0)))
    assert report.conflicts == []  # the other store's application is not in this one's index
