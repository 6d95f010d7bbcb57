"""A whole register at once (issue 12 item 5): the demo cadastre and an import of titles report their
progress by stage on standard error (stdout stays clean for --json), write every title with its
holders, and an import of the export gives back the same titles."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.conftest import CLI, Database

TITLES = 1_200  # more than one write chunk would be at 1,000: several progress steps, small and quick


def _stages(err: str) -> dict[str, str]:
    """stage -> its final "done/total" as the progress bar printed it."""
    out = {}
    for line in err.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("generating", "writing", "reading", "checking"):
            out[parts[0]] = next(p for p in parts[1:] if "/" in p and p.replace("/", "").isdigit())
    return out


def _planner_knows_the_titles(url: str) -> int:
    """How many title rows the database's planner statistics say there are (0: never analysed)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                return int(conn.execute(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'title'")).scalar())
            stat = conn.execute(sa.text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'title' AND idx IS NOT NULL"
                                        " LIMIT 1")).scalar()
            return int(stat.split()[0]) if stat else 0
    finally:
        engine.dispose()


def test_demo_and_import_report_progress_and_write_every_title(copy_cli, seeded_copy, seeded_db, tmp_path, capsys,
                                                                 monkeypatch):
    code, out, err = copy_cli("demo", "cadastre", "--titles", str(TITLES), "--json")
    assert code == 0, err
    assert json.loads(out)["titles"] == TITLES  # stdout is the JSON alone
    assert _stages(err) == {"generating": f"{TITLES}/{TITLES}", "writing": f"{TITLES}/{TITLES}"}
    assert _planner_knows_the_titles(seeded_copy.url) == TITLES  # ANALYZE ran after the bulk write
    monkeypatch.setattr("maadan.store.cadastre_repository._BULK_CHUNK", 500)  # holders read 500 ids at a time
    listed = copy_cli.json("cadastre", "titles", "--limit", "5000")
    assert listed["total"] == TITLES
    monkeypatch.setattr("maadan.cadastre.exchange.EXPORT_CHUNK", 500)  # the export reads pages of 500, 500, 200
    assert copy_cli("cadastre", "export", str(tmp_path / "all.gpkg"))[0] == 0

    other = Database(seeded_db.backend, tmp_path, template=seeded_db)
    try:
        target = CLI(other.url, capsys, monkeypatch)
        code, out, err = target("cadastre", "import", str(tmp_path / "all.gpkg"), "--json")
        assert code == 0, err
        assert json.loads(out) == {"imported": TITLES, "kind": "titles"}
        assert _planner_knows_the_titles(other.url) == TITLES
        assert _stages(err) == {"reading": f"{TITLES}/{TITLES}", "checking": f"{TITLES}/{TITLES}",
                                "writing": f"{TITLES}/{TITLES}"}
        mine = {t["number"]: t for t in listed["items"]}
        theirs = {t["number"]: t for t in target.json("cadastre", "titles", "--limit", "5000")["items"]}
        assert theirs.keys() == mine.keys()
        for number, t in theirs.items():
            assert t["holders"] == mine[number]["holders"] and t["expires_on"] == mine[number]["expires_on"]
            assert t["area_km2"] == pytest.approx(mine[number]["area_km2"], rel=1e-6)
        code, _, err = target("cadastre", "import", str(tmp_path / "all.gpkg"))
        assert code != 0 and "is already registered" in err  # all or nothing: nothing written twice
        assert target.json("cadastre", "titles", "--limit", "1")["total"] == TITLES
    finally:
        other.close()


def test_the_demo_refuses_more_than_a_million(copy_cli):
    code, _, err = copy_cli("demo", "cadastre", "--titles", "1000001")
    assert code != 0 and "1,000,000" in err
