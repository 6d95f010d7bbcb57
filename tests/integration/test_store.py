"""Schema, migrations and seeding on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from maadan.store import bbox_index
from maadan.store.schema import full_metadata
from tests.conftest import bundled_project_count


def test_migrations_build_exactly_the_tables(fresh_cli):
    assert fresh_cli("db", "upgrade")[0] == 0
    eng = create_engine(fresh_cli.url)
    with eng.connect() as conn:
        # PostGIS's own table (spatial_ref_sys, created with the extension by migration 0012) is not ours;
        # the envelope index's R*Tree tables and GiST indexes (migration 0015) are not in tables.py.
        ours = lambda name, type_, parent: not (  # noqa: E731
            (type_ == "table" and name == "spatial_ref_sys") or bbox_index.own_object(name or ""))
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours}),
                                full_metadata())
    eng.dispose()
    assert diff == []


def test_commands_before_init_say_what_to_do(fresh_cli):
    code, out, err = fresh_cli("minerals", "list")
    assert code == 4
    assert "maadan db init" in err
    assert "Traceback" not in err + out


def test_seed_twice_changes_nothing_and_status_reports(fresh_cli):
    assert fresh_cli("db", "init")[0] == 0
    code, _, err = fresh_cli("db", "seed")
    assert code == 0 and "already up to date" in err
    code, _, err = fresh_cli("db", "seed", "--force")
    assert code == 0 and "0 added, 0 updated" in err
    status = fresh_cli.json("db", "status")
    assert status["revision"] == status["head"]
    assert [d["dataset"] for d in status["datasets"]] == ["reference"]


def test_summary(fresh_cli):
    assert fresh_cli("db", "init")[0] == 0
    data = fresh_cli.json("summary")
    counts = {c["id"]: c["entries"] for c in data["critical_lists"]}
    assert counts == {"usgs-2022": 50, "doe-2023": 19, "eu-2023": 34, "usgs-2025": 60}
    assert data["deposits"] + data["projects"] == bundled_project_count()
