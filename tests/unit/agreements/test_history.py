"""An agreement with a dated status history: the status follows the latest change, each change has
its own sources, "as of" never outruns the sources, dates agree with the history, and every claim
lists the sources beside it (or is unsourced)."""

from __future__ import annotations

import pytest

from maadan.agreements.history import conflicting, parse_history
from maadan.agreements.model import apply_changes, parse_agreement
from maadan.errors import InvalidInput

SRC = {"publisher": "Dawn", "url": "https://dawn.example/1", "date": "2025-11-24", "evidence": "a loan"}


def loan(**extra):
    draft = {"id": "exim", "title": "EXIM loan", "kind": "loan", "amount": 1.25e9, "currency": "USD",
             "parties": [{"name": "EXIM", "organisation_id": "us-exim", "role": "lender"},
                         {"name": "RDMC", "role": "company"}],
             "sources": [SRC | {"supports": ["amount", "party:us-exim"]}],
             "history": [{"status": "approved", "date": "2025-12", "sources": [SRC | {"date": "2025-12-10"}]},
                         {"status": "announced", "date": "2025-11-23", "sources": [SRC]}]}
    return parse_agreement(draft | extra)


def test_status_follows_the_latest_change_and_fills_the_announced_date():
    a = loan()
    assert [c.status for c in a.history] == ["announced", "approved"]  # ordered by date
    assert a.status == "approved" and a.announced == "2025-11-23" and a.date == "2025-11-23"
    assert a.status_as_of == "2025-12-10"  # the newest source of the latest change
    assert not a.final


def test_a_status_that_contradicts_the_history_is_refused():
    with pytest.raises(InvalidInput, match=r"status: 'closed' disagrees with the latest status change"):
        loan(status="closed")
    assert loan(status="approved").status == "approved"
    with pytest.raises(InvalidInput, match=r"announced: 2025-10-01 disagrees with the 'announced' status change"):
        loan(announced="2025-10-01")
    assert loan(announced="2025-11").announced == "2025-11"  # the same day at a coarser precision


@pytest.mark.parametrize("change, message", [
    ({"status": "approved", "sources": [SRC]}, r"history\[0\].date: is required"),
    ({"status": "waiting", "date": "2025", "sources": [SRC]}, r"history\[0\].status: 'waiting' is not one of"),
    ({"status": "approved", "date": "2025-11"}, r"history\[0\].sources: at least one source is required"),
    ({"status": "approved", "date": "2025-11", "as_of": "2026-01", "sources": [SRC]},
     r"history\[0\].as_of: as of 2026-01 is newer than its latest source \(2025-11-24\)"),
    ({"status": "approved", "date": "2025-11", "as_of": "2025-10", "sources": [SRC]},
     r"history\[0\].as_of: 2025-10 is before the change itself"),
    ({"status": "approved", "date": "2025-11", "as_of": "2025-12", "sources": [{"publisher": "x"}]},
     r"as of 2025-12 needs a dated source"),
    ({"status": "approved", "date": "2025-02-30", "sources": [SRC]}, r"history\[0\].date: day 30"),
    ({"status": "approved", "date": "2025-11", "sources": [SRC | {"supports": ["amount"]}]},
     r"history\[0\].sources\[0\].supports: is not used here"),
])
def test_bad_status_changes_name_the_field(change, message):
    with pytest.raises(InvalidInput, match=message):
        loan(history=[change])


def test_changes_whose_dates_overlap_keep_the_order_they_were_given():
    history = parse_history([{"status": "announced", "date": "2025-11-23", "sources": [SRC]},
                             {"status": "approved", "date": "2025-11", "sources": [SRC]},
                             {"status": "announced", "date": "2025-04", "sources": [SRC]}])
    assert [(c.status, c.date) for c in history] == [("announced", "2025-04"), ("announced", "2025-11-23"),
                                                     ("approved", "2025-11")]


def test_as_of_at_month_precision_may_equal_a_source_of_that_month():
    a = loan(history=[{"status": "approved", "date": "2025-11", "as_of": "2025-11", "sources": [SRC]}])
    assert a.status_as_of == "2025-11"


def test_conflicting_dates_of_one_change_are_kept_side_by_side():
    history = parse_history([{"status": "approved", "date": "2025-12-08", "sources": [SRC]},
                             {"status": "approved", "date": "2025-12-10", "sources": [SRC]}])
    assert len(history) == 2 and len(conflicting(history)) == 1


def test_supports_must_name_a_claim_of_the_record():
    with pytest.raises(InvalidInput, match=r"sources\[0\].supports\[0\]: 'price' is not a claim of this record"):
        loan(sources=[SRC | {"supports": ["price"]}])
    with pytest.raises(InvalidInput, match=r"'party:nobody' is not a claim"):
        loan(sources=[SRC | {"supports": ["party:nobody"]}])
    assert loan(sources=[SRC | {"supports": ["party:RDMC"]}]).sources[0].supports == ("party:RDMC",)


def test_claims_carry_their_sources_and_the_rest_is_unsourced():
    a = loan()
    claims = {c.key: c for c in a.claims()}
    assert claims["amount"].sources[0].url == SRC["url"] and claims["amount"].sourced
    assert claims["party:us-exim"].sourced and not claims["party:RDMC"].sourced
    assert claims["announced"].sourced  # by the 'announced' status change
    assert claims["status"].value == "approved" and claims["status"].as_of == "2025-12-10"
    assert a.unsourced() == ["kind", "party:RDMC"]
    data = a.as_dict()
    assert data["unsourced"] == ["kind", "party:RDMC"] and data["status_as_of"] == "2025-12-10"
    amount = next(c for c in data["claims"] if c["claim"] == "amount")
    assert amount["sources"][0]["evidence"] == "a loan" and amount["sourced"] is True


def test_the_draft_round_trips_with_history_corrections_and_readings():
    a = loan(readings=[{"field": "amount", "value": "1.3bn", "source": {"publisher": "HT", "url": "https://h.example",
                                                                           "date": "2026-02-05", "evidence": "1.3"}}],
             corrections=[{"claim": "amount", "old": "1", "new": "2", "why": "typo", "by": "me", "at": "2026-12-03"}],
             replaces=["old-exim"])
    assert parse_agreement(a.to_draft()) == a
    assert a.readings[0].cited and a.readings[0].source == "HT"
    assert apply_changes(a, {"notes": "x"}).history == a.history


def test_an_edit_of_the_history_moves_the_status():
    a = loan()
    history = a.to_draft()["history"] + [{"status": "deferred", "date": "2026-02", "sources": [SRC | {"date": "2026-02"}]}]
    assert apply_changes(a, {"history": history}).status == "deferred"


def test_final_statuses_and_kinds():
    assert loan(history=[{"status": "disbursed", "date": "2026", "sources": [SRC]}]).final
    assert parse_agreement({"title": "Forum", "kind": "event", "sources": ["x"]}).final
    assert parse_agreement({"title": "Ship", "kind": "shipment", "status": "closed", "sources": ["x"]}).final
    assert not parse_agreement({"title": "MoU", "kind": "mou", "status": "signed", "sources": ["x"]}).final


def test_a_record_cannot_replace_itself():
    with pytest.raises(InvalidInput, match="replaces: 'exim' cannot replace itself"):
        loan(replaces=["exim"])
