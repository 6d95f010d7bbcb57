"""News reading's use cases on the in-memory unit of work: review (one or all-or-none), commit into the
registry through the agreements use case, closed once committed, resumable after a failure."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from maadan.agreements.service import add_or_corroborate
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.news import service, views
from maadan.news.review import NewsDocument, Proposal
from tests.unit.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
DOC = "cd" * 32
SOURCE = {"publisher": "Dawn", "url": None, "date": "2025-09-08", "evidence": None}


def proposal(position: int, field: str, value, no: int = 1) -> Proposal:
    return Proposal(id=0, document_id=DOC, agreement_no=no, position=position, field=field, value=value,
                    evidence=[{"text": "signed an MoU", "start": 0, "end": 13}])


@pytest.fixture
def uow() -> FakeUnitOfWork:
    u = FakeUnitOfWork()
    with u:
        u.news.add(NewsDocument(
            id=DOC, filename="dawn.txt", format="text", encoding="utf-8", published="2025-09-08",
            published_from="given", language="en", warnings=[], text="USSM and FWO signed an MoU.", extraction={},
            status="in_review", ingested_at=NOW, ingested_by="cli:ana", proposals=[
                proposal(1, "title", "USSM-FWO critical minerals MoU"), proposal(2, "kind", "mou"),
                proposal(3, "signed", "2025-09-08"), proposal(4, "source", SOURCE),
                proposal(5, "party", {"name": "US Strategic Metals", "role": "company", "organisation_id": "ussm"}),
                proposal(6, "party", {"name": "Frontier Works Organisation", "role": "state_owned_enterprise",
                                      "organisation_id": "fwo"})]))
        u.commit()
    return u


def ids(uow: FakeUnitOfWork) -> list[int]:
    return [p.id for p in uow.committed.news.docs[DOC].proposals]


def test_a_review_is_saved_with_its_reviewer_and_a_bad_one_saves_nothing(uow):
    first = ids(uow)[0]
    p = service.review_proposal(uow, first, "edit", "USSM and FWO minerals MoU", reviewer="user:ana")
    assert (p.status, p.final_value, p.reviewer) == ("edited", "USSM and FWO minerals MoU", "user:ana")
    commits = uow.commits
    with pytest.raises(NotFound):
        service.review_proposals(uow, [ids(uow)[1], 999_999], "accept", reviewer="user:ana")
    with pytest.raises(InvalidInput, match="decision must be one of"):
        service.review_proposal(uow, ids(uow)[1], "maybe", reviewer="user:ana")
    assert uow.commits == commits and uow.committed.news.docs[DOC].counts()["pending"] == 5


def test_commit_waits_for_every_review_then_adds_the_agreement_once(uow):
    with pytest.raises(Conflict, match="still pending"):
        service.commit_document(uow, DOC[:8], actor="user:ana", add_agreement=add_or_corroborate)
    service.review_proposals(uow, ids(uow), "accept", reviewer="user:ana")
    added = service.commit_document(uow, DOC[:8], actor="user:ana", add_agreement=add_or_corroborate)
    stored = uow.committed.agreements.get(added[0])
    assert stored.signed == "2025-09-08" and [p.organisation_id for p in stored.parties] == ["ussm", "fwo"]
    doc = uow.committed.news.docs[DOC]
    assert doc.status == "committed" and doc.committed_by == "user:ana" and doc.agreement_ids == {"1": added[0]}
    with pytest.raises(Conflict, match="was committed"):
        service.commit_document(uow, DOC, actor="user:bo", add_agreement=add_or_corroborate)
    with pytest.raises(Conflict, match="closed"):
        service.review_proposal(uow, ids(uow)[0], "reject", reviewer="user:bo")
    row = views.document_row(service.list_documents(uow)[0])
    assert row["status"] == "committed" and row["counts"]["accepted"] == 6


def test_a_failed_commit_resumes_without_adding_twice(uow):
    service.review_proposals(uow, ids(uow), "accept", reviewer="user:ana")
    calls = []

    def flaky(u, draft, *, actor):
        calls.append(draft["title"])
        if len(calls) == 1:
            raise Conflict("the registry is busy")
        return add_or_corroborate(u, draft, actor=actor)

    with pytest.raises(Conflict, match="busy"):
        service.commit_document(uow, DOC, actor="user:ana", add_agreement=flaky)
    assert uow.committed.news.docs[DOC].status == "in_review" and uow.committed.agreements.stored == {}
    assert len(service.commit_document(uow, DOC, actor="user:ana", add_agreement=flaky)) == 1
    assert len(uow.committed.agreements.stored) == 1
