"""Agreements with a history, on every backend: a status change with its source is added to the
held record (a second report corroborates it), a sourced claim is corrected with a record and never
silently rewritten, merged ids lead to the merged record, and stale records are listed."""

from __future__ import annotations

from datetime import date

import pytest

from maadan.agreements import service
from maadan.config import load_settings
from maadan.errors import DataFileError, InvalidInput, NotFound
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork

EXIM = "2025-11-23-us-exim-reko-diq-loan"
USSM = "2025-09-08-ussm-fwo-mou"
SRC = {"publisher": "Example Wire", "url": "https://wire.example/exim-close", "date": "2026-11-30",
       "evidence": "The lenders closed the financing."}


@pytest.fixture
def uow(seeded_copy):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    yield lambda write=False: UnitOfWork(engine, write=write)
    engine.dispose()


def test_merged_ids_lead_to_the_one_record_with_its_history(uow):
    for old in ("2025-11-23-exim-reko-diq-loan-announced", "2025-12-10-exim-reko-diq-loan-approved",
                "2025-11-28-reko-diq-financing-structure-reported"):
        assert service.get_agreement(uow(), old).id == EXIM
    a = service.get_agreement(uow(), EXIM)
    assert [c.status for c in a.history] == ["announced", "approved", "deferred"]
    assert a.status == "deferred" and a.status_as_of == "2026-03-26"
    assert all(s.cited for c in a.history for s in c.sources)
    with pytest.raises(NotFound):
        service.get_agreement(uow(), "2025-11-23-exim")


def test_a_later_stage_is_added_as_a_status_change_with_its_source(uow):
    updated = service.add_status_change(uow(write=True), EXIM, {"status": "closed", "date": "2026-11-30",
                                                              "sources": [SRC]}, actor="news:test")
    assert updated.status == "closed" and updated.history[-1].sources[0].url == SRC["url"]
    stored = service.get_agreement(uow(), EXIM)
    assert stored == updated and [c.status for c in stored.history][-2:] == ["deferred", "closed"]
    # a second report of the same change adds its source to it, not a second change
    again = dict(SRC, url="https://other.example/close", publisher="Other")
    twice = service.add_status_change(uow(write=True), EXIM, {"status": "closed", "date": "2026-11",
                                                            "sources": [again]}, actor="news:test")
    assert len(twice.history) == len(updated.history)
    assert [s.url for s in twice.history[-1].sources] == [SRC["url"], again["url"]]
    assert twice.history[-1].date == "2026-11-30"  # the more precise date is kept


def test_a_report_dating_a_change_differently_is_kept_beside_it(uow):
    a = service.add_status_change(uow(write=True), EXIM, {"status": "announced", "date": "2025-11-24",
                                                        "sources": [SRC | {"date": "2025-11-24"}]}, actor="t")
    announced = [c for c in a.history if c.status == "announced"]
    assert [c.date for c in announced] == ["2025-11-23", "2025-11-24"] and a.status == "deferred"


@pytest.mark.parametrize("change, message", [
    ({"status": "closed", "date": "2026-11-30"}, "change.sources: at least one source is required"),
    ({"status": "won", "date": "2026", "sources": [SRC]}, "change.status: 'won' is not one of"),
    ({"status": "closed", "date": "2026-11-30", "as_of": "2026-12-25", "sources": [SRC]},
     "as of 2026-12-25 is newer than its latest source"),
])
def test_bad_status_changes_change_nothing(uow, change, message):
    before = service.get_agreement(uow(), EXIM)
    with pytest.raises(InvalidInput, match=message):
        service.add_status_change(uow(write=True), EXIM, change, actor="t")
    assert service.get_agreement(uow(), EXIM) == before


def test_a_status_change_on_an_unknown_agreement_suggests(uow):
    with pytest.raises(NotFound) as exc:
        service.add_status_change(uow(write=True), "2025-11-23-us-exim-reko-diq-lon",
                                  {"status": "closed", "date": "2026", "sources": [SRC]}, actor="t")
    assert EXIM in exc.value.details["suggestions"]


def test_a_sourced_claim_is_corrected_with_a_record_never_silently(uow):
    with pytest.raises(InvalidInput, match="amount: a sourced claim is corrected, not overwritten"):
        service.edit_agreement(uow(write=True), EXIM, {"amount": 1.3e9}, actor="user:ana")
    fixed = service.edit_agreement(uow(write=True), EXIM, {"amount": 1.3e9, "correction": {
        "why": "The fact sheet gives US$1.3bn", "sources": [SRC]}}, actor="user:ana")
    record = fixed.corrections[-1]
    assert (record.claim, record.old, record.new, record.by) == (
        "amount", "USD 1,250,000,000 (approved)", "USD 1,300,000,000 (approved)", "user:ana")
    assert record.sources[0].url == SRC["url"] and record.at.startswith(str(date.today().year))
    assert service.get_agreement(uow(), EXIM).corrections == fixed.corrections
    # an unsourced claim may be edited; the change is still recorded
    edited = service.edit_agreement(uow(write=True), EXIM, {"place": "Islamabad"}, actor="user:ana")
    assert edited.corrections[-1].claim == "place" and edited.corrections[-1].old is None
    with pytest.raises(InvalidInput, match="corrections: are recorded by the registry"):
        service.edit_agreement(uow(write=True), EXIM, {"corrections": []}, actor="user:ana")
    with pytest.raises(InvalidInput, match="status: 'closed' disagrees with the latest status change"):
        service.edit_agreement(uow(write=True), EXIM, {"status": "closed"}, actor="user:ana")


def test_stale_lists_unfinished_records_whose_newest_source_is_old(uow):
    rows = service.stale_agreements(uow(), older_than_days=180, today=date(2026, 12, 3))
    ids = [r.agreement.id for r in rows]
    assert EXIM in ids and rows[ids.index(EXIM)].latest_source == "2026-03"  # a source of March 2026
    assert all(not r.agreement.final for r in rows)
    assert all(r.latest_source is None or r.age_days > 180 for r in rows)
    fresh = service.stale_agreements(uow(), older_than_days=100000, today=date(2026, 12, 3))
    assert all(r.latest_source is None for r in fresh)
    with pytest.raises(InvalidInput, match="older than"):
        service.stale_agreements(uow(), older_than_days=-1)


def test_a_bundle_that_rewrites_a_sourced_claim_without_a_correction_is_refused(uow):
    from dataclasses import replace

    stored = service.get_agreement(uow(), EXIM)
    rewritten = replace(stored, amount=2e9)
    with uow(write=True) as u:
        with pytest.raises(DataFileError, match=r"amount: 'USD 1,250,000,000 \(approved\)' -> 'USD 2,000,000,000"):
            service.seed_agreements(u, [rewritten])
    from maadan.evidence.model import Correction

    corrected = replace(rewritten, corrections=stored.corrections + (Correction(
        claim="amount", old="1.25bn", new="2bn", why="test", by="t", at="2026-12-03"),))
    with uow(write=True) as u:
        assert service.seed_agreements(u, [corrected]).updated == 1


def test_cli_shows_history_claims_and_corrections_adds_a_status_and_lists_stale(copy_cli, tmp_path):
    code, out, _ = copy_cli("agreements", "show", EXIM)
    assert code == 0 and "Status history (as of 2026-03-26)" in out and "deferred" in out
    assert "Claims and their sources" in out and "Corrections" in out and "unsourced" not in out
    change = tmp_path / "change.yaml"
    change.write_text("status: closed\ndate: 2026-11-30\nsources:\n  - {publisher: W, url: 'https://w.example/a', "
                      "date: 2026-11-30, evidence: closed}\n")
    data = copy_cli.json("agreements", "add-status", EXIM, str(change))
    assert data["status"] == "closed" and data["history"][-1]["sources"][0]["url"] == "https://w.example/a"
    change.write_text("status: closed\ndate: 2026-11-31\nsources: [x]\n")
    code, _, err = copy_cli("agreements", "add-status", EXIM, str(change))
    assert code == 2 and "not valid YAML: day is out of range" in " ".join(err.split())
    stale = copy_cli.json("agreements", "stale", "--older-than", "30")
    assert stale["older_than_days"] == 30 and EXIM not in [r["id"] for r in stale["items"]]  # just sourced
    assert all(r["latest_source"] is None or r["age_days"] > 30 for r in stale["items"])
    code, out, _ = copy_cli("agreements", "stale")
    assert code == 0 and "older than 180 days" in out
    code, _, err = copy_cli("agreements", "stale", "--older-than", "-3")
    assert code == 2 and "older than" in err
