"""Decisions on proposals and drafts built from reviewed fields only."""

from datetime import datetime, timezone

import pytest

from maadan.errors import Conflict, InvalidInput
from maadan.news.review import NewsDocument, Proposal, build_drafts, decide

NOW = datetime(2025, 9, 9, tzinfo=timezone.utc)


def doc(*proposals):
    return NewsDocument(id="ab" * 32, filename="a.txt", format="text", encoding="utf-8", published="2025-09-08",
                        published_from="given", language="en", warnings=[], text="", extraction={},
                        status="in_review", ingested_at=NOW, ingested_by="t", proposals=list(proposals))


def prop(i, field, value, no=1):
    return Proposal(id=i, document_id="ab" * 32, agreement_no=no, position=i, field=field, value=value,
                    evidence=[{"text": "x", "start": 0, "end": 1}])


def test_decisions_are_checked():
    p = prop(1, "signed", None)
    with pytest.raises(InvalidInput, match="unresolved: edit it with a value or reject it"):
        decide(p, "accept", None, "ana", NOW)
    with pytest.raises(InvalidInput, match="signed: 'Monday' is not a date"):
        decide(p, "edit", "Monday", "ana", NOW)
    with pytest.raises(InvalidInput, match="decision must be one of"):
        decide(p, "maybe", None, "ana", NOW)
    decide(p, "edit", "2025-09-08", "ana", NOW)
    assert (p.status, p.final_value, p.reviewer) == ("edited", "2025-09-08", "ana")
    amount = prop(2, "amount", {"amount": 5e8, "currency": None})
    with pytest.raises(InvalidInput, match="amount: the currency must be an ISO 4217 code"):
        decide(amount, "accept", None, "ana", NOW)


def test_drafts_only_from_reviewed_fields_and_never_while_pending():
    ps = [prop(1, "title", "MoU between A and B"), prop(2, "kind", "mou"),
          prop(3, "party", {"name": "A", "organisation_id": "ussm", "role": "company", "share": None}),
          prop(4, "party", {"name": "Z", "organisation_id": None, "role": "company", "share": None}),
          prop(5, "amount", {"amount": 5e8, "currency": None}),
          prop(6, "source", {"publisher": "a", "url": None, "date": "2025-09-08", "evidence": "quote"}),
          prop(7, "title", "Trade deal", no=2), prop(8, "kind", "trade_deal", no=2),
          prop(9, "source", {"publisher": "a", "url": None, "date": None, "evidence": None}, no=2)]
    d = doc(*ps)
    with pytest.raises(Conflict, match="9 proposal"):
        build_drafts(d)
    for p in ps[:3] + ps[5:6]:
        decide(p, "accept", None, "ana", NOW)
    decide(ps[3], "reject", None, "ana", NOW)
    decide(ps[4], "edit", {"amount": 5e8, "currency": "USD"}, "ana", NOW)
    for p in ps[6:]:
        decide(p, "reject", None, "ana", NOW)
    [(no, draft)] = build_drafts(d)
    assert no == 1
    assert draft["title"] == "MoU between A and B" and draft["kind"] == "mou"
    assert draft["parties"] == [{"name": "A", "organisation_id": "ussm", "role": "company", "share": None}]
    assert (draft["amount"], draft["currency"], draft["amount_basis"]) == (5e8, "USD", "reported")
    assert draft["sources"] == [{"publisher": "a", "url": None, "date": "2025-09-08", "evidence": "quote"}]
    assert set(draft) == {"title", "kind", "parties", "amount", "currency", "amount_basis", "sources", "notes"}
