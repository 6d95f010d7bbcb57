"""News that reports a later stage of an agreement the registry holds (the seeded EXIM loan for Reko Diq,
announced in November 2025) proposes a dated status change on that record, not a new agreement."""

from __future__ import annotations

import json


def _registry(url):
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    return create_db_engine(load_settings({"MAADAN_DATABASE_URL": url})), UnitOfWork


def _review_all(copy_cli, data, publisher="Example Wire"):
    """Accept every proposed field, reject the unresolved ones, give the source a publisher."""
    for a in data["agreements"]:
        for x in a["fields"]:
            if x["value"] is None:
                assert copy_cli("news", "review", x["id"], "reject")[0] == 0
            elif x["field"] == "source":
                value = dict(x["value"], publisher=publisher)
                assert copy_cli("news", "review", x["id"], "edit", "--value", json.dumps(value))[0] == 0
            else:
                assert copy_cli("news", "review", x["id"], "accept", "--reviewer", "ana")[0] == 0


def _change(data):
    return next(x for a in data["agreements"] for x in a["fields"] if x["field"] == "status_change")


def test_a_later_stage_is_a_status_change_on_the_held_loan(copy_cli, tmp_path):
    from maadan.agreements import service as registry

    f = tmp_path / "exim.txt"
    f.write_text("The Export-Import Bank of the United States disbursed the first tranche of its $1.25 billion "
                 "loan for the Reko Diq project on Monday, a bank spokesperson said.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f, "--published", "2026-05-04")
    loan = next(a for a in data["agreements"] if any(x["field"] == "kind" and x["value"] == "loan"
                                                      for x in a["fields"]))
    change = next(x for x in loan["fields"] if x["field"] == "status_change")
    assert change["value"] == {"agreement": "2025-11-23-us-exim-reko-diq-loan", "status": "disbursed",
                               "date": "2026-05-04"}
    assert "2025-11-23-us-exim-reko-diq-loan" in change["note"] and [e["text"] for e in change["evidence"]] == [
        "disbursed", "on Monday"]
    engine, UnitOfWork = _registry(copy_cli.url)
    try:
        before = len(registry.find_agreements(UnitOfWork(engine)))
        _review_all(copy_cli, data)
        out = copy_cli.json("news", "commit", data["id"][:12], "--actor", "ana")
        assert "2025-11-23-us-exim-reko-diq-loan" in out["agreements"] and out["corroborated"] == []
        assert out["status_changes"] == [{"agreement": "2025-11-23-us-exim-reko-diq-loan", "status": "disbursed",
                                          "date": "2026-05-04"}]
        assert len(registry.find_agreements(UnitOfWork(engine))) == before  # no new agreement
        held = registry.get_agreement(UnitOfWork(engine), "2025-11-23-us-exim-reko-diq-loan")
        latest = [c for c in held.history if c.status == "disbursed"]
        assert [c.date for c in latest] == ["2026-05-04"] and held.status == "disbursed"
        assert any(s.publisher == "Example Wire" for s in latest[0].sources)
    finally:
        engine.dispose()


def test_rejecting_the_status_change_adds_the_agreement_as_usual(copy_cli, tmp_path):
    f = tmp_path / "exim2.txt"
    f.write_text("The Export-Import Bank of the United States approved a $1.25 billion loan for the Reko Diq "
                 "project on Wednesday.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f)  # no publication date: the stage's date is unresolved
    loan = data["agreements"][0]
    change = next(x for x in loan["fields"] if x["field"] == "status_change")
    assert change["value"] is None and '"status": "approved"' in change["note"]
    code, _, err = copy_cli("news", "review", str(change["id"]), "accept")
    assert code == 2 and "unresolved" in err
    code, _, err = copy_cli("news", "review", str(change["id"]), "edit", "--value",
                            json.dumps({"agreement": "2025-11-23-us-exim-reko-diq-loan", "status": "approved",
                                        "date": "someday"}))
    assert code == 2 and "status_change" in err and "not a date" in err


def test_a_stage_dated_otherwise_stays_beside_the_held_one_and_a_repeat_adds_its_source(copy_cli, tmp_path):
    """The held loan was announced on 2025-11-23. An article saying it was announced on 1 December is
    another reading, kept beside the first; one saying it was approved on 28 November refines the held
    approval of November 2025 and adds itself to that stage's sources. Neither adds an agreement."""
    from maadan.agreements import service as registry

    held_id = "2025-11-23-us-exim-reko-diq-loan"
    other = tmp_path / "announced.txt"
    other.write_text("The Export-Import Bank of the United States announced a $1.25 billion loan for the Reko "
                     "Diq project on 1 December 2025.", encoding="utf-8")
    repeat = tmp_path / "approved.txt"
    repeat.write_text("The Export-Import Bank of the United States approved a $1.25 billion loan for the Reko "
                      "Diq project on 28 November 2025.", encoding="utf-8")
    engine, UnitOfWork = _registry(copy_cli.url)
    try:
        before = len(registry.find_agreements(UnitOfWork(engine)))
        first = copy_cli.json("ingest", "news", other, "--published", "2025-12-02")
        change = _change(first)
        assert change["value"] == {"agreement": held_id, "status": "announced", "date": "2025-12-01"}
        assert "now deferred" in change["note"] and "Accepting records a dated status change" in change["note"]
        _review_all(copy_cli, first, publisher="Wire A")
        assert copy_cli.json("news", "commit", first["id"][:12], "--actor", "ana")["agreements"] == [held_id]

        second = copy_cli.json("ingest", "news", repeat, "--published", "2025-11-29")
        change = _change(second)
        assert change["value"] == {"agreement": held_id, "status": "approved", "date": "2025-11-28"}
        assert "with this stage already" in change["note"]
        _review_all(copy_cli, second, publisher="Wire B")
        copy_cli.json("news", "commit", second["id"][:12], "--actor", "ana")

        assert len(registry.find_agreements(UnitOfWork(engine))) == before
        held = registry.get_agreement(UnitOfWork(engine), held_id)
        announced = sorted((c.date, {s.publisher for s in c.sources}) for c in held.history
                           if c.status == "announced")
        assert [d for d, _ in announced] == ["2025-11-23", "2025-12-01"]  # side by side
        assert "Wire A" in announced[1][1] and "Wire A" not in announced[0][1]
        approved = [c for c in held.history if c.status == "approved"]
        assert len(approved) == 1 and "Wire B" in {s.publisher for s in approved[0].sources}
        assert len(approved[0].sources) == 4  # the three held sources and the article
    finally:
        engine.dispose()


def test_no_held_match_proposes_no_status_change(copy_cli, tmp_path):
    """Same lender, another project and amount: a new loan, not a stage of the held one."""
    f = tmp_path / "other-loan.txt"
    f.write_text("The Export-Import Bank of the United States approved a $40 million loan for a lithium "
                 "refinery in Nevada on 3 March 2026.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f, "--published", "2026-03-04")
    assert not any(x["field"] == "status_change" for a in data["agreements"] for x in a["fields"])
