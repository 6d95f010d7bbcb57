"""The agreements registry's use cases on the in-memory unit of work: add, refuse a duplicate, edit as a
whole, corroborate instead of duplicating, find by organisation, mineral and project; all or nothing."""

from __future__ import annotations

import pytest

from maadan.agreements import service, views
from maadan.errors import Conflict, InvalidInput, NotFound
from tests.unit.fakes import FakeUnitOfWork

MOU = {"title": "Critical minerals MoU", "kind": "mou", "signed": "2025-09-08", "minerals": ["copper", "antimony"],
       "parties": [{"name": "US Strategic Metals", "role": "company", "organisation_id": "ussm"},
                   {"name": "Frontier Works Organisation", "role": "state_owned_enterprise", "organisation_id": "fwo"},
                   {"name": "A witness", "role": "witness"}],
       "projects": ["reko-diq"],
       "sources": [{"publisher": "Dawn", "url": "https://example.org/a", "date": "2025-09-08"}]}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_add_stores_who_and_refuses_the_same_agreement_twice(uow):
    ident = service.add_agreement(uow, MOU, actor="user:ana")
    a = uow.committed.agreements.get(ident)
    assert a.minerals == ("copper", "antimony") and uow.committed.agreements.written_by[ident] == "user:ana"
    with pytest.raises(Conflict):
        service.add_agreement(uow, MOU | {"title": "Critical minerals MoU (copy)"}, actor="user:ana")
    assert len(uow.committed.agreements.stored) == 1


def test_unknown_references_are_refused_naming_the_field(uow):
    with pytest.raises(InvalidInput, match="organisation_id"):
        service.add_agreement(uow, MOU | {"parties": [{"name": "X", "role": "company", "organisation_id": "nobody"}]},
                              actor="user:ana")
    assert uow.commits == 0


def test_several_drafts_are_added_all_or_none(uow):
    bad = MOU | {"title": "Loan", "kind": "loan", "signed": "2025-10", "amount": "lots"}
    with pytest.raises(InvalidInput, match="agreement 2 of 2"):
        service.add_agreements(uow, [MOU, bad], actor="cli:ana")
    assert uow.committed.agreements.stored == {}


def test_edit_is_validated_as_a_whole_and_a_news_source_corroborates(uow):
    ident = service.add_agreement(uow, MOU, actor="user:ana")
    edited = service.edit_agreement(uow, ident, {"place": "Islamabad", "status": "signed"}, actor="user:bo")
    assert edited.place == "Islamabad" and uow.committed.agreements.written_by[ident] == "user:bo"
    with pytest.raises(InvalidInput):
        service.edit_agreement(uow, ident, {"effective": "2024-01-01"}, actor="user:bo")  # before it was signed
    with pytest.raises(NotFound):
        service.edit_agreement(uow, "no-such-agreement", {"place": "x"}, actor="user:bo")
    again = MOU | {"title": "Pakistan and US firm sign minerals memorandum",  # another report of it
                   "sources": [{"publisher": "The News", "url": "https://example.org/b"}]}
    assert service.add_or_corroborate(uow, again, actor="user:news") == ident
    assert [s.publisher for s in uow.committed.agreements.get(ident).sources] == ["Dawn", "The News"]


def test_find_and_timeline_views(uow):
    ident = service.add_agreement(uow, MOU, actor="user:ana")
    assert [a.id for a in service.find_agreements(uow, organisation="Frontier Works Organisation")] == [ident]
    assert service.find_agreements(uow, mineral="gold") == []
    assert [a.id for a in service.find_agreements(uow, project="Reko Diq")] == [ident]
    row = views.timeline_row(service.timeline(uow)[0])
    assert row["parties"] == ["US Strategic Metals", "Frontier Works Organisation"] and row["date"] == "2025-09-08"
