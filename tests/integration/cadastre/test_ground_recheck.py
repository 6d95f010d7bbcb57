"""The ground a filing re-checks (PriorityRepository.ground_rows): the titles whose box meets the
claim's, found through the bounding-box index on SQLite too (its planner preferred the
(jurisdiction, state) index, which reads every active title of the jurisdiction)."""

from __future__ import annotations

import shapely
from sqlalchemy import event

from maadan.cadastre import service
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork


def test_ground_rows_finds_the_titles_a_box_meets_through_the_bbox_index(seeded_copy):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    try:
        service.load_demo_cadastre(UnitOfWork(engine, write=True), 300, 1, "test")
        with UnitOfWork(engine) as uow:
            titles = uow.cadastre.titles("PK-BA", ["active"])
            target = titles[17].geometry
            box = tuple(target.buffer(0.01).bounds)
            statements: list[tuple[str, object]] = []
            listener = lambda conn, cursor, sql, params, context, many: statements.append((sql, params))
            event.listen(engine, "before_cursor_execute", listener)
            try:
                rows = uow.priority.ground_rows("PK-BA", [box])
            finally:
                event.remove(engine, "before_cursor_execute", listener)
            expected = {t.number for t in titles if shapely.intersects(shapely.box(*box), shapely.box(*t.geometry.bounds))}
            assert {ref for kind, ref, _ in rows if kind == "title"} == expected
            assert titles[17].number in expected
            if engine.dialect.name == "sqlite":
                sql, params = next(s for s in statements if "FROM title" in s[0] and "geometry" in s[0])
                plan = " ".join(str(r) for r in uow.cadastre.s.connection().exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + sql, params).all())
                assert "ix_title_bbox" in plan and "ix_title_state" not in plan, plan
    finally:
        engine.dispose()
