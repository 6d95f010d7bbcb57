"""The public register as files anyone may download (issue 16 item 5): every title and every pending
application, as CSV, GeoJSON and GeoPackage, with the licence. The rows are the public views of
`cadastre.views` (`title_view`, `application_view` without `full`): the same redaction as the public
register's pages and APIs, decided in one place. The fields cover what the EITI Standard asks of a
licence register (requirement 2.3): holders, coordinates, dates of application and award, duration,
commodities (docs/cadastre.md maps them)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.views import PUBLIC_STATES, application_view, title_view
from maadan.errors import NotFound
from maadan.ingest import geofiles
from maadan.ingest.geofiles import Records
from maadan.unit_of_work import AbstractUnitOfWork

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Mineral titles register of the licensing authority, published with Maadan",
    "note": "Titles marked synthetic=true are generated demonstration data, not real rights.",
}
LAYERS = ("titles", "applications")
FORMATS = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
           "gpkg": "application/geopackage+sqlite3"}
TITLE_FIELDS = ["number", "jurisdiction", "title_type", "state", "holders", "holder_countries", "minerals", "area_km2",
                "applied_on", "granted_on", "expires_on", "term_years", "renewals", "rules_version", "synthetic",
                "centre_lon", "centre_lat"]
APPLICATION_FIELDS = ["reference", "jurisdiction", "title_type", "state", "priority", "applicants", "minerals",
                      "area_km2", "received_at", "competition_group", "synthetic", "centre_lon", "centre_lat"]


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    body: bytes
    features: int


def _holders(holders: list[dict[str, Any]]) -> str:
    return "; ".join(f"{h['name']} ({h['share_pct']:g}%)" for h in holders)


def _years(start: date, end: date | None) -> float | None:
    return None if end is None else round((end - start).days / 365.25, 1)


def title_rows(uow: AbstractUnitOfWork, jurisdiction: str | None = None) -> tuple[list[dict[str, Any]], list[Any]]:
    """Each title as the public sees it, flat, and its geometry."""
    with uow:
        titles = uow.cadastre.titles(jurisdiction)
        received = {(a.jurisdiction, a.number): a.received_at
                    for a in uow.cadastre.applications(jurisdiction, [lc.GRANTED])}
    rows, geoms = [], []
    centres = shapely.centroid([t.geometry for t in titles]) if titles else []
    for t, c in zip(titles, centres):
        v = title_view(t)
        applied = received.get((t.jurisdiction, t.application_number))
        rows.append({"number": v["number"], "jurisdiction": v["jurisdiction"], "title_type": v["type"],
                     "state": v["state"], "holders": _holders(v["holders"]),
                     "holder_countries": ";".join(sorted({h["country"] or "" for h in v["holders"]} - {""})),
                     "minerals": ";".join(v["minerals"]), "area_km2": round(v["area_km2"], 6),
                     "applied_on": applied.date().isoformat() if applied else "",
                     "granted_on": t.granted_on.isoformat(), "expires_on": t.expires_on.isoformat() if t.expires_on else "",
                     "term_years": _years(t.granted_on, t.expires_on), "renewals": v["renewals"],
                     "rules_version": v["rules_version"], "synthetic": bool(v["synthetic"]),
                     "centre_lon": round(c.x, 6), "centre_lat": round(c.y, 6)})
        geoms.append(t.geometry)
    return rows, geoms


def application_rows(uow: AbstractUnitOfWork, jurisdiction: str | None = None) -> tuple[list[dict[str, Any]], list[Any]]:
    """Each pending application as the public register shows it (no fee, no filing organisation)."""
    with uow:
        apps = uow.cadastre.applications(jurisdiction, PUBLIC_STATES)
    rows, geoms = [], []
    centres = shapely.centroid([a.geometry for a in apps]) if apps else []
    for a, c in zip(apps, centres):
        v = application_view(a)
        rows.append({"reference": v["ref"], "jurisdiction": v["jurisdiction"], "title_type": v["type"],
                     "state": v["state"], "priority": v.get("priority") or "", "applicants": "; ".join(v["applicants"]),
                     "minerals": ";".join(v["minerals"]), "area_km2": round(v["area_km2"], 6),
                     "received_at": v["received_at"].isoformat(), "competition_group": v.get("group") or "",
                     "synthetic": bool(v["synthetic"]), "centre_lon": round(c.x, 6), "centre_lat": round(c.y, 6)})
        geoms.append(a.geometry)
    return rows, geoms


def download(uow: AbstractUnitOfWork, layer: str, fmt: str, jurisdiction: str | None = None) -> Download:
    """The layer (titles | applications) as one file in `fmt` (csv | geojson | gpkg)."""
    if layer not in LAYERS or fmt not in FORMATS:
        raise NotFound("download", f"{layer}.{fmt}: give titles or applications as .csv, .geojson or .gpkg")
    rows, geoms = (title_rows if layer == "titles" else application_rows)(uow, jurisdiction)
    fields = TITLE_FIELDS if layer == "titles" else APPLICATION_FIELDS
    name = f"maadan-{layer}{'-' + jurisdiction if jurisdiction else ''}.{fmt}"
    if fmt == "geojson":
        body = json.dumps({"type": "FeatureCollection", "name": layer, "license": LICENCE,
                           "features": [{"type": "Feature", "properties": r, "geometry": shapely.geometry.mapping(g)}
                                        for r, g in zip(rows, geoms)]}, ensure_ascii=False).encode()
        return Download(name, FORMATS[fmt], body, len(rows))
    records = Records(fields=fields, rows=[{k: (int(v) if isinstance(v, bool) else v) for k, v in r.items()} for r in rows],
                      wkb=[shapely.to_wkb(g) for g in geoms])
    with tempfile.TemporaryDirectory() as tmp:
        path = geofiles.write(Path(tmp) / name, records, layer=layer, fmt=fmt,
                              metadata={"LICENSE": f"{LICENCE['name']} {LICENCE['url']}",
                                        "ATTRIBUTION": LICENCE["attribution"], "NOTE": LICENCE["note"]})
        body = path.read_bytes()
    return Download(name, FORMATS[fmt], body, len(rows))


def licence_text() -> str:
    return (f"{LICENCE['name']}\n{LICENCE['url']}\n\nAttribution: {LICENCE['attribution']}.\n{LICENCE['note']}\n"
            "Fields: docs/cadastre.md, 'The public register as files' (with the EITI Standard 2.3 mapping).\n")
