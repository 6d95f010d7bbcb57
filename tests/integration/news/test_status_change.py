"""News that reports a later stage of an agreement the registry holds (the seeded EXIM loan for Reko Diq,
announced in November 2025) proposes a dated status change on that record, not a new agreement."""

from __future__ import annotations

import json


def _registry(url):
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    return create_db_engine(load_settings({"MAADAN_DATABASE_URL": url})), UnitOfWork


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
        for a in data["agreements"]:
            for x in a["fields"]:
                if x["value"] is None:
                    assert copy_cli("news", "review", x["id"], "reject")[0] == 0
                elif x["field"] == "source":
                    value = dict(x["value"], publisher="Example Wire")
                    assert copy_cli("news", "review", x["id"], "edit", "--value", json.dumps(value))[0] == 0
                else:
                    assert copy_cli("news", "review", x["id"], "accept", "--reviewer", "ana")[0] == 0
        out = copy_cli.json("news", "commit", data["id"][:12], "--actor", "ana")
        assert "2025-11-23-us-exim-reko-diq-loan" in out["agreements"]
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
