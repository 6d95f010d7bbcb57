"""Committing reviewed proposals through the real agreements registry. Skipped until the agreements
branch is merged (maadan.agreements is not on the news branch); then it checks the contract end to end."""

from __future__ import annotations

import json

import pytest

from tests.conftest import shared_file


def test_real_article_reviewed_and_committed_to_the_registry(copy_cli, tmp_path):
    registry = pytest.importorskip("maadan.agreements.service", reason="needs the agreements registry (issue 6)")
    path = shared_file("texts", "2025-09-08-ussm-fwo-mou.txt")
    data = copy_cli.json("ingest", "news", path, "--published", "2025-09-08")
    mou, deal = data["agreements"]
    source = {"publisher": "Dawn", "url": None, "date": "2025-09-08", "evidence": None}
    for a in (mou, deal):
        for f in a["fields"]:
            if f["field"] == "source":
                assert copy_cli("news", "review", f["id"], "edit", "--value", json.dumps(source))[0] == 0
            else:
                assert copy_cli("news", "review", f["id"], "accept", "--reviewer", "ana")[0] == 0
    out = copy_cli.json("news", "commit", data["id"][:12], "--actor", "ana")
    assert len(out["agreements"]) == 2

    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": copy_cli.url}))
    try:
        found = registry.find_agreements(UnitOfWork(engine), organisation="ussm", kind="mou")
        committed = [a for a in found if a.id in out["agreements"]]
        assert len(committed) == 1
        a = committed[0]
        assert a.signed == "2025-09-08" and a.place == "Prime Minister House"
        assert [p.organisation_id for p in a.parties] == ["ussm", "fwo"]
        assert "critical-minerals" in a.minerals
    finally:
        engine.dispose()
    code, _, err = copy_cli("news", "commit", data["id"][:12])
    assert code == 3 and "was committed" in err
