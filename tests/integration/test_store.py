"""Schema, migrations and seeding on every backend."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from maadan.store import bbox_index, mercator_envelope
from maadan.store.schema import full_metadata
from tests.conftest import bundled_project_count


def test_migrations_build_exactly_the_tables(fresh_cli):
    assert fresh_cli("db", "upgrade")[0] == 0
    eng = create_engine(fresh_cli.url)
    with eng.connect() as conn:
        # PostGIS's own table (spatial_ref_sys, created with the extension by migration 0012) is not ours;
        # the envelope index's R*Tree tables and GiST indexes (migration 0016) and PostgreSQL's Web
        # Mercator envelope columns (migration 0023) are not in tables.py.
        ours = lambda name, type_, parent: not (  # noqa: E731
            (type_ == "table" and name == "spatial_ref_sys") or bbox_index.own_object(name or "")
            or (type_ == "column" and mercator_envelope.own_column(name or "")))
        with warnings.catch_warnings():  # SQLite cannot reflect ix_title_width (an expression); PostgreSQL compares it
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
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


def test_every_write_of_an_area_says_whether_it_is_a_rectangle(seeded_copy):
    """`rectangle` (migration 0020) is true exactly for a shape that is its envelope: PostGIS's tiles
    draw those from the envelope without reading the shape, so a wrong true would draw an L as its box.
    Set on every path that writes an area: one title, titles in bulk, an application and a change of
    its area, a changed title, a reserved area."""
    from datetime import date, datetime, timezone

    import shapely
    from sqlalchemy import text

    from maadan.cadastre.model import Application, Holder, Title
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork
    from maadan.config import load_settings

    box = shapely.box(64.0, 28.0, 64.1, 28.1)
    ell = shapely.Polygon([(64.2, 28.0), (64.3, 28.0), (64.3, 28.05), (64.25, 28.05), (64.25, 28.1), (64.2, 28.1)])
    skew = shapely.Polygon([(64.4, 28.0), (64.5, 28.0), (64.52, 28.1), (64.4, 28.1)])  # 4 corners, not its box
    holders = [Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK")]

    def title(number: str, geometry) -> Title:
        return Title(None, "PK-BA", number, "EL", "2002", holders, geometry, 1.0, date(2026, 1, 1), None, "active")

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    try:
        with UnitOfWork(engine, write=True) as uow:
            uow.cadastre.add_title(title("T/1", box))
            uow.cadastre.add_title(title("T/2", ell))
            uow.cadastre.add_titles_bulk([title("T/3", skew), title("T/4", box), title("T/5", ell)])
            app = Application(None, "PK-BA", 1, "EL", "2002", ["copper"], holders, box, 1.0,
                              datetime(2026, 1, 1, tzinfo=timezone.utc), "pending", "clear", None, None, False)
            app_id = uow.cadastre.add_application(app)
            uow.cadastre.add_reserved("PK-BA", "R1", "protected", "test", ell, 1.0)
            uow.cadastre.add_reserved("PK-BA", "R2", "protected", "test", box, 1.0)
            uow.commit()
        with UnitOfWork(engine, write=True) as uow:
            uow.cadastre.set_application_area(app_id, ell, 1.0)
            changed = uow.cadastre.title("T/2")
            changed.geometry = box
            uow.cadastre.update_title(changed)
            uow.commit()
        with engine.connect() as conn:
            titles = dict(conn.execute(text("SELECT number, rectangle FROM title WHERE number LIKE 'T/%'")).all())
            apps = [bool(r) for (r,) in conn.execute(text("SELECT rectangle FROM application"))]
            reserved = dict(conn.execute(text("SELECT name, rectangle FROM reserved_area WHERE name LIKE 'R_'")).all())
    finally:
        engine.dispose()
    assert {k: bool(v) for k, v in titles.items()} == {"T/1": True, "T/2": True, "T/3": False, "T/4": True,
                                                       "T/5": False}
    assert apps == [False]
    assert {k: bool(v) for k, v in reserved.items()} == {"R1": False, "R2": True}


def test_mineral_names_in_one_statement_are_the_names_of_every_mineral(seeded_db):
    """`MineralRepository.names` (one joined read, what a check and a filing resolve mineral names
    with) gives each mineral's aliases and symbol as reading the minerals whole does."""
    from sqlalchemy import event

    from maadan.store.uow import UnitOfWork

    engine = create_engine(seeded_db.url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with UnitOfWork(engine) as uow:
        whole = uow.minerals.all()
        statements.clear()
        names = uow.minerals.names()
    engine.dispose()
    assert len(statements) == 1
    expected = [(m.id, m.name, (*m.aliases, *([m.symbol] if m.symbol else []))) for m in whole]
    assert names == expected
    assert len(names) > 30 and any(len(n[2]) > 1 for n in names)
