"""Re-enter the researched facts in ../shared into Maadan's own bundled data files.

Run from the repository root when ../shared changes:  .venv/bin/python scripts/build_reference_data.py
It reads ../shared/facts (cited facts) and ../shared/data/usgs-mcs-2025 (the official USGS release,
parsed with Maadan's own reader) and rewrites src/maadan/data/lists/list_entries.csv and
src/maadan/data/usgs/*.csv. Review the diff before committing."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from maadan.ingest.reference import load_mineral_catalogue
from maadan.ingest.usgs_mcs import parse_world_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = ROOT / "src" / "maadan" / "data"

LIST_IDS = {
    "USGS_2022_final": "usgs-2022",
    "USGS_2025_final": "usgs-2025",
    "DOE_2023_critical_materials_for_energy": "doe-2023",
    "EU_2023_CRM": "eu-2023",
}
# Listed names that are not plain aliases of a catalogue entry.
NAME_MAP = {
    "metallurgical coal (used for steelmaking)": "metallurgical-coal",
    "aluminium/bauxite": "aluminum",
    "bauxite/alumina/aluminium": "aluminum",
    "boron (metallurgy grade)": "boron",
    "lithium (battery grade)": "lithium",
    "manganese (battery grade)": "manganese",
    "graphite (battery grade)": "graphite",
    "nickel (battery grade)": "nickel",
    "heavy rare earth elements (hree)": "heavy-rare-earths",
    "light rare earth elements (lree)": "light-rare-earths",
    "platinum group metals (pgm)": "platinum-group-metals",
    "rare earth elements for permanent magnets (nd, pr, tb, dy, gd, sm, ce)": "rare-earths",
}


def resolve(index, name: str) -> str:
    key = name.strip().lower()
    if key in NAME_MAP:
        return NAME_MAP[key]
    found = index.get(name)
    if found is None:
        sys.exit(f"no catalogue entry for listed name {name!r}: add an alias to data/minerals.csv")
    return found


def write(path: Path, fields: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows):5d} rows to {path.relative_to(ROOT)}")


def build_lists(catalogue) -> None:
    index = catalogue.index
    groups = {m.id: m.group_id for m in catalogue.minerals}
    facts = list(csv.DictReader((SHARED / "facts" / "critical_mineral_lists.csv").open(encoding="utf-8")))
    strategic = {}
    for r in facts:
        if r["list_id"] == "EU_CRMA_2024_strategic":
            strategic[resolve(index, r["mineral"])] = r["mineral"]
    rows = []
    for r in facts:
        list_id = LIST_IDS.get(r["list_id"])
        if list_id is None:
            continue
        mineral_id = resolve(index, r["mineral"])
        added_on = "2025-05-29" if r["status"].startswith("added to DOE") else ""
        note = r["note"]
        is_strategic = False
        if list_id == "eu-2023":
            chain, m = [], mineral_id
            while m:
                chain.append(m)
                m = groups.get(m)
            hit = next((c for c in chain if c in strategic), None)
            if hit:
                is_strategic = True
                note = "; ".join(x for x in (note, f"strategic raw material as '{strategic[hit]}' (CRMA Annex I)") if x)
        rows.append({
            "list_id": list_id, "mineral_id": mineral_id, "listed_name": r["mineral"], "status": r["status"],
            "strategic": "true" if is_strategic else "false", "added_on": added_on, "note": note,
            "source": r["source"],
        })
    write(DATA / "lists" / "list_entries.csv",
          ["list_id", "mineral_id", "listed_name", "status", "strategic", "added_on", "note", "source"], rows)


def build_world(catalogue) -> None:
    parsed = parse_world_data(SHARED / "data" / "usgs-mcs-2025" / "MCS2025_World_Data.csv", catalogue.usgs_labels)
    rows = []
    for s in parsed.statistics:
        # Capacity cells with nothing in them say nothing; every other empty cell is kept so that
        # "no data" is shown as such rather than missing.
        if s.metric == "capacity" and s.figure.status == "no-data" and not s.note:
            continue
        rows.append({
            "edition": s.edition, "usgs_label": s.usgs_label, "mineral_id": s.mineral_id, "series": s.series,
            "country": s.country, "country_kind": s.country_kind, "metric": s.metric, "year": s.year,
            "value": "" if s.figure.value is None else f"{s.figure.value:g}", "qualifier": s.figure.qualifier or "",
            "status": s.figure.status, "unit": s.unit, "note": s.note or "", "source": s.source,
        })
    for skip in parsed.skipped:
        print(f"  skipped line {skip.line}: {skip.reason}")
    write(DATA / "usgs" / "mcs2025_world.csv", list(rows[0]), rows)


def _nir_value(raw: str) -> tuple[str, str, str | None]:
    raw = raw.strip()
    if raw == "E":
        return "", "", "net-exporter"
    if raw == "NA":
        return "", "", "not-available"
    if raw.startswith((">", "<")):
        return raw[1:], raw[0], None
    return raw, "", None


def build_reliance(catalogue) -> None:
    rows = []
    for r in csv.DictReader((SHARED / "facts" / "usgs_net_import_reliance.csv").open(encoding="utf-8")):
        value, qualifier, status = _nir_value(r["nir_pct"])
        year = r["year"].strip()
        if status is None:
            status = "estimated" if r["year_status"] == "estimated" or year.endswith("e") else "reported"
        note = "; ".join(x for x in (r["note"], "revised figure" if "revised" in r["year_status"] else "") if x)
        rows.append({
            "mineral_id": catalogue.index.resolve(r["commodity"]), "edition": r["edition"], "year": year.rstrip("e"),
            "basis": r["nir_basis"], "value": value, "qualifier": qualifier, "status": status, "note": note,
            "source": r["source"],
        })
    rows.extend(fig2_reliance(catalogue))
    write(DATA / "usgs" / "net_import_reliance.csv", list(rows[0]), rows)


FIG2 = "MCS2025_Fig2_Net_Import_Reliance.csv"


def _fig2_mineral(catalogue, label: str) -> str | None:
    """Catalogue id of a Figure 2 label ('ZINC, refined' -> zinc); None when the catalogue lacks it."""
    head = label.split(",")[0].strip()
    for name in (label, head, re.sub(r"\s*\(.*?\)", "", head).strip()):
        found = catalogue.index.get(name)
        if found:
            return found
    return None


def _sources(text: str) -> str:
    """Country list as printed, without footnote digits glued to names ('China3' -> 'China')."""
    return ", ".join(re.sub(r"(?<=[a-z])\d+$", "", c.strip()) for c in text.split(",") if c.strip())


def fig2_reliance(catalogue) -> list[dict]:
    """2024 NIR of every commodity in MCS 2025 Figure 2, one row per figure label, kept beside the
    chapter (salient-file) readings: a conflict shows as two rows of the same year."""
    path = SHARED / "data" / "usgs-mcs-2025" / FIG2
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            label = " ".join(r["Commodity"].split())
            mineral = _fig2_mineral(catalogue, label)
            if mineral is None:
                print(f"  {FIG2} line {line}: {label!r} is not in data/minerals.csv; skipped")
                continue
            value, qualifier, status = _nir_value(r["Net_Import_Reliance_pct_2024"])
            rows.append({
                "mineral_id": mineral, "edition": "MCS 2025", "year": "2024", "basis": f"Fig. 2: {label}",
                "value": value, "qualifier": qualifier, "status": status or "estimated",
                "note": "2024 figure of MCS 2025 Figure 2 (2024 values in MCS 2025 are estimates); "
                        f"major import sources 2020-2023: {_sources(r['Major_Import_Sources_2020_2023'])}",
                "source": f"USGS MCS 2025, figure 2, doi:10.5066/P13XCP3R ({FIG2} line {line}, "
                          f"Import_Share_Order {r['Import_Share_Order']})",
            })
    return rows


def build_import_sources(catalogue) -> None:
    rows = []
    for r in csv.DictReader((SHARED / "facts" / "usgs_us_import_sources.csv").open(encoding="utf-8")):
        country = "Other" if r["country"].strip().lower() == "other" else r["country"].strip()
        rows.append({
            "mineral_id": catalogue.index.resolve(r["commodity"]), "edition": r["edition"], "period": r["period"],
            "category": r["import_category"], "rank": r["rank"], "country": country, "share_pct": r["share_pct"],
            "note": r["note"], "source": r["source"],
        })
    write(DATA / "usgs" / "import_sources.csv", list(rows[0]), rows)


def main() -> None:
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} not found: this script needs the shared research folder beside the repository")
    catalogue = load_mineral_catalogue()
    build_lists(catalogue)
    build_world(catalogue)
    build_reliance(catalogue)
    build_import_sources(catalogue)


if __name__ == "__main__":
    main()
