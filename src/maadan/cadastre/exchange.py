"""Export titles and applications to GeoJSON, GeoPackage, zipped Shapefile or CSV, and import
them back (e.g. a legacy register): an export re-imports without loss. An import is all or
nothing; every error names the feature and the field."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.caches import applied_rules_for, spatial_index
from maadan.cadastre.geometry import parse_area, parse_areas_wkb
from maadan.cadastre.model import Application, Holder, Title, validate_holders
from maadan.cadastre.paging import application_pages, title_pages
from maadan.cadastre.model import Conflict as ConflictAtReceipt
from maadan.cadastre.queue import refresh
from maadan.cadastre.register import record
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.cadastre.titles import StageProgress
from maadan.errors import Conflict, InvalidInput, MaadanError
from maadan.ingest import geofiles
from maadan.unit_of_work import AbstractUnitOfWork

TITLE_FIELDS = ["number", "jurisdic", "type", "state", "area_km2", "granted", "expires", "holders", "minerals",
                "rules_ver", "rules_day", "app_no", "renewals", "synthetic"]
APPLICATION_FIELDS = ["number", "jurisdic", "received", "type", "state", "priority", "area_km2", "holders",
                      "minerals", "fee", "fee_cur", "fee_ver", "rules_ver", "rules_day", "synthetic", "conflicts"]
SHP_TEXT_LIMIT = 254


def _holders_text(holders: list[Holder]) -> str:
    return json.dumps([[h.name, h.share_pct, h.country, h.kind, h.body_corporate] for h in holders],
                      ensure_ascii=False, separators=(",", ":"))


def _holders_from(text: Any, where: str) -> list[Holder]:
    try:
        items = json.loads(text) if isinstance(text, str) else None
        holders = [Holder(name=str(i[0]), share_pct=float(i[1]), country=i[2] or None, kind=i[3] or "private",
                          body_corporate=bool(i[4]) if len(i) > 4 else True) for i in items]
    except (TypeError, ValueError, IndexError, json.JSONDecodeError):
        raise InvalidInput(f"{where}: holders must be a JSON list of [name, share, country, kind, body_corporate]") from None
    return validate_holders(holders, where)


def _conflicts_from(text: Any, where: str) -> list[ConflictAtReceipt]:
    if text in (None, ""):
        return []
    try:
        return [ConflictAtReceipt(kind=str(k), ref=str(r), overlap_km2=float(a)) for k, r, a in json.loads(text)]
    except (TypeError, ValueError, json.JSONDecodeError):
        raise InvalidInput(f"{where}.conflicts must be a JSON list of [kind, ref, overlap_km2]") from None


def _rules_day(basis: dict[str, Any] | None) -> str:
    """The day whose rules were applied (the basis itself follows from the rule files and that day,
    so a Shapefile's short text fields can carry it)."""
    return str(basis.get("day") or "") if basis else ""


def _rules_basis(row: dict[str, Any], jurisdiction: str, version: str, where: str) -> dict[str, Any] | None:
    """The rule version applied and why, worked out again from the day exported; None when the file
    gives no day, or when the rules now say another version applied that day than the file records."""
    day = _date(row.get("rules_day"), f"{where}.rules_day", required=False)
    if day is None:
        return None
    try:
        applied = applied_rules_for(jurisdiction, day)
    except InvalidInput:
        return None
    return applied.as_dict() if applied.version == version else None


def _title_row(t: Title) -> dict[str, Any]:
    return {"number": t.number, "jurisdic": t.jurisdiction, "type": t.title_type, "state": t.state,
            "area_km2": t.area_km2, "granted": t.granted_on.isoformat(),
            "expires": t.expires_on.isoformat() if t.expires_on else "", "holders": _holders_text(t.holders),
            "minerals": ";".join(t.minerals), "rules_ver": t.rules_version, "rules_day": _rules_day(t.rules_basis),
            "app_no": t.application_number if t.application_number is not None else -1,
            "renewals": t.renewals, "synthetic": 1 if t.synthetic else 0}


def _application_row(a: Application) -> dict[str, Any]:
    return {"number": a.number, "jurisdic": a.jurisdiction, "received": a.received_at.isoformat(),
            "type": a.title_type, "state": a.state, "priority": a.priority, "area_km2": a.area_km2,
            "holders": _holders_text(a.holders), "minerals": ";".join(a.minerals),
            "fee": a.fee_amount if a.fee_amount is not None else -1.0, "fee_cur": a.fee_currency or "",
            "fee_ver": 1 if a.fee_verified else 0, "rules_ver": a.rules_version, "rules_day": _rules_day(a.rules_basis),
            "synthetic": 1 if a.synthetic else 0,
            "conflicts": json.dumps([[c.kind, c.ref, c.overlap_km2] for c in a.conflicts], separators=(",", ":"))}


@dataclass
class ExportReport:
    path: str
    format: str
    features: int


EXPORT_CHUNK = 10_000


def export_records(uow: AbstractUnitOfWork, kind: str, path: Path, fmt: str | None = None,
                   jurisdiction: str | None = None) -> ExportReport:
    """Write every title (or application) of the jurisdiction to `path`, `EXPORT_CHUNK` at a time by
    id (`geofiles.write_pages`): memory holds one page, not the register. A file that cannot be
    written whole (a value too long for a Shapefile, a full disk) leaves nothing at `path`."""
    key = geofiles.format_for(path, fmt)
    if kind == "titles":
        fields, to_row = TITLE_FIELDS, _title_row
    elif kind == "applications":
        fields, to_row = APPLICATION_FIELDS, _application_row
    else:
        raise InvalidInput(f"unknown kind {kind!r}: titles or applications")

    def pages():
        done = 0
        for part in (title_pages(uow, jurisdiction, EXPORT_CHUNK) if kind == "titles"
                     else application_pages(uow, jurisdiction, None, EXPORT_CHUNK)):
            rows = [to_row(item) for item in part]
            if key == "shp":
                for i, row in enumerate(rows, done + 1):
                    _fits_shapefile(row, i)
            done += len(rows)
            yield ({f: [r[f] for r in rows] for f in fields},
                   shapely.to_wkb(np.array([i.geometry for i in part], dtype=object)))

    with uow:
        features = geofiles.write_pages(path, pages(), {f: [] for f in fields}, kind, key)
    return ExportReport(path=str(path), format=key, features=features)


def _fits_shapefile(row: dict[str, Any], i: int) -> None:
    for f, v in row.items():
        if isinstance(v, str) and len(v.encode()) > SHP_TEXT_LIMIT:
            raise InvalidInput(f"feature {i} ({row['number']}): field {f} is longer than a Shapefile can hold "
                               f"({SHP_TEXT_LIMIT} bytes); export as GeoPackage or GeoJSON instead")


def _date(value: Any, where: str, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"{where} is required")
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidInput(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _need(row: dict[str, Any], field: str, where: str) -> Any:
    if field not in row:
        raise InvalidInput(f"{where}: the file has no {field!r} field")
    if row[field] in (None, ""):
        raise InvalidInput(f"{where}.{field} is empty")
    return row[field]


def _located(row: dict[str, Any], wkb: bytes | None, where: str, boundaries: dict[str, Any]) -> tuple[str, Any]:
    """The feature's jurisdiction and its checked area (inside that jurisdiction's boundary)."""
    jur = str(_need(row, "jurisdic", where))
    if jur not in boundaries:
        boundaries[jur] = load_boundary(jur)
    if wkb is None:
        raise InvalidInput(f"{where}: no geometry")
    return jur, parse_area(shapely.geometry.mapping(shapely.from_wkb(wkb)), boundary=boundaries[jur])


PROGRESS_EVERY = 10_000


def import_titles(uow: AbstractUnitOfWork, path: Path, actor: str, fmt: str | None = None,
                  progress: StageProgress | None = None) -> int:
    """Register the titles of a file (all or nothing). Numbers already present, overlaps between
    the imported titles or with active titles, and bad fields are refused with their feature.

    Built for whole registers (a million titles): areas are checked in vectorised batches
    (`parse_areas_wkb`; a feature that fails is checked again alone, to say why), numbers already
    present are looked up in batches, overlaps come from one bulk query of the spatial index, and
    the titles are written in bulk. `progress(stage, done, total)` hears how far it has got."""
    records = geofiles.read(path, fmt)
    total = len(records.rows)
    report = progress or (lambda stage, done, of: None)
    jurisdictions = [str(row.get("jurisdic") or "") for row in records.rows]
    boundaries: dict[str, Any] = {}
    for jur in sorted(set(jurisdictions)):
        try:
            boundaries[jur] = load_boundary(jur)
        except MaadanError:
            pass  # said by the first feature that names it (below)
    fast: list[Any] = [None] * total
    for jur, boundary in boundaries.items():
        at = [i for i, j in enumerate(jurisdictions) if j == jur]
        for i, area in zip(at, parse_areas_wkb([records.wkb[i] for i in at], boundary)):
            fast[i] = area
    titles: list[Title] = []
    for i, (row, wkb) in enumerate(zip(records.rows, records.wkb), 1):
        where = f"feature {i}"
        number = str(_need(row, "number", where))
        where = f"feature {i} ({number})"
        jur, area = (jurisdictions[i - 1], fast[i - 1]) if fast[i - 1] is not None else _located(row, wkb, where, boundaries)
        state = str(_need(row, "state", where))
        if state not in lc.TITLE_MOVES:
            raise InvalidInput(f"{where}.state {state!r} is not a title state ({', '.join(lc.TITLE_MOVES)})")
        app_no = row.get("app_no")
        rules_version = str(row.get("rules_ver") or "imported")
        titles.append(Title(
            id=None, jurisdiction=jur, number=number, title_type=str(_need(row, "type", where)),
            rules_version=rules_version, holders=_holders_from(row.get("holders"), f"{where}.holders"),
            rules_basis=_rules_basis(row, jur, rules_version, where), geometry=area.geometry, area_km2=round(area.area_km2, 6),
            granted_on=_date(row.get("granted"), f"{where}.granted"),
            expires_on=_date(row.get("expires"), f"{where}.expires", required=False), state=state,
            minerals=[m for m in str(row.get("minerals") or "").split(";") if m],
            application_number=int(app_no) if app_no not in (None, "", -1) and int(app_no) >= 0 else None,
            renewals=int(row.get("renewals") or 0), synthetic=bool(int(row.get("synthetic") or 0)),
        ))
        if i % PROGRESS_EVERY == 0:
            report("reading", i, total)
    report("reading", total, total)
    name = path.name
    del records, fast  # the file's rows and areas (GBs at a million titles) are in `titles` now
    numbers = [t.number for t in titles]
    dupes = sorted(n for n, c in Counter(numbers).items() if c > 1)
    if dupes:
        raise InvalidInput(f"the file repeats title number(s) {', '.join(dupes[:5])}")
    active = [t for t in titles if t.state == lc.ACTIVE]
    own = SpatialIndex([(t.number, t.geometry) for t in active])
    for a, b_key, km2 in own.bulk_conflicts([t.geometry for t in active]):
        if active[a].number < b_key:
            raise Conflict(f"imported titles {active[a].number} and {b_key} overlap by {km2:,.3f} km²")
    del own  # its projected copies of every area are not needed again
    report("checking", 0, len(titles))
    with uow:
        present = uow.cadastre.title_numbers_present(numbers)
        if present:
            first = next(n for n in numbers if n in present)
            raise Conflict(f"title {first} is already registered")
        for jur in sorted({t.jurisdiction for t in titles}):
            uow.cadastre.lock(jur)
            mine = [t for t in active if t.jurisdiction == jur]
            hits: dict[int, list[tuple[float, str]]] = {}
            for q, key, km2 in spatial_index(uow, jur).bulk_conflicts([t.geometry for t in mine]):
                if key.startswith(("title:", "reserved:")):
                    hits.setdefault(q, []).append((-km2, key))
            if hits:
                q = min(hits)
                km2, key = min(hits[q])
                raise Conflict(f"{mine[q].number} overlaps {key.replace(':', ' ')} by {-km2:,.3f} km²")
        report("checking", len(titles), len(titles))
        uow.cadastre.add_titles_bulk(titles, progress=lambda done, of: report("writing", done, of))
        record(uow, actor, "titles.imported", f"file {name}", {"titles": len(titles), "numbers": numbers[:50]})
        for jur in sorted({t.jurisdiction for t in titles}):
            refresh(uow, jur, now=datetime.now(timezone.utc), actor=actor, cause=f"titles imported from {name}",
                    ground=[t.geometry for t in titles if t.jurisdiction == jur and t.state == lc.ACTIVE])
        uow.commit()
    return len(titles)


def import_applications(uow: AbstractUnitOfWork, path: Path, actor: str, fmt: str | None = None) -> int:
    """Register applications of a file (e.g. a paper queue being digitised) with their numbers,
    receipt times, states and priorities as recorded; all or nothing. Numbering continues after
    the highest number held."""
    records = geofiles.read(path, fmt)
    apps: list[Application] = []
    boundaries: dict[str, Any] = {}
    for i, (row, wkb) in enumerate(zip(records.rows, records.wkb), 1):
        where = f"feature {i}"
        try:
            number = int(_need(row, "number", where))
        except (TypeError, ValueError):
            raise InvalidInput(f"{where}.number must be a whole number") from None
        where = f"feature {i} (application {number})"
        jur, area = _located(row, wkb, where, boundaries)
        state = str(_need(row, "state", where))
        if state not in lc.APPLICATION_MOVES:
            raise InvalidInput(f"{where}.state {state!r} is not an application state")
        try:
            received = datetime.fromisoformat(str(_need(row, "received", where)))
        except ValueError:
            raise InvalidInput(f"{where}.received is not an ISO 8601 time") from None
        if received.tzinfo is None:
            raise InvalidInput(f"{where}.received needs a time zone (e.g. +05:00 or Z)")
        fee = float(row.get("fee") if row.get("fee") not in (None, "") else -1)
        rules_version = str(row.get("rules_ver") or "imported")
        apps.append(Application(
            id=None, jurisdiction=jur, number=number, title_type=str(_need(row, "type", where)),
            rules_version=rules_version, rules_basis=_rules_basis(row, jur, rules_version, where), minerals=[m for m in str(row.get("minerals") or "").split(";") if m],
            holders=_holders_from(row.get("holders"), f"{where}.holders"), geometry=area.geometry,
            area_km2=round(area.area_km2, 6), received_at=received.astimezone(timezone.utc), state=state,
            priority=str(row.get("priority") or "clear"), fee_amount=fee if fee >= 0 else None,
            fee_currency=str(row.get("fee_cur") or "") or None, fee_verified=bool(int(row.get("fee_ver") or 0)),
            synthetic=bool(int(row.get("synthetic") or 0)), conflicts=_conflicts_from(row.get("conflicts"), where),
        ))
    keys = [(a.jurisdiction, a.number) for a in apps]
    if len(set(keys)) != len(keys):
        raise InvalidInput("the file repeats an application number")
    with uow:
        for jur in sorted({a.jurisdiction for a in apps}):
            last = uow.cadastre.lock(jur)
            for a in (x for x in apps if x.jurisdiction == jur):
                if uow.cadastre.application(jur, a.number) is not None:
                    raise Conflict(f"application {a.ref} is already registered")
            for a in sorted((x for x in apps if x.jurisdiction == jur), key=lambda x: x.number):
                uow.cadastre.add_application(a)
            uow.cadastre.set_last_application(jur, max([last] + [a.number for a in apps if a.jurisdiction == jur]))
            uow.cadastre.bump_spatial(jur)
        record(uow, actor, "applications.imported", f"file {path.name}", {"applications": len(apps)})
        for jur in sorted({a.jurisdiction for a in apps}):  # groups and priorities follow rule 10, not the file
            refresh(uow, jur, now=datetime.now(timezone.utc), actor=actor, cause=f"applications imported from {path.name}",
                    recheck=[a.number for a in apps if a.jurisdiction == jur])
        uow.commit()
    return len(apps)
