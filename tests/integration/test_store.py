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


def test_events_by_subject_and_by_kind_match_a_scan_of_the_register(seeded_db, tmp_path):
    """The register's lookups the officers' queue uses (ix_audit_event_subject)
    give what filtering every event gives: a subject's events with a kind prefix, in order, and the
    latest events of a prefix but some kinds, newest first."""
    from maadan.audit.service import record
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork
    from tests.conftest import Database

    db = Database(seeded_db.backend, tmp_path, template=seeded_db)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    try:
        kinds = ["application.received", "application.accept", "application.grant", "applications.x",
                 "applicatioN.odd", "competition.formed", "application.refuse"]
        with UnitOfWork(engine, write=True) as uow:
            for i in range(60):
                record(uow, "cli:test", kinds[i % len(kinds)], f"PK-BA/A{i % 9}", {"i": i})
            uow.commit()
        with UnitOfWork(engine) as uow:
            every = uow.cadastre.events()
            subjects = ["PK-BA/A1", "PK-BA/A4", "PK-BA/A8", "nobody"]
            got = uow.cadastre.events_of(subjects, "application.")
            latest = uow.cadastre.latest_events("application.", 5, exclude=["application.received"])
        want = [e for e in every if e.subject in subjects and e.kind.startswith("application.")]
        assert [e.seq for e in got] == [e.seq for e in want] and len(want) > 5
        newest = [e for e in reversed(every) if e.kind.startswith("application.") and e.kind != "application.received"]
        assert [e.seq for e in latest] == [e.seq for e in newest[:5]]
        assert {e.kind for e in got} <= {"application.received", "application.accept", "application.grant",
                                         "application.refuse"}
    finally:
        engine.dispose()
        db.close()
