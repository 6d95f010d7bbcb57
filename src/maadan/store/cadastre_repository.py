"""Persistence of applications, titles, holders, money, obligations and the audit chain."""

from __future__ import annotations

from datetime import date, datetime, timezone
import json
from typing import Any, Callable, Iterable

import numpy as np
import shapely
from sqlalchemy import (
    JSON, Integer, Numeric, and_, any_, bindparam, case, cast, extract, func, insert, or_, select, text, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from maadan.audit.events import Document, Event
from maadan.cadastre.geometry import rectangles
from maadan.cadastre.lifecycle import PENDING
from maadan.cadastre.model import Application, Conflict, Holder, Invoice, Obligation, Title, TitleStanding
from maadan.store import bbox_index
from maadan.store import tables as t
from maadan.store.database import driver_errors

Progress = Callable[[int, int], None]  # (done, total)
_BULK_CHUNK = 5_000
_TOUCH_EACH_UP_TO = 1_000  # titles written in bulk: logged one by one up to this many, else as "*"
SPATIAL_CHANGES_KEPT = 100_000  # versions of the change log kept; a process further behind rebuilds
_PRUNE_EVERY = 1_000

def _geom_values(geometry: Any, area_km2: float) -> dict[str, Any]:
    minx, miny, maxx, maxy = geometry.bounds
    return {"geometry": shapely.to_wkb(geometry), "area_km2": area_km2,
            "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy,
            "rectangle": bool(rectangles(np.array([geometry], dtype=object))[0])}


Box = tuple[float, float, float, float]  # west, south, east, north (lon/lat)


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _box_of(values: Any) -> Box | None:
    """A stored envelope's four values (minx, miny, maxx, maxy) as a Box; None when not stored."""
    return None if values is None or values[0] is None else tuple(float(v) for v in values)  # type: ignore[return-value]


def _within(a: Box, b: Box) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything Maadan stores is UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _holder_values(h: Holder) -> dict[str, Any]:
    return {"name": h.name, "organisation_id": h.organisation_id, "country": h.country, "kind": h.kind,
            "body_corporate": h.body_corporate, "share_pct": h.share_pct, "beneficial_owners": list(h.beneficial_owners),
            "shareholders": None if h.shareholders is None else [[n, p] for n, p in h.shareholders],
            "local_to": None if h.local_to is None else list(h.local_to)}


def _among(session: Session, column: Any, ids: list[int]) -> Any:
    """`column IN ids`: on PostgreSQL as `= ANY(array)`, one parameter whatever the length, so the
    driver neither parses nor casts a placeholder per id and the statement text stays the same."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return column == any_(bindparam("among_ids", ids, type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


def _holder(r: Any) -> Holder:
    """A holder from its row's mapping (or the same columns as JSON, where 100.0 comes as 100)."""
    return Holder(
        name=r["name"], share_pct=float(r["share_pct"]), country=r["country"], kind=r["kind"],
        organisation_id=r["organisation_id"], body_corporate=bool(r["body_corporate"]),
        beneficial_owners=tuple(r["beneficial_owners"] or ()),
        shareholders=None if r["shareholders"] is None else tuple((str(n), float(p)) for n, p in r["shareholders"]),
        local_to=None if r["local_to"] is None else tuple(r["local_to"]))


def _day(value: Any) -> Any:
    """A date column as a date (JSON brings it as an ISO string)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _obligation(r: Any) -> Obligation:
    return Obligation(id=r["id"], title_number=r["title_number"], code=r["code"], description=r["description"],
                      due_on=_day(r["due_on"]), legal_basis=r["legal_basis"], verified=bool(r["verified"]),
                      met_on=_day(r["met_on"]))


def _invoice(r: Any) -> Invoice:
    return Invoice(id=r["id"], title_number=r["title_number"], application_number=r["application_number"],
                   kind=r["kind"], period=r["period"], due_on=_day(r["due_on"]), amount=float(r["amount"]),
                   currency=r["currency"], verified=bool(r["verified"]), paid=float(r["paid"]), jurisdiction=r["jurisdiction"])


def _title(r: Any, holders: list[Holder], geometry: Any) -> Title:
    return Title(
        id=r.id, jurisdiction=r.jurisdiction, number=r.number, title_type=r.title_type,
        rules_version=r.rules_version, holders=holders, geometry=geometry, area_km2=r.area_km2,
        granted_on=r.granted_on, expires_on=r.expires_on, state=r.state, minerals=list(r.minerals),
        application_number=r.application_number, renewals=r.renewals, synthetic=bool(r.synthetic),
        rules_basis=r.rules_basis)


# PostgreSQL: one title with its holders, obligations and invoices in one statement (one round trip).
_TITLE_WITH_DUES = text("""
SELECT t.*,
  (SELECT json_agg(row_to_json(h) ORDER BY h.position) FROM holder h WHERE h.title_id = t.id) AS holders_json,
  (SELECT json_agg(row_to_json(o) ORDER BY o.due_on, o.id) FROM obligation o WHERE o.title_number = t.number)
      AS obligations_json,
  (SELECT json_agg(row_to_json(i) ORDER BY i.due_on, i.id) FROM invoice i WHERE i.title_number = t.number)
      AS invoices_json
FROM title t WHERE t.number = :number""")

# PostgreSQL with PostGIS: the ids of one OGC page of titles in a bbox and the number matched, in one
# statement: the envelope index (store/bbox_index.py) finds the candidates, rows straddling the box's
# edge are tested exactly: a rectangle along the axes (`rectangle`) by its envelope (the box operator
# `&&` compares within 1e-6, so not alone), any other shape by GEOS in the database. The page's
# features come from the caller's cache (ogc/collections.py), so no row, geometry or holder is sent
# for a feature already encoded.
_TITLE_IDS_IN_BBOX = """
WITH hit AS MATERIALIZED (
  SELECT t.id FROM title t
  WHERE box(point(t.minx, t.miny), point(t.maxx, t.maxy)) && box(point(:minx, :miny), point(:maxx, :maxy)) {temporal}
    AND ((t.minx >= :minx AND t.maxx <= :maxx AND t.miny >= :miny AND t.maxy <= :maxy)
         OR (t.rectangle AND t.maxx >= :minx AND t.minx <= :maxx AND t.maxy >= :miny AND t.miny <= :maxy)
         OR ST_Intersects(ST_GeomFromWKB(t.geometry, 4326), ST_GeomFromWKB(:box, 4326)))
)
SELECT (SELECT count(*) FROM hit) AS matched, ARRAY(SELECT id FROM hit ORDER BY id LIMIT :limit OFFSET :offset) AS ids"""
_POSTGIS: dict[str, bool] = {}  # database URL -> whether PostGIS is installed there (checked once per process)


def _kind_prefix(session: Session, prefix: str) -> tuple[Any, ...]:
    """Conditions true for the event kinds that start with `prefix`, exactly (case counts): a range
    on SQLite, which compares text byte by byte (its LIKE ignores case); LIKE on PostgreSQL, whose
    collation may order punctuation otherwise (its LIKE is exact)."""
    kind = t.audit_event.c.kind
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return (kind.startswith(prefix, autoescape=True),)
    return kind >= prefix, kind < prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _bbox_geometry(bbox: tuple[float, float, float, float]) -> Any:
    """The box as a geometry; a degenerate box is a point or a line."""
    minx, miny, maxx, maxy = bbox
    if minx == maxx or miny == maxy:
        return shapely.Point(minx, miny) if minx == maxx and miny == maxy else \
            shapely.LineString([(minx, miny), (maxx, maxy)])
    return shapely.box(minx, miny, maxx, maxy)


SPATIAL_VERSION_SQL = "SELECT spatial_version FROM cadastre_counter WHERE jurisdiction = {mark}"  # the driver's mark


class CadastreRepository:
    def __init__(self, session: Session):
        self.s = session
        # jurisdiction -> (transaction, its new spatial version, keys already written for it)
        self._bumped: dict[str, tuple[Any, int, dict[tuple[str, str], Box | None]]] = {}

    # --- numbering and spatial version ---------------------------------------------------------
    def lock(self, jurisdiction: str) -> int:
        """Lock the jurisdiction's counter row for this transaction; returns the last number used.
        The row is made on the first lock of a jurisdiction (or of a lock name, audit_repository);
        after that a lock is one statement."""
        locked = select(t.cadastre_counter.c.last_application).where(
            t.cadastre_counter.c.jurisdiction == jurisdiction).with_for_update()
        row = self.s.execute(locked).scalar()
        if row is None:
            self._add_counter(jurisdiction)
            row = self.s.execute(locked).scalar_one()
        return int(row)

    def _add_counter(self, jurisdiction: str) -> None:
        """The jurisdiction's counter row, unless another transaction made it first."""
        dialect = self.s.bind.dialect.name if self.s.bind else "sqlite"
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(t.cadastre_counter)
        self.s.execute(ins.values(jurisdiction=jurisdiction, last_application=0, spatial_version=0)
                       .on_conflict_do_nothing(index_elements=["jurisdiction"]))

    def set_last_application(self, jurisdiction: str, number: int) -> None:
        self.s.execute(update(t.cadastre_counter).where(t.cadastre_counter.c.jurisdiction == jurisdiction)
                       .values(last_application=number))

    def bump_spatial(self, jurisdiction: str) -> int:
        """This transaction's spatial version of the jurisdiction: the stored one plus one, taken
        once per transaction (the counter row stays locked until it ends)."""
        tx = self.s.get_transaction()
        held = self._bumped.get(jurisdiction)
        if held is not None and held[0] is tx:
            return held[1]
        # The update locks the counter row as `lock` would; a jurisdiction without one gets it first.
        bump = (update(t.cadastre_counter).where(t.cadastre_counter.c.jurisdiction == jurisdiction)
                .values(spatial_version=t.cadastre_counter.c.spatial_version + 1)
                .returning(t.cadastre_counter.c.spatial_version))
        version = self.s.execute(bump).scalar()
        if version is None:
            self.lock(jurisdiction)
            version = self.s.execute(bump).scalar_one()
        self._bumped[jurisdiction] = (tx, int(version), {})
        if version % _PRUNE_EVERY == 0:
            self.s.execute(t.cadastre_spatial_change.delete().where(
                t.cadastre_spatial_change.c.jurisdiction == jurisdiction,
                t.cadastre_spatial_change.c.version <= version - SPATIAL_CHANGES_KEPT))
        return int(version)

    def _touch(self, jurisdiction: str, kind: str, ref: str, box: Box | None = None) -> None:
        """Record that the ground of (kind, ref) changed in this transaction's spatial version,
        with `box`: its envelope (lon/lat) before and after the change, all of it.
        Every write of a geometry, a title's state or a pending application's state passes here,
        so the change log is complete whichever use case wrote. A key written again in the same
        transaction with ground beyond its first box is logged again with the larger box."""
        version = self.bump_spatial(jurisdiction)
        written = self._bumped[jurisdiction][2]
        if (kind, ref) in written:
            before = written[(kind, ref)]
            if before is None or (box is not None and _within(box, before)):
                return
            box = None if box is None else _union(before, box)
        written[(kind, ref)] = box
        west, south, east, north = box if box is not None else (None, None, None, None)
        self.s.execute(insert(t.cadastre_spatial_change).values(
            jurisdiction=jurisdiction, version=version, kind=kind, ref=ref,
            minx=west, miny=south, maxx=east, maxy=north))

    def _box(self, table: Any, row_id: int) -> Box | None:
        """The stored envelope of a row (read before a write that changes its ground)."""
        c = table.c
        return _box_of(self.s.execute(select(c.minx, c.miny, c.maxx, c.maxy).where(c.id == row_id)).first())

    def spatial_version(self, jurisdiction: str) -> int:
        """Asked by every check and filing before it uses the cached spatial index: sent as the
        driver's own SQL (SQLite 19 µs against 65 µs for the ORM statement, in process)."""
        mark = "?" if self.s.get_bind().dialect.name == "sqlite" else "%s"
        v = self.s.connection().exec_driver_sql(SPATIAL_VERSION_SQL.format(mark=mark), (jurisdiction,)).scalar()
        return int(v or 0)

    def spatial_change_boxes(self, jurisdiction: str, after: int,
                             upto: int) -> list[tuple[str, str, Box | None]] | None:
        """(kind, ref, envelope before and after) of each change in versions after..upto, or None
        when the log no longer reaches back to `after`. The envelope is None for a bulk change
        ("*") and for changes logged before the log kept envelopes."""
        if upto - after >= SPATIAL_CHANGES_KEPT - _PRUNE_EVERY:
            return None
        c = t.cadastre_spatial_change.c
        rows = self.s.execute(select(c.kind, c.ref, c.minx, c.miny, c.maxx, c.maxy).where(
            c.jurisdiction == jurisdiction, c.version > after, c.version <= upto)).all()
        return [(k, r, _box_of(box)) for k, r, *box in rows]

    def spatial_changes(self, jurisdiction: str, after: int, upto: int) -> set[tuple[str, str]] | None:
        """The keys (kind, ref) whose ground changed in versions after..upto, or None when the log
        no longer reaches back to `after` (pruned): the caller rebuilds."""
        if upto - after >= SPATIAL_CHANGES_KEPT - _PRUNE_EVERY:
            return None
        c = t.cadastre_spatial_change.c
        rows = self.s.execute(select(c.kind, c.ref).where(
            c.jurisdiction == jurisdiction, c.version > after, c.version <= upto)).all()
        return {(k, r) for k, r in rows}

    # --- holders -------------------------------------------------------------------------------
    def _save_holders(self, holders: list[Holder], *, application_id: int | None = None,
                      title_id: int | None = None) -> None:
        if title_id is not None:
            self.s.execute(t.holder.delete().where(t.holder.c.title_id == title_id))
        self.s.execute(insert(t.holder), [
            {"application_id": application_id, "title_id": title_id, "position": i} | _holder_values(h)
            for i, h in enumerate(holders)
        ])

    def _holders(self, column, ids: list[int]) -> dict[int, list[Holder]]:
        out: dict[int, list[Holder]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = []
        for start in range(0, len(ids), _BULK_CHUNK):  # a long IN list exceeds the drivers' parameter limits
            q = (select(t.holder).where(_among(self.s, column, ids[start:start + _BULK_CHUNK]))
                 .order_by(column, t.holder.c.position))
            rows.extend(self.s.execute(q))
        for r in rows:
            out[getattr(r, column.name)].append(_holder(r._mapping))
        return out

    # --- applications --------------------------------------------------------------------------
    def add_application(self, app: Application) -> int:
        app_id = self.s.execute(insert(t.application).values(
            jurisdiction=app.jurisdiction, number=app.number, title_type=app.title_type,
            rules_version=app.rules_version, minerals=app.minerals, received_at=app.received_at,
            state=app.state, priority=app.priority, fee_amount=app.fee_amount, fee_currency=app.fee_currency,
            fee_verified=app.fee_verified, applicant_org=app.applicant_org, synthetic=app.synthetic,
            rules_basis=app.rules_basis,
            conflicts=[{"kind": c.kind, "ref": c.ref, "overlap_km2": c.overlap_km2, "note": c.note}
                       for c in app.conflicts],
            competition_group=app.competition_group, waits_on=[list(w) for w in app.waits_on],
            converts_title=app.converts_title,
            **_geom_values(app.geometry, app.area_km2),
        ).returning(t.application.c.id)).scalar_one()
        self._save_holders(app.holders, application_id=app_id)
        self._touch(app.jurisdiction, "application", str(app.number), app.geometry.bounds)
        app.id = app_id
        return app_id

    def _group_members(self, rows: list[Any]) -> dict[tuple[str, int], list[int]]:
        """Pending members of the groups these applications are in, by (jurisdiction, group)."""
        keys = {(r.jurisdiction, r.competition_group) for r in rows if r.competition_group is not None}
        out: dict[tuple[str, int], list[int]] = {k: [] for k in keys}
        for jur in {j for j, _ in keys}:
            groups = [g for j, g in keys if j == jur]
            q = (select(t.application.c.competition_group, t.application.c.number)
                 .where(t.application.c.jurisdiction == jur, t.application.c.competition_group.in_(groups),
                        t.application.c.state.in_(sorted(PENDING)))
                 .order_by(t.application.c.number))
            for group, number in self.s.execute(q):
                out[(jur, group)].append(number)
        return out

    def _applications(self, q, with_geometry: bool = True) -> list[Application]:
        rows = self.s.execute(q).all()
        holders = self._holders(t.holder.c.application_id, [r.id for r in rows])
        members = self._group_members(rows)
        geoms = shapely.from_wkb([r.geometry for r in rows]) if rows and with_geometry else [None] * len(rows)
        return [Application(
            id=r.id, jurisdiction=r.jurisdiction, number=r.number, title_type=r.title_type,
            rules_version=r.rules_version, minerals=list(r.minerals), holders=holders[r.id], geometry=g,
            area_km2=r.area_km2, received_at=_utc(r.received_at), state=r.state, priority=r.priority,
            fee_amount=r.fee_amount, fee_currency=r.fee_currency, fee_verified=bool(r.fee_verified),
            conflicts=[Conflict(**c) for c in r.conflicts], applicant_org=r.applicant_org,
            synthetic=bool(r.synthetic), rules_basis=r.rules_basis, competition_group=r.competition_group,
            waits_on=[(k, ref) for k, ref in (r.waits_on or [])], converts_title=r.converts_title,
            competing_with=[n for n in members.get((r.jurisdiction, r.competition_group), []) if n != r.number],
        ) for r, g in zip(rows, geoms)]

    def application(self, jurisdiction: str, number: int) -> Application | None:
        found = self._applications(select(t.application).where(
            and_(t.application.c.jurisdiction == jurisdiction, t.application.c.number == number)))
        return found[0] if found else None

    def applications(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
                     applicant_org: str | None = None, numbers: Iterable[int] | None = None) -> list[Application]:
        """Applications by jurisdiction and number; `numbers`: those of these numbers only (a
        competition group's members: by the (jurisdiction, number) key, not a read of them all)."""
        q = select(t.application)
        if numbers is not None:
            q = q.where(t.application.c.number.in_(sorted({int(n) for n in numbers})))
        if jurisdiction:
            q = q.where(t.application.c.jurisdiction == jurisdiction)
        if states is not None:
            q = q.where(t.application.c.state.in_(list(states)))
        if applicant_org:
            q = q.where(t.application.c.applicant_org == applicant_org)
        return self._applications(q.order_by(t.application.c.jurisdiction, t.application.c.number))

    def application_keys(self, jurisdiction: str | None = None, states: Iterable[str] | None = None) -> list[tuple[str, int]]:
        """(jurisdiction, number) of the applications, in that order: what to read a page at a time."""
        c = t.application.c
        q = select(c.jurisdiction, c.number).order_by(c.jurisdiction, c.number)
        if jurisdiction:
            q = q.where(c.jurisdiction == jurisdiction)
        if states is not None:
            q = q.where(c.state.in_(list(states)))
        return [(j, int(n)) for j, n in self.s.execute(q)]

    def application_receipts(self) -> list[tuple[str, str, datetime]]:
        """(reference, title type, received at) of every real (not synthetic) application: what the
        register's statistics count, without the applications' areas and holders."""
        c = t.application.c
        q = select(c.jurisdiction, c.number, c.title_type, c.received_at).where(c.synthetic.is_(False))
        return [(f"{j}/A{n}", str(kind), _utc(at)) for j, n, kind, at in self.s.execute(q)]

    def last_received_at(self, jurisdiction: str) -> datetime | None:
        v = self.s.execute(select(func.max(t.application.c.received_at))
                           .where(t.application.c.jurisdiction == jurisdiction)).scalar()
        return _utc(v) if v is not None else None

    def set_queue_state(self, app_id: int, priority: str, competition_group: int | None,
                        waits_on: list[tuple[str, str]]) -> None:
        self.s.execute(update(t.application).where(t.application.c.id == app_id).values(
            priority=priority, competition_group=competition_group, waits_on=[list(w) for w in waits_on]))

    def _touch_application(self, app_id: int, before: Box | None = None) -> None:
        """Log a change to the application's ground: its stored envelope, with `before` (its
        envelope before this write) when the geometry itself changed."""
        c = t.application.c
        row = self.s.execute(select(c.jurisdiction, c.number, c.minx, c.miny, c.maxx, c.maxy)
                             .where(c.id == app_id)).first()
        if row:
            box = _box_of(row[2:])
            if before is not None and box is not None:
                box = _union(before, box)
            self._touch(row[0], "application", str(row[1]), box)

    def set_application_area(self, app_id: int, geometry: Any, area_km2: float) -> None:
        before = self._box(t.application, app_id)
        self.s.execute(update(t.application).where(t.application.c.id == app_id)
                       .values(**_geom_values(geometry, area_km2)))
        self._touch_application(app_id, before)

    def set_application_state(self, app_id: int, state: str, priority: str | None = None) -> None:
        values: dict[str, Any] = {"state": state}
        if priority:
            values["priority"] = priority
        self.s.execute(update(t.application).where(t.application.c.id == app_id).values(**values))
        self._touch_application(app_id)

    # --- titles --------------------------------------------------------------------------------
    def add_title(self, title: Title) -> int:
        title_id = self.s.execute(insert(t.title).values(
            jurisdiction=title.jurisdiction, number=title.number, title_type=title.title_type,
            rules_version=title.rules_version, minerals=title.minerals,
            application_number=title.application_number, granted_on=title.granted_on,
            expires_on=title.expires_on, state=title.state, renewals=title.renewals, synthetic=title.synthetic,
            rules_basis=title.rules_basis, **_geom_values(title.geometry, title.area_km2),
        ).returning(t.title.c.id)).scalar_one()
        self._save_holders(title.holders, title_id=title_id)
        self._touch(title.jurisdiction, "title", title.number, title.geometry.bounds)
        title.id = title_id
        return title_id

    def add_titles_bulk(self, titles: list[Title], progress: Progress | None = None) -> None:
        """Fast path for many titles (a generated cadastre, an import): ids taken up front, then the
        titles and their holders written in chunks, with COPY on PostgreSQL and one executemany
        per chunk on SQLite. `progress(done, total)` is called after each chunk."""
        if not titles:
            return
        for jurisdiction in sorted({x.jurisdiction for x in titles}):
            some = [x for x in titles if x.jurisdiction == jurisdiction]
            if len(some) <= _TOUCH_EACH_UP_TO:  # indexes catch up with these few
                for x in some:
                    self._touch(jurisdiction, "title", x.number, x.geometry.bounds)
            else:
                self._touch(jurisdiction, "*", "")  # a bulk change: indexes rebuild
        ids = self._new_ids(t.title, len(titles))
        for x, i in zip(titles, ids):
            x.id = i
        postgres = self.s.bind is not None and self.s.bind.dialect.name == "postgresql"
        write = self._copy_rows if postgres else self._insert_rows
        for start in range(0, len(titles), _BULK_CHUNK):
            part = titles[start:start + _BULK_CHUNK]
            geometries = np.array([x.geometry for x in part], dtype=object)
            wkb, bounds = shapely.to_wkb(geometries), shapely.bounds(geometries)
            rect = rectangles(geometries, bounds).tolist()
            write(t.title, [{
                "id": x.id, "jurisdiction": x.jurisdiction, "number": x.number, "title_type": x.title_type,
                "rules_version": x.rules_version, "minerals": x.minerals, "application_number": x.application_number,
                "granted_on": x.granted_on, "expires_on": x.expires_on, "state": x.state, "renewals": x.renewals,
                "synthetic": x.synthetic, "rules_basis": x.rules_basis, "geometry": g, "area_km2": x.area_km2,
                "minx": b[0], "miny": b[1], "maxx": b[2], "maxy": b[3], "rectangle": r}
                for x, g, b, r in zip(part, wkb, bounds.tolist(), rect)])
            write(t.holder, [{"application_id": None, "title_id": x.id, "position": i} | _holder_values(h)
                             for x in part for i, h in enumerate(x.holders)])
            if progress:
                progress(start + len(part), len(titles))
        if len(titles) > _TOUCH_EACH_UP_TO:
            self.analyze([t.title, t.holder])

    def analyze(self, tables: list[Any]) -> None:
        """Refresh the planner's statistics of `tables` after a bulk load (in this transaction):
        without them PostgreSQL plans for the empty tables it last saw and SQLite has no
        statistics at all. SQLite reads every row (about a second at a million titles): a sampled
        ANALYZE (`analysis_limit`) took 2,000 rows per key for (jurisdiction, state), so the
        bounding-box queries chose that index and read every title."""
        names = ", ".join(table.name for table in tables)
        if self.s.bind is not None and self.s.bind.dialect.name == "postgresql":
            self.s.execute(text(f"ANALYZE {names}"))
            return
        for table in tables:
            self.s.execute(text(f"ANALYZE {table.name}"))

    def _new_ids(self, table, n: int) -> list[int]:
        """`n` ids for new rows of `table`, taken while this transaction holds the write lock."""
        if self.s.bind is not None and self.s.bind.dialect.name == "postgresql":
            seq = f"pg_get_serial_sequence('{table.name}', 'id')"
            return [int(i) for (i,) in self.s.execute(text(f"SELECT nextval({seq}) FROM generate_series(1, :n)"),
                                                      {"n": n})]
        last = self.s.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        return list(range(int(last) + 1, int(last) + 1 + n))

    def _insert_rows(self, table, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.s.execute(insert(table), rows)

    def _copy_rows(self, table, rows: list[dict[str, Any]]) -> None:
        """COPY rows into a PostgreSQL table in this session's transaction (JSON columns as text)."""
        if not rows:
            return
        names = list(rows[0])
        as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
        conn = self.s.connection()
        raw = conn.connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with driver_errors(conn.dialect, statement, raw, conn.invalidate), raw.cursor() as cur:
            with cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row([None if row[n] is None else json.dumps(row[n]) if n in as_json else row[n]
                                    for n in names])

    def title_numbers_present(self, numbers: list[str]) -> set[str]:
        """Which of `numbers` are titles already (looked up in batches)."""
        found: set[str] = set()
        for start in range(0, len(numbers), _BULK_CHUNK):
            part = numbers[start:start + _BULK_CHUNK]
            found.update(self.s.execute(select(t.title.c.number).where(t.title.c.number.in_(part))).scalars())
        return found

    def delete_synthetic_titles(self, jurisdiction: str) -> int:
        self._touch(jurisdiction, "*", "")  # a bulk change: indexes rebuild
        ids = select(t.title.c.id).where(and_(t.title.c.jurisdiction == jurisdiction, t.title.c.synthetic.is_(True)))
        self.s.execute(t.holder.delete().where(t.holder.c.title_id.in_(ids)))
        return self.s.execute(t.title.delete().where(
            and_(t.title.c.jurisdiction == jurisdiction, t.title.c.synthetic.is_(True)))).rowcount

    def _titles(self, q) -> list[Title]:
        rows = self.s.execute(q).all()
        holders = self._holders(t.holder.c.title_id, [r.id for r in rows])
        geoms = shapely.from_wkb([r.geometry for r in rows]) if rows else []
        return [_title(r, holders[r.id], g) for r, g in zip(rows, geoms)]

    def title(self, number: str) -> Title | None:
        found = self._titles(select(t.title).where(t.title.c.number == number))
        return found[0] if found else None

    def _postgres(self) -> bool:
        return self.s.bind is not None and self.s.bind.dialect.name == "postgresql"

    def _postgis(self) -> bool:
        if not self._postgres():
            return False
        key = self.s.bind.url.render_as_string(hide_password=True)
        if key not in _POSTGIS:
            _POSTGIS[key] = bool(self.s.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first())
        return _POSTGIS[key]

    def title_with_dues(self, number: str) -> tuple[Title, list[Obligation], list[Invoice]] | None:
        """One title with its obligations and invoices (each by due date), or None: on PostgreSQL in
        one statement, on SQLite (in process, no round trips) in three."""
        if not self._postgres():
            title = self.title(number)
            return None if title is None else (title, self.obligations(number), self.invoices(title_number=number))
        r = self.s.execute(_TITLE_WITH_DUES, {"number": number}).first()
        if r is None:
            return None
        title = _title(r, [_holder(h) for h in r.holders_json or ()], shapely.from_wkb(r.geometry))
        return (title, [_obligation(o) for o in r.obligations_json or ()],
                [_invoice(i) for i in r.invoices_json or ()])

    def titles(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
               holder_org: str | None = None, bbox: tuple[float, float, float, float] | None = None,
               limit: int | None = None, offset: int = 0, title_type: str | None = None,
               after_id: int | None = None, application_number: int | None = None,
               expiring_by: date | None = None) -> list[Title]:
        """Titles in id order; `after_id` pages by key (the titles after that id), which stays fast
        at a million titles where an offset makes the database count past every earlier row;
        `application_number`: the title granted from that application (by ix_title_application);
        `expiring_by`: those with an expiry date by that day (with `states`, by ix_title_expiry)."""
        q = select(t.title)
        if expiring_by is not None:
            q = q.where(t.title.c.expires_on <= expiring_by)
        if application_number is not None:
            q = q.where(t.title.c.application_number == application_number)
        if after_id is not None:
            q = q.where(t.title.c.id > after_id)
        if jurisdiction:
            q = q.where(t.title.c.jurisdiction == jurisdiction)
        if title_type:
            q = q.where(t.title.c.title_type == title_type)
        if states is not None:
            q = q.where(t.title.c.state.in_(list(states)))
        if holder_org:
            q = q.where(t.title.c.id.in_(select(t.holder.c.title_id).where(t.holder.c.organisation_id == holder_org)))
        if bbox:
            q = q.where(bbox_index.meets(self.s, t.title, bbox))
        q = q.order_by(t.title.c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return self._titles(q)

    def titles_numbered(self, numbers: Iterable[str]) -> list[Title]:
        """The titles of these numbers (those that exist), in id order; looked up in batches."""
        numbers = sorted(set(numbers))
        out: list[Title] = []
        for start in range(0, len(numbers), _BULK_CHUNK):
            out.extend(self._titles(select(t.title).where(t.title.c.number.in_(numbers[start:start + _BULK_CHUNK]))))
        return sorted(out, key=lambda x: x.id or 0)

    def title_standings(self, numbers: Iterable[str] | None = None, *, jurisdiction: str | None = None,
                        states: Iterable[str] | None = None) -> dict[str, TitleStanding]:
        """The type, state, area and grant day of titles by number, in id order: those of `numbers`
        that exist (looked up in batches), or every title of the jurisdiction in `states`. No
        geometry, no holders."""
        c = t.title.c
        q = select(c.number, c.jurisdiction, c.title_type, c.state, c.area_km2, c.granted_on).order_by(c.id)
        if jurisdiction:
            q = q.where(c.jurisdiction == jurisdiction)
        if states is not None:
            q = q.where(c.state.in_(list(states)))
        if numbers is None:
            parts = [q]
        else:
            wanted = sorted(set(numbers))
            parts = [q.where(c.number.in_(wanted[i:i + _BULK_CHUNK])) for i in range(0, len(wanted), _BULK_CHUNK)]
        rows = [r for part in parts for r in self.s.execute(part)]
        return {r.number: TitleStanding(r.number, r.jurisdiction, r.title_type, r.state, r.area_km2, r.granted_on)
                for r in rows}

    def titles_granted_from(self, applications: Iterable[tuple[str, int]]) -> list[Title]:
        """The titles granted from these (jurisdiction, application number) pairs, in id order."""
        by_jurisdiction: dict[str, list[int]] = {}
        for jurisdiction, number in set(applications):
            by_jurisdiction.setdefault(jurisdiction, []).append(int(number))
        out: list[Title] = []
        for jurisdiction, numbers in sorted(by_jurisdiction.items()):
            for start in range(0, len(numbers), _BULK_CHUNK):
                out.extend(self._titles(select(t.title).where(
                    t.title.c.jurisdiction == jurisdiction,
                    t.title.c.application_number.in_(numbers[start:start + _BULK_CHUNK]))))
        return sorted(out, key=lambda x: x.id or 0)

    def title_figures(self) -> list[tuple[bool, str, int, int, float]]:
        """(synthetic, state, year granted, titles, km²) for every such group of titles: the
        register's figures summed by the database instead of reading a million titles."""
        year = extract("year", t.title.c.granted_on)
        q = (select(t.title.c.synthetic, t.title.c.state, year, func.count(), func.sum(t.title.c.area_km2))
             .group_by(t.title.c.synthetic, t.title.c.state, year))
        return [(bool(syn), str(state), int(y), int(n), float(km2 or 0.0)) for syn, state, y, n, km2 in self.s.execute(q)]

    def invoice_figures(self, today: date) -> list[tuple[str, str, float, float, float, int]]:
        """(kind, currency, invoiced, collected, arrears, invoices in arrears) for the invoices of real
        titles and of applications, summed by the database (a register with its history holds
        an invoice a title a year). Arrears: what is outstanding, to the cent, on invoices due
        before `today`; a synthetic (demo) title's rent is left out."""
        i = t.invoice.c
        left = func.round(cast(i.amount - i.paid, Numeric), 2)
        late = and_(i.due_on < today, left > 0)
        q = (select(i.kind, i.currency, func.sum(i.amount), func.sum(i.paid),
                    func.sum(case((late, left), else_=0)), func.sum(case((late, 1), else_=0)))
             .select_from(t.invoice.outerjoin(t.title, t.title.c.number == i.title_number))
             .where(or_(t.title.c.id.is_(None), t.title.c.synthetic.is_(False)))
             .group_by(i.kind, i.currency))
        return [(str(kind), str(cur), float(inv or 0.0), float(paid or 0.0), float(arrears or 0.0), int(n or 0))
                for kind, cur, inv, paid, arrears, n in self.s.execute(q)]

    def count_titles(self, jurisdiction: str | None = None, synthetic: bool | None = None,
                     states: Iterable[str] | None = None, title_type: str | None = None) -> int:
        q = select(func.count()).select_from(t.title)
        if jurisdiction:
            q = q.where(t.title.c.jurisdiction == jurisdiction)
        if title_type:
            q = q.where(t.title.c.title_type == title_type)
        if states is not None:
            q = q.where(t.title.c.state.in_(list(states)))
        if synthetic is not None:
            q = q.where(t.title.c.synthetic.is_(synthetic))
        return self.s.execute(q).scalar_one()

    def count_applications(self, states: Iterable[str] | None = None) -> int:
        q = select(func.count()).select_from(t.application)
        if states is not None:
            q = q.where(t.application.c.state.in_(list(states)))
        return self.s.execute(q).scalar_one()

    def next_title_seq(self, jurisdiction: str, title_type: str, year: int) -> int:
        prefix = f"{jurisdiction}/{title_type}/{year}/"
        n = self.s.execute(select(func.count()).select_from(t.title).where(t.title.c.number.startswith(prefix, autoescape=True))).scalar_one()
        return int(n) + 1

    def update_title(self, title: Title) -> None:
        before = self._box(t.title, title.id)
        self.s.execute(update(t.title).where(t.title.c.id == title.id).values(
            state=title.state, expires_on=title.expires_on, renewals=title.renewals,
            **_geom_values(title.geometry, title.area_km2)))
        self._save_holders(title.holders, title_id=title.id)
        box = title.geometry.bounds
        self._touch(title.jurisdiction, "title", title.number, box if before is None else _union(before, box))

    def spatial_rows(self, jurisdiction: str, pending_states: Iterable[str],
                     keys: Iterable[tuple[str, str]] | None = None) -> list[tuple[str, str, bytes]]:
        """(kind, ref, WKB) of every active title, pending application and reserved area; with
        `keys` ((kind, ref) pairs), of those of them only."""
        wanted: dict[str, list[str]] | None = None
        if keys is not None:
            wanted = {"title": [], "application": [], "reserved": []}
            for kind, ref in keys:
                if kind in wanted:
                    wanted[kind].append(ref)
        out: list[tuple[str, str, bytes]] = []
        sources = (
            ("title", t.title.c.number, t.title, [t.title.c.state == "active"]),
            ("application", t.application.c.number, t.application, [t.application.c.state.in_(list(pending_states))]),
            ("reserved", t.reserved_area.c.name, t.reserved_area, []),
        )
        for kind, ref_col, table, conditions in sources:
            conditions = [table.c.jurisdiction == jurisdiction, *conditions]
            if wanted is not None:
                refs = wanted[kind]
                if not refs:
                    continue
                if kind == "application":
                    refs = [int(r) for r in refs if r.isdigit()]
                conditions.append(ref_col.in_(refs))
            rows = self.s.execute(select(ref_col, table.c.geometry).where(*conditions)).all()  # fetched at once
            out.extend((kind, ref if isinstance(ref, str) else str(ref), wkb) for ref, wkb in rows)
        return out

    # --- reserved areas ------------------------------------------------------------------------
    def add_reserved(self, jurisdiction: str, name: str, kind: str, source: str, geometry: Any, area_km2: float,
                     synthetic: bool = False) -> None:
        self.s.execute(insert(t.reserved_area).values(jurisdiction=jurisdiction, name=name, kind=kind, source=source,
                                                      synthetic=synthetic, **_geom_values(geometry, area_km2)))
        self._touch(jurisdiction, "reserved", name, geometry.bounds)

    def reserved(self, jurisdiction: str | None = None) -> list[dict[str, Any]]:
        q = select(t.reserved_area)
        if jurisdiction:
            q = q.where(t.reserved_area.c.jurisdiction == jurisdiction)
        return [dict(r._mapping) | {"geometry": shapely.from_wkb(r.geometry)} for r in self.s.execute(q)]

    # --- money ---------------------------------------------------------------------------------
    def add_invoice(self, jurisdiction: str, inv: Invoice) -> int:
        return self.s.execute(insert(t.invoice).values(
            jurisdiction=jurisdiction, title_number=inv.title_number, application_number=inv.application_number,
            kind=inv.kind, period=inv.period, due_on=inv.due_on, amount=inv.amount, currency=inv.currency,
            verified=inv.verified, paid=inv.paid).returning(t.invoice.c.id)).scalar_one()

    def add_invoices(self, jurisdiction: str, invoices: list[Invoice]) -> None:
        """Many invoices of one jurisdiction (a year's rent): ids taken up front and set on each, then
        written in chunks, one executemany each."""
        ids = self._new_ids(t.invoice, len(invoices)) if invoices else []
        for inv, i in zip(invoices, ids):
            inv.id = i
        for start in range(0, len(invoices), _BULK_CHUNK):
            self._insert_rows(t.invoice, [{
                "id": inv.id, "jurisdiction": jurisdiction, "title_number": inv.title_number,
                "application_number": inv.application_number, "kind": inv.kind, "period": inv.period,
                "due_on": inv.due_on, "amount": inv.amount, "currency": inv.currency, "verified": inv.verified,
                "paid": inv.paid} for inv in invoices[start:start + _BULK_CHUNK]])

    def invoiced_titles(self, jurisdiction: str, kind: str, period: str) -> set[str]:
        """The numbers of the jurisdiction's titles invoiced for `kind` and `period` (e.g. rent, 2026)."""
        c = t.invoice.c
        return {n for (n,) in self.s.execute(select(c.title_number).where(
            c.jurisdiction == jurisdiction, c.kind == kind, c.period == period, c.title_number.is_not(None)))}

    def invoices(self, jurisdiction: str | None = None, title_number: str | None = None,
                 application_number: int | None = None, invoice_id: int | None = None,
                 outstanding_by: date | None = None) -> list[Invoice]:
        """Invoices by due date; `outstanding_by`: only those not paid in full and due by that day
        (read by the index of outstanding invoices, ix_invoice_outstanding)."""
        q = select(t.invoice)
        if outstanding_by is not None:
            q = q.where(t.invoice.c.paid < t.invoice.c.amount, t.invoice.c.due_on <= outstanding_by)
        if jurisdiction:
            q = q.where(t.invoice.c.jurisdiction == jurisdiction)
        if title_number:
            q = q.where(t.invoice.c.title_number == title_number)
        if application_number is not None:
            q = q.where(t.invoice.c.application_number == application_number)
        if invoice_id is not None:
            q = q.where(t.invoice.c.id == invoice_id)
        return [_invoice(r._mapping) for r in self.s.execute(q.order_by(t.invoice.c.due_on, t.invoice.c.id))]

    def record_payment(self, invoice_id: int, amount: float, paid_on: date, reference: str, actor: str) -> None:
        self.s.execute(insert(t.payment).values(invoice_id=invoice_id, amount=amount, paid_on=paid_on,
                                                reference=reference, actor=actor))
        self.s.execute(update(t.invoice).where(t.invoice.c.id == invoice_id).values(paid=t.invoice.c.paid + amount))

    # --- obligations ---------------------------------------------------------------------------
    def add_obligation(self, ob: Obligation) -> None:
        self.s.execute(insert(t.obligation).values(
            title_number=ob.title_number, code=ob.code, description=ob.description, due_on=ob.due_on,
            legal_basis=ob.legal_basis, verified=ob.verified, met_on=ob.met_on))

    def obligations(self, title_number: str | None = None, open_by: date | None = None) -> list[Obligation]:
        """Obligations by due date; `open_by`: only those not met and due by that day (ix_obligation_open)."""
        q = select(t.obligation)
        if open_by is not None:
            q = q.where(t.obligation.c.met_on.is_(None), t.obligation.c.due_on <= open_by)
        if title_number:
            q = q.where(t.obligation.c.title_number == title_number)
        return [_obligation(r._mapping) for r in self.s.execute(q.order_by(t.obligation.c.due_on, t.obligation.c.id))]

    def meet_obligation(self, ob_id: int, met_on: date) -> None:
        self.s.execute(update(t.obligation).where(t.obligation.c.id == ob_id).values(met_on=met_on))

    # --- audit chain ---------------------------------------------------------------------------
    def last_event(self) -> Event | None:
        r = self.s.execute(select(t.audit_event).order_by(t.audit_event.c.seq.desc()).limit(1)).first()
        return self._event(r) if r else None

    def append_event(self, ev: Event) -> None:
        self.s.execute(insert(t.audit_event).values(
            seq=ev.seq, at=ev.at, actor=ev.actor, kind=ev.kind, subject=ev.subject, data=ev.data,
            documents=[[d.name, d.sha256] for d in ev.documents], reason=ev.reason, prev_hash=ev.prev_hash,
            hash=ev.hash, salt=ev.salt, leaf_hash=ev.leaf_hash))

    def events(self, subject: str | None = None, limit: int | None = None, offset: int = 0,
               kinds: Iterable[str] | None = None) -> list[Event]:
        q = select(t.audit_event)
        if subject:
            q = q.where(t.audit_event.c.subject == subject)
        if kinds is not None:
            q = q.where(t.audit_event.c.kind.in_(list(kinds)))
        q = q.order_by(t.audit_event.c.seq).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return [self._event(r) for r in self.s.execute(q)]

    def events_of(self, subjects: Iterable[str], kind_prefix: str = "") -> list[Event]:
        """The events of these subjects whose kind starts with `kind_prefix`, in register order (by
        ix_audit_event_subject, a chunk of subjects at a time)."""
        subjects = sorted(set(subjects))
        rows = []
        for start in range(0, len(subjects), _BULK_CHUNK):
            q = select(t.audit_event).where(t.audit_event.c.subject.in_(subjects[start:start + _BULK_CHUNK]))
            if kind_prefix:
                q = q.where(*_kind_prefix(self.s, kind_prefix))
            rows.extend(self.s.execute(q))
        return [self._event(r) for r in sorted(rows, key=lambda r: r.seq)]

    def latest_events(self, kind_prefix: str, limit: int, exclude: Iterable[str] = ()) -> list[Event]:
        """The last `limit` events whose kind starts with `kind_prefix` (none of `exclude`), newest first."""
        q = select(t.audit_event).where(*_kind_prefix(self.s, kind_prefix))
        if exclude:
            q = q.where(t.audit_event.c.kind.not_in(list(exclude)))
        return [self._event(r) for r in self.s.execute(q.order_by(t.audit_event.c.seq.desc()).limit(limit))]

    def count_events(self, subject: str | None = None) -> int:
        q = select(func.count()).select_from(t.audit_event)
        if subject:
            q = q.where(t.audit_event.c.subject == subject)
        return int(self.s.execute(q).scalar_one())

    @staticmethod
    def _event(r: Any) -> Event:
        return Event(seq=r.seq, at=r.at, actor=r.actor, kind=r.kind, subject=r.subject, data=dict(r.data),
                     documents=tuple(Document(n, h) for n, h in r.documents), reason=r.reason,
                     prev_hash=r.prev_hash, hash=r.hash, salt=r.salt, leaf_hash=r.leaf_hash)

    # --- OGC API – Features: filter, page and count in SQL --------------------------------------
    def _in_bbox(self, table, bbox: tuple[float, float, float, float], conditions: list) -> list[int]:
        """Ids, in order, of the rows meeting `conditions` whose geometry intersects `bbox` (lon/lat),
        through the envelope index (store/bbox_index.py): rows wholly inside the box come back as
        ids only; rows that straddle its edge also bring their geometry for an exact shapely test.
        The caller counts and pages this list: no second scan, no inlined id list. On SQLite with
        no other condition, the rows the R*Tree shows inside come from it alone, as one joined row,
        and only the rest are read from the table (`bbox_index.sqlite_box_rows`)."""
        minx, miny, maxx, maxy = bbox
        c = table.c
        if not conditions and not self._postgres():
            sure, rows = bbox_index.sqlite_box_rows(self.s, table.name, bbox)
        else:
            sure = np.empty(0, dtype=np.int64)
            sure_hit = or_(and_(c.minx >= minx, c.maxx <= maxx, c.miny >= miny, c.maxy <= maxy), c.rectangle)
            rows = self.s.execute(
                select(c.id, case((sure_hit, None), else_=c.geometry))
                .where(bbox_index.meets(self.s, table, bbox), *conditions)
                .order_by(c.id)).all()
        edge = [i for i, r in enumerate(rows) if r[1] is not None]
        misses: set[int] = set()
        if edge:
            hits = shapely.intersects(shapely.from_wkb([rows[i][1] for i in edge]), _bbox_geometry(bbox))
            misses = {edge[k] for k, hit in enumerate(hits.tolist()) if not hit}
        found = [r[0] for i, r in enumerate(rows) if i not in misses]
        if not len(sure):
            return found
        return np.sort(np.concatenate([sure, np.array(found, dtype=np.int64)])).tolist()

    def titles_page(self, *, bbox: tuple[float, float, float, float] | None = None, valid_from: date | None = None,
                    valid_to: date | None = None, limit: int = 10, offset: int = 0) -> tuple[list[Title], int]:
        """Titles in id order whose geometry intersects `bbox` and whose validity [granted_on,
        expires_on] (no expiry: open) meets [valid_from, valid_to]; one page and the number matched."""
        conditions: list = []
        if valid_to is not None:
            conditions.append(t.title.c.granted_on <= valid_to)
        if valid_from is not None:
            conditions.append(or_(t.title.c.expires_on.is_(None), t.title.c.expires_on >= valid_from))
        if bbox is not None:
            chosen, matched = self.title_ids_in_bbox(bbox, valid_from=valid_from, valid_to=valid_to, limit=limit,
                                                     offset=offset)
            return self.titles_by_id(chosen), matched
        total = self.s.execute(select(func.count()).select_from(t.title).where(*conditions)).scalar_one()
        if offset >= total:
            return [], int(total)
        q = select(t.title).where(*conditions).order_by(t.title.c.id).limit(limit).offset(offset)
        return self._titles(q), int(total)

    def title_ids_in_bbox(self, bbox: tuple[float, float, float, float], *, valid_from: date | None = None,
                          valid_to: date | None = None, limit: int = 10, offset: int = 0) -> tuple[list[int], int]:
        """The ids of one page of `titles_page` with a bbox, in order, and the number matched."""
        if self._postgis():
            return self._title_ids_in_bbox_postgis(bbox, valid_from, valid_to, limit, offset)
        conditions: list = []
        if valid_to is not None:
            conditions.append(t.title.c.granted_on <= valid_to)
        if valid_from is not None:
            conditions.append(or_(t.title.c.expires_on.is_(None), t.title.c.expires_on >= valid_from))
        ids = self._in_bbox(t.title, bbox, conditions)
        return ids[offset:offset + limit], len(ids)

    def titles_by_id(self, ids: list[int]) -> list[Title]:
        """These titles, in id order (ids that do not exist are left out)."""
        if not ids:
            return []
        return self._titles(select(t.title).where(_among(self.s, t.title.c.id, ids)).order_by(t.title.c.id))

    def _title_ids_in_bbox_postgis(self, bbox: tuple[float, float, float, float], valid_from: date | None,
                                   valid_to: date | None, limit: int, offset: int) -> tuple[list[int], int]:
        """`title_ids_in_bbox` in one statement on PostgreSQL with PostGIS (_TITLE_IDS_IN_BBOX)."""
        temporal = ""
        if valid_to is not None:
            temporal += " AND t.granted_on <= :valid_to"
        if valid_from is not None:
            temporal += " AND (t.expires_on IS NULL OR t.expires_on >= :valid_from)"
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        row = self.s.execute(text(_TITLE_IDS_IN_BBOX.format(temporal=temporal)), {
            "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy, "box": shapely.to_wkb(_bbox_geometry(bbox)),
            "valid_from": valid_from, "valid_to": valid_to, "limit": limit, "offset": offset}).one()
        return list(row.ids), int(row.matched)

    def titles_extent(self) -> tuple[tuple[float, float, float, float] | None, date | None, date | None]:
        """(bbox of all titles, first grant, last expiry or None when some title never expires)."""
        c = t.title.c
        row = self.s.execute(select(func.min(c.minx), func.min(c.miny), func.max(c.maxx), func.max(c.maxy),
                                    func.min(c.granted_on), func.max(c.expires_on), func.count(),
                                    func.count(c.expires_on))).one()
        if not row[6]:
            return None, None, None
        return (row[0], row[1], row[2], row[3]), row[4], (row[5] if row[7] == row[6] else None)

    def applications_page(self, states: Iterable[str], *, bbox: tuple[float, float, float, float] | None = None,
                          received_from: datetime | None = None, received_to: datetime | None = None,
                          limit: int = 10, offset: int = 0) -> tuple[list[Application], int]:
        """Applications in `states`, in id order, whose area intersects `bbox` and that were received
        within [received_from, received_to]; one page and the number matched."""
        conditions: list = [t.application.c.state.in_(list(states))]
        if received_from is not None:
            conditions.append(t.application.c.received_at >= received_from)
        if received_to is not None:
            conditions.append(t.application.c.received_at <= received_to)
        if bbox is not None:
            ids = self._in_bbox(t.application, bbox, conditions)
            chosen = ids[offset:offset + limit]
            if not chosen:
                return [], len(ids)
            return self._applications(select(t.application).where(_among(self.s, t.application.c.id, chosen))
                                      .order_by(t.application.c.id)), len(ids)
        total = self.s.execute(select(func.count()).select_from(t.application).where(*conditions)).scalar_one()
        if offset >= total:
            return [], int(total)
        q = select(t.application).where(*conditions).order_by(t.application.c.id).limit(limit).offset(offset)
        return self._applications(q), int(total)

    def applications_extent(self, states: Iterable[str]) -> tuple[tuple[float, float, float, float] | None,
                                                                   datetime | None, datetime | None]:
        """(bbox, first and last receipt) of the applications in `states`."""
        c = t.application.c
        row = self.s.execute(select(func.min(c.minx), func.min(c.miny), func.max(c.maxx), func.max(c.maxy),
                                    func.min(c.received_at), func.max(c.received_at), func.count())
                             .where(c.state.in_(list(states)))).one()
        if not row[6]:
            return None, None, None
        return (row[0], row[1], row[2], row[3]), _utc(row[4]), _utc(row[5])


REPOSITORIES = {"cadastre": CadastreRepository}  # collected by store/uow.py
