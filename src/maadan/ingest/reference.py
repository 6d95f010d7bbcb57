"""Reader for the reference data bundled in maadan/data: every file in Maadan's own schema,
every row cited. Errors name the file, line and column."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import yaml

from maadan.errors import DataFileError
from maadan.minerals.model import (
    CriticalList,
    Figure,
    ImportReliance,
    ImportSource,
    ListEntry,
    Mineral,
    WorldStatistic,
)
from maadan.minerals.names import NameIndex, normalise
from maadan.organisations.model import CAPABILITIES, KINDS, OWNERSHIPS, Organisation
from maadan.projects.model import Holding, Location, OwnershipReading, Project, ProjectFact

STATUSES = {"reported", "estimated", "withheld", "no-data", "not-available", "net-exporter", "qualitative"}
PROJECT_STATUSES = {"occurrence", "exploration", "feasibility", "development", "operating", "small-scale", "historic"}
FACT_KINDS = {"resources": "resource", "production": "production", "phases": "phase", "capex": "capex",
              "key_dates": "event", "life_of_mine": "life-of-mine"}
PROJECT_KEYS = {
    "id", "name", "full_name", "aliases", "kind", "country", "province", "district", "commodities", "byproducts",
    "deposit_type", "status", "status_note", "operator", "locations", "location_note", "ownership",
    "ownership_incomplete", "ownership_note", "sources", "notes", *FACT_KINDS,
}
KNOWN_UNITS = {
    "metric tons", "thousand metric tons", "million metric tons", "thousand metric dry tons", "kilograms",
    "thousand carats", "million carats", "million cubic meters",
}


def data_dir() -> Path:
    return Path(str(resources.files("maadan") / "data"))


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(data_dir().parent))
    except ValueError:
        return str(path)


def read_csv(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with every required column present and `source` non-empty."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(rel(path), f"missing column(s) {', '.join(missing)}", line=1)
        line = 1
        for row in reader:
            start, line = line + 1, reader.line_num
            if "source" in required and not (row.get("source") or "").strip():
                raise DataFileError(rel(path), "every row needs a source", line=start, column="source")
            yield start, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _num(path: Path, line: int, column: str, raw: str) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise DataFileError(rel(path), f"{raw!r} is not a number", line=line, column=column) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise DataFileError(rel(path), f"{raw!r} is not a finite number", line=line, column=column)
    return value


def _date(path: Path, line: int, column: str, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DataFileError(rel(path), f"{raw!r} is not a date (YYYY-MM-DD)", line=line, column=column) from None


@dataclass
class Catalogue:
    minerals: list[Mineral]
    aliases: list[tuple[str, str, str]]  # (normalised alias, mineral id, kind)
    index: NameIndex
    usgs_labels: dict[str, str]


def load_mineral_catalogue(path: Path | None = None) -> Catalogue:
    path = path or data_dir() / "minerals.csv"
    minerals, labels = [], {}
    cols = ["id", "name", "kind", "group", "symbol", "aliases", "usgs_mcs_labels", "source"]
    for line, r in read_csv(path, cols):
        aliases = tuple(a.strip() for a in r["aliases"].split(";") if a.strip())
        minerals.append(Mineral(id=r["id"], name=r["name"], kind=r["kind"], group_id=r["group"] or None,
                                symbol=r["symbol"] or None, source=r["source"], aliases=aliases))
        for label in r["usgs_mcs_labels"].split(";"):
            if label.strip():
                labels[label.strip()] = r["id"]
    ids = {m.id for m in minerals}
    for m in minerals:
        if m.group_id and m.group_id not in ids:
            raise DataFileError(rel(path), f"group {m.group_id!r} of {m.id!r} is not a mineral id", column="group")
    index = NameIndex.build("mineral", [(m.id, m.name, (*m.aliases, *(m.symbol and [m.symbol] or [])))
                                        for m in minerals])
    aliases: dict[str, tuple[str, str]] = {}
    for m in minerals:
        for alias, kind in ((m.id, "name"), (m.name, "name"), *((a, "alias") for a in m.aliases),
                            *(((m.symbol, "symbol"),) if m.symbol else ())):
            aliases.setdefault(normalise(alias), (m.id, kind))
    for label, mid in labels.items():
        aliases.setdefault(normalise(label), (mid, "usgs-label"))
    return Catalogue(minerals, [(a, mid, kind) for a, (mid, kind) in aliases.items()], index, labels)


def load_lists(catalogue: Catalogue) -> tuple[list[CriticalList], list[ListEntry]]:
    base = data_dir() / "lists"
    lists = []
    path = base / "critical_lists.csv"
    for line, r in read_csv(path, ["id", "name", "authority", "jurisdiction", "published_on", "citation",
                                   "official_count", "note", "source"]):
        lists.append(CriticalList(
            id=r["id"], name=r["name"], authority=r["authority"], jurisdiction=r["jurisdiction"],
            published_on=_date(path, line, "published_on", r["published_on"]), citation=r["citation"],
            official_count=int(_num(path, line, "official_count", r["official_count"]) or 0),
            source=r["source"], note=r["note"] or None,
        ))
    list_ids = {c.id for c in lists}
    ids = {m.id for m in catalogue.minerals}
    entries = []
    path = base / "list_entries.csv"
    for line, r in read_csv(path, ["list_id", "mineral_id", "listed_name", "status", "strategic", "added_on",
                                   "note", "source"]):
        if r["list_id"] not in list_ids:
            raise DataFileError(rel(path), f"unknown list {r['list_id']!r}", line=line, column="list_id")
        if r["mineral_id"] not in ids:
            raise DataFileError(rel(path), f"unknown mineral {r['mineral_id']!r}", line=line, column="mineral_id")
        entries.append(ListEntry(
            list_id=r["list_id"], mineral_id=r["mineral_id"], listed_name=r["listed_name"], status=r["status"],
            source=r["source"], strategic=r["strategic"].lower() == "true",
            added_on=_date(path, line, "added_on", r["added_on"]), note=r["note"] or None,
        ))
    return lists, entries


def _figure(path: Path, line: int, r: dict[str, str]) -> Figure:
    if r["status"] not in STATUSES:
        raise DataFileError(rel(path), f"unknown status {r['status']!r}", line=line, column="status")
    value = _num(path, line, "value", r["value"])
    if value is not None and value < 0:
        raise DataFileError(rel(path), "a published quantity cannot be negative", line=line, column="value")
    if (value is None) != (r["status"] not in ("reported", "estimated")):
        raise DataFileError(rel(path), f"status {r['status']!r} does not fit value {r['value']!r}",
                            line=line, column="status")
    if r["qualifier"] not in ("", ">", "<"):
        raise DataFileError(rel(path), f"qualifier must be empty, > or <, not {r['qualifier']!r}",
                            line=line, column="qualifier")
    return Figure(value=value, status=r["status"], qualifier=r["qualifier"] or None)


def load_world_statistics(catalogue: Catalogue) -> list[WorldStatistic]:
    ids = {m.id for m in catalogue.minerals}
    out = []
    for path in sorted((data_dir() / "usgs").glob("mcs*_world.csv")):
        for line, r in read_csv(path, ["edition", "usgs_label", "mineral_id", "series", "country", "country_kind",
                                       "metric", "year", "value", "qualifier", "status", "unit", "note", "source"]):
            if r["mineral_id"] not in ids:
                raise DataFileError(rel(path), f"unknown mineral {r['mineral_id']!r}", line=line, column="mineral_id")
            if r["unit"] not in KNOWN_UNITS:
                raise DataFileError(rel(path), f"unknown unit {r['unit']!r}", line=line, column="unit")
            if r["metric"] not in ("production", "capacity", "reserves"):
                raise DataFileError(rel(path), f"unknown metric {r['metric']!r}", line=line, column="metric")
            out.append(WorldStatistic(
                edition=r["edition"], usgs_label=r["usgs_label"], mineral_id=r["mineral_id"], series=r["series"],
                country=r["country"], country_kind=r["country_kind"], metric=r["metric"],
                year=int(_num(path, line, "year", r["year"]) or 0), figure=_figure(path, line, r), unit=r["unit"],
                source=r["source"], note=r["note"] or None,
            ))
    return out


def load_import_reliance(catalogue: Catalogue) -> list[ImportReliance]:
    path = data_dir() / "usgs" / "net_import_reliance.csv"
    out = []
    for line, r in read_csv(path, ["mineral_id", "edition", "year", "basis", "value", "qualifier", "status",
                                   "note", "source"]):
        fig = _figure(path, line, r)
        if fig.value is not None and fig.value > 100:
            raise DataFileError(rel(path), "net import reliance above 100%", line=line, column="value")
        out.append(ImportReliance(mineral_id=catalogue.index.resolve(r["mineral_id"]), edition=r["edition"],
                                  year=int(r["year"]), basis=r["basis"], figure=fig, source=r["source"],
                                  note=r["note"] or None))
    return out


def load_import_sources(catalogue: Catalogue) -> list[ImportSource]:
    path = data_dir() / "usgs" / "import_sources.csv"
    out = []
    for line, r in read_csv(path, ["mineral_id", "edition", "period", "category", "rank", "country", "share_pct",
                                   "note", "source"]):
        share = _num(path, line, "share_pct", r["share_pct"])
        if share is not None and not 0 <= share <= 100:
            raise DataFileError(rel(path), f"share {share} is outside 0-100%", line=line, column="share_pct")
        out.append(ImportSource(mineral_id=catalogue.index.resolve(r["mineral_id"]), edition=r["edition"],
                                period=r["period"], category=r["category"],
                                rank=int(_num(path, line, "rank", r["rank"]) or 0), country=r["country"],
                                share_pct=share, source=r["source"], note=r["note"] or None))
    return out


def _profile(path: Path, line: int, r: dict[str, str], minerals: set[str] | None) -> dict[str, Any]:
    """The partner-profile columns of an organisation row: lists split on ';', checked, cited."""
    def split(column: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in r.get(column, "").split(";") if v.strip())

    caps, mins, regions = split("capabilities"), split("minerals"), split("regions")
    for c in caps:
        if c not in CAPABILITIES:
            raise DataFileError(rel(path), f"capability {c!r} is not one of {', '.join(CAPABILITIES)}",
                                line=line, column="capabilities")
    for m in mins:
        if minerals is not None and m not in minerals:
            raise DataFileError(rel(path), f"unknown mineral id {m!r}", line=line, column="minerals")
    ownership = r.get("ownership", "")
    if ownership and ownership not in OWNERSHIPS:
        raise DataFileError(rel(path), f"ownership must be empty (unknown) or one of {', '.join(OWNERSHIPS)}",
                            line=line, column="ownership")
    cited = r.get("profile_source", "")
    if (caps or mins or regions or ownership) and not cited:
        raise DataFileError(rel(path), "capabilities, minerals, regions and ownership need a profile_source",
                            line=line, column="profile_source")
    return {"capabilities": caps, "minerals": mins, "regions": regions, "ownership": ownership or None,
            "profile_source": cited or None}


def load_organisations(minerals: set[str] | None = None) -> list[Organisation]:
    path = data_dir() / "organisations.csv"
    out = []
    for line, r in read_csv(path, ["id", "name", "short_name", "aliases", "country", "kind", "parent", "note",
                                   "source", "capabilities", "minerals", "regions", "ownership", "profile_source"]):
        if r["kind"] not in KINDS:
            raise DataFileError(rel(path), f"kind must be one of {', '.join(KINDS)}", line=line, column="kind")
        if r["country"] and (len(r["country"]) != 2 or not r["country"].isupper()):
            raise DataFileError(rel(path), "country must be an ISO 3166 alpha-2 code", line=line, column="country")
        out.append(Organisation(
            id=r["id"], name=r["name"], kind=r["kind"], source=r["source"], short_name=r["short_name"] or None,
            country=r["country"] or None, parent_id=r["parent"] or None, note=r["note"] or None,
            aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
            **_profile(path, line, r, minerals),
        ))
    ids = {o.id for o in out}
    for o in out:
        if o.parent_id and o.parent_id not in ids:
            raise DataFileError(rel(path), f"parent {o.parent_id!r} of {o.id!r} is not an organisation id",
                                column="parent")
    return out


def _require_source(path: Path, where: str, item: dict[str, Any]) -> str:
    source = str(item.get("source") or "").strip()
    if not source:
        raise DataFileError(rel(path), f"{where} has no source")
    return source


def _project(path: Path, doc: dict[str, Any], minerals: set[str], orgs: set[str]) -> Project:
    def need(key: str) -> Any:
        if doc.get(key) in (None, ""):
            raise DataFileError(rel(path), f"field {key!r} is required")
        return doc[key]

    unknown = sorted(set(doc) - PROJECT_KEYS)
    if unknown:
        raise DataFileError(rel(path), f"unknown field(s) {', '.join(unknown)}")
    pid = need("id")
    if pid != path.stem:
        raise DataFileError(rel(path), f"id {pid!r} must match the file name {path.stem!r}")
    if doc.get("kind") not in ("project", "deposit"):
        raise DataFileError(rel(path), "field 'kind' must be project or deposit")
    if need("status") not in PROJECT_STATUSES:
        raise DataFileError(rel(path), f"field 'status' must be one of {', '.join(sorted(PROJECT_STATUSES))}")
    for field in ("commodities", "byproducts"):
        for m in doc.get(field) or []:
            if m not in minerals:
                raise DataFileError(rel(path), f"{field}: unknown mineral id {m!r}")
    operator = doc.get("operator")
    if operator and operator not in orgs:
        raise DataFileError(rel(path), f"operator: unknown organisation id {operator!r}")
    locations = []
    for i, loc in enumerate(doc.get("locations") or []):
        lat, lon = loc.get("lat"), loc.get("lon")
        if not isinstance(lat, (int, float)) or not -90 <= lat <= 90:
            raise DataFileError(rel(path), f"locations[{i}].lat must be a number in [-90, 90]")
        if not isinstance(lon, (int, float)) or not -180 <= lon <= 180:
            raise DataFileError(rel(path), f"locations[{i}].lon must be a number in [-180, 180]")
        locations.append(Location(lat=float(lat), lon=float(lon), preferred=bool(loc.get("preferred")),
                                  note=loc.get("note"), source=_require_source(path, f"locations[{i}]", loc)))
    readings = []
    for i, reading in enumerate(doc.get("ownership") or []):
        holders = []
        for j, h in enumerate(reading.get("holders") or []):
            org, label = h.get("organisation"), h.get("label")
            if org is None and not label:
                raise DataFileError(rel(path), f"ownership[{i}].holders[{j}] needs an organisation id or a label")
            if org is not None and org not in orgs:
                raise DataFileError(rel(path), f"ownership[{i}].holders[{j}]: unknown organisation id {org!r}")
            if h.get("via") and h["via"] not in orgs:
                raise DataFileError(rel(path), f"ownership[{i}].holders[{j}].via: unknown organisation {h['via']!r}")
            share = h.get("share_pct")
            if share is not None and (not isinstance(share, (int, float)) or not 0 <= share <= 100):
                raise DataFileError(rel(path), f"ownership[{i}].holders[{j}].share_pct must be in 0-100")
            holders.append(Holding(organisation_id=org, label=label, share_pct=share, via_id=h.get("via"),
                                   note=h.get("note")))
        readings.append(OwnershipReading(basis=reading.get("basis") or "equity", holders=tuple(holders),
                                         source=_require_source(path, f"ownership[{i}]", reading),
                                         note=reading.get("note")))
    facts = []
    for key, kind in FACT_KINDS.items():
        items = doc.get(key) or []
        for i, item in enumerate([items] if isinstance(items, dict) else items):
            if not isinstance(item, dict):
                raise DataFileError(rel(path), f"{key}[{i}] must be a mapping")
            for num_key in ("value", "value_high", "ore_mt", "ore_mt_high", "throughput_mtpa", "years"):
                v = item.get(num_key)
                if v is not None and (not isinstance(v, (int, float)) or v < 0):
                    raise DataFileError(rel(path), f"{key}[{i}].{num_key} must be a non-negative number")
            for sub in ("grades", "contained"):
                for k, g in enumerate(item.get(sub) or []):
                    if g.get("commodity") not in minerals and g.get("commodity") not in ("ore", "concentrate"):
                        raise DataFileError(rel(path), f"{key}[{i}].{sub}[{k}]: unknown mineral {g.get('commodity')!r}")
            source = _require_source(path, f"{key}[{i}]", item)
            facts.append(ProjectFact(kind=kind, data={k: v for k, v in item.items() if k != "source"}, source=source))
    sources = [str(s) for s in doc.get("sources") or []]
    if not sources:
        raise DataFileError(rel(path), "field 'sources' must list at least one source")
    project = Project(
        id=pid, name=need("name"), full_name=doc.get("full_name") or doc["name"], kind=doc["kind"],
        country=doc.get("country") or "PK", status=doc["status"], sources=sources, province=doc.get("province"),
        district=doc.get("district"), deposit_type=doc.get("deposit_type"), status_note=doc.get("status_note"),
        operator_id=operator, commodities=list(doc.get("commodities") or []),
        byproducts=list(doc.get("byproducts") or []), aliases=[str(a) for a in doc.get("aliases") or []],
        locations=locations, location_note=doc.get("location_note"), ownership=readings,
        ownership_incomplete=bool(doc.get("ownership_incomplete")), ownership_note=doc.get("ownership_note"),
        facts=facts, notes=doc.get("notes"),
    )
    problems = project.ownership_problems()
    if problems:
        raise DataFileError(rel(path), problems[0])
    return project


def load_projects(catalogue: Catalogue, organisations: list[Organisation]) -> list[Project]:
    minerals = {m.id for m in catalogue.minerals}
    orgs = {o.id for o in organisations}
    out = []
    for path in sorted((data_dir() / "projects").glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise DataFileError(rel(path), f"is not valid YAML: {getattr(exc, 'problem', exc)}",
                                line=mark.line + 1 if mark else None) from None
        if not isinstance(doc, dict):
            raise DataFileError(rel(path), "must hold one mapping (a project)")
        out.append(_project(path, doc, minerals, orgs))
    return out


def bundle_checksum() -> str:
    """SHA-256 over every bundled data file, to skip reseeding when nothing changed."""
    h = hashlib.sha256()
    base = data_dir()
    for path in sorted(p for p in base.rglob("*") if p.suffix in (".csv", ".yaml") and p.is_file()):
        h.update(str(path.relative_to(base)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
