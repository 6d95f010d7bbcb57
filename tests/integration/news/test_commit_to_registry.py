"""Committing reviewed proposals through the real agreements registry, end to end. The registry already
holds the 8 September MoU (seed data), so the article corroborates it: its source is added, no duplicate."""

from __future__ import annotations

import json

from tests.conftest import shared_file


def test_real_article_reviewed_and_committed_to_the_registry(copy_cli, tmp_path):
    from maadan.agreements import service as registry

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
    assert len(out["agreements"]) == 2 and "2025-09-08-ussm-fwo-mou" in out["corroborated"]

    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": copy_cli.url}))
    try:
        found = registry.find_agreements(UnitOfWork(engine), organisation="ussm", kind="mou")
        committed = [a for a in found if a.id in out["agreements"]]
        assert [a.id for a in committed] == ["2025-09-08-ussm-fwo-mou"]  # the seeded record, not a copy
        a = committed[0]
        assert a.signed == "2025-09-08" and a.place == "Prime Minister House"
        assert [p.organisation_id for p in a.parties][:2] == ["ussm", "fwo"]
        assert source["publisher"] in [s.publisher for s in a.sources]
        assert len([x for x in found if x.signed == "2025-09-08" and x.kind == "mou"
                    and {"ussm", "fwo"} <= {p.organisation_id for p in x.parties}]) == 1
    finally:
        engine.dispose()
    code, _, err = copy_cli("news", "commit", data["id"][:12])
    assert code == 3 and "was committed" in err
