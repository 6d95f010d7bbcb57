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
from maadan.projects.model import Project

STATUSES = {"reported", "estimated", "withheld", "no-data", "not-available", "net-exporter", "qualitative"}
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
    for _, r in read_csv(path, cols):
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


RETIRED_ORGANISATION_COLUMNS = {"source"}  # sources moved to organisation_sources.yaml, claim by claim


def load_organisations(minerals: set[str] | None = None) -> list[Organisation]:
    path = data_dir() / "organisations.csv"
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    for retired in RETIRED_ORGANISATION_COLUMNS & set(header):
        raise DataFileError(rel(path), f"the {retired!r} column is no longer read: each organisation's sources are "
                                       "cited claim by claim in organisation_sources.yaml (remove the column)",
                            line=1, column=retired)
    for line, r in read_csv(path, ["id", "name", "short_name", "aliases", "country", "kind", "parent", "note",
                                   "capabilities", "minerals", "regions", "ownership", "profile_source"]):
        if r["kind"] not in KINDS:
            raise DataFileError(rel(path), f"kind must be one of {', '.join(KINDS)}", line=line, column="kind")
        if r["country"] and (len(r["country"]) != 2 or not r["country"].isupper()):
            raise DataFileError(rel(path), "country must be an ISO 3166 alpha-2 code", line=line, column="country")
        out.append(Organisation(
            id=r["id"], name=r["name"], kind=r["kind"], source="", short_name=r["short_name"] or None,
            country=r["country"] or None, parent_id=r["parent"] or None, note=r["note"] or None,
            aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
            **_profile(path, line, r, minerals),
        ))
    ids = {o.id for o in out}
    for o in out:
        if o.parent_id and o.parent_id not in ids:
            raise DataFileError(rel(path), f"parent {o.parent_id!r} of {o.id!r} is not an organisation id",
                                column="parent")
    return _with_claim_sources(out, path)


def _with_claim_sources(orgs: list[Organisation], csv_path: Path) -> list[Organisation]:
    """The organisations with the per-claim sources of organisation_sources.yaml attached (their `source`
    is made from those citations); a row with no entry there is refused (every row cited)."""
    from dataclasses import replace

    from maadan.ingest.citations import load_catalogue
    from maadan.ingest.organisation_data import attach, load_organisation_sources

    path = csv_path.parent / "organisation_sources.yaml"
    cited = {}
    if path.exists():
        catalogue_path = csv_path.parent / "sources.yaml"
        catalogue = load_catalogue(catalogue_path, rel(catalogue_path))
        cited = load_organisation_sources(path, rel(path), catalogue, {o.id for o in orgs})
    out = []
    for o in orgs:
        if o.id in cited:
            o = replace(o, **attach(o, *cited[o.id]))
        if not o.source:
            raise DataFileError(rel(csv_path), f"{o.id}: no source (give one in organisation_sources.yaml)",
                                column="id")
        out.append(o)
    return out


def load_projects(catalogue: Catalogue, organisations: list[Organisation],
                  sources: dict[str, dict] | None = None, folder: Path | None = None) -> list[Project]:
    """Every bundled deposit and project (maadan/data/projects/*.yaml), read whole before anything is stored."""
    from maadan.ingest.citations import load_catalogue
    from maadan.ingest.project_data import load_project_files

    if sources is None:
        path = data_dir() / "sources.yaml"
        sources = load_catalogue(path, rel(path))
    return load_project_files(folder or data_dir() / "projects", sources, {m.id for m in catalogue.minerals},
                              {o.id for o in organisations}, rel)


def bundle_checksum() -> str:
    """SHA-256 over every bundled data file, to skip reseeding when nothing changed."""
    h = hashlib.sha256()
    base = data_dir()
    for path in sorted(p for p in base.rglob("*") if p.suffix in (".csv", ".yaml") and p.is_file()):
        h.update(str(path.relative_to(base)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
