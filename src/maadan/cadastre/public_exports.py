"""The public register as files anyone may download (issue 16 item 5): every title and every pending
application, as CSV, GeoJSON and GeoPackage, with the licence. The rows are the public views of
`cadastre.views` (`title_view`, `application_view` without `full`): the same redaction as the public
register's pages and APIs, decided in one place. The fields cover what the EITI Standard asks of a
licence register (requirement 2.3): holders, coordinates, dates of application and award, duration,
commodities (docs/cadastre.md maps them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.paging import application_pages, title_pages
from maadan.cadastre.views import PUBLIC_STATES, application_view, title_view
from maadan.errors import NotFound
from maadan.ingest import geofiles
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


def _check(layer: str, fmt: str) -> None:
    if layer not in LAYERS or fmt not in FORMATS:
        raise NotFound("download", f"{layer}.{fmt}: give titles or applications as .csv, .geojson or .gpkg")


def file_name(layer: str, fmt: str, jurisdiction: str | None = None) -> str:
    """The name a download is given (Content-Disposition), of checked parts only (the caller has
    matched the jurisdiction code)."""
    _check(layer, fmt)
    return f"maadan-{layer}{'-' + jurisdiction if jurisdiction else ''}.{fmt}"


def _holders(holders: list[dict[str, Any]]) -> str:
    return "; ".join(f"{h['name']} ({h['share_pct']:g}%)" for h in holders)


def _years(start: date, end: date | None) -> float | None:
    return None if end is None else round((end - start).days / 365.25, 1)


PAGE = 5_000  # titles or applications read and written at a time: memory bounded by one page, not the register

# Fields written as numbers (a missing one empty in CSV, NULL in a GeoPackage); every other field is
# text. Fixed per layer, so that every page of a file is written with the same columns.
FLOAT_FIELDS = {"area_km2", "term_years", "centre_lon", "centre_lat"}
INT_FIELDS = {"renewals", "synthetic"}


def _title_page(titles: list[Any], received: dict[tuple[str, int], Any]) -> list[dict[str, Any]]:
    rows = []
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
    return rows


def _title_pages(uow: AbstractUnitOfWork, jurisdiction: str | None,
                 page: int) -> Iterator[tuple[list[dict[str, Any]], list[Any]]]:
    """Each title as the public sees it, flat, and its geometry: `page` titles at a time, in id order
    (`uow` open)."""
    for titles in title_pages(uow, jurisdiction, page):
        numbers = {t.application_number for t in titles if t.application_number is not None}
        received = {(a.jurisdiction, a.number): a.received_at for a in
                    uow.cadastre.applications(jurisdiction, [lc.GRANTED], numbers=numbers)} if numbers else {}
        yield _title_page(titles, received), [t.geometry for t in titles]


def _application_pages(uow: AbstractUnitOfWork, jurisdiction: str | None,
                       page: int) -> Iterator[tuple[list[dict[str, Any]], list[Any]]]:
    """Each pending application as the public register shows it (no fee, no filing organisation),
    `page` at a time, by jurisdiction and number (`uow` open)."""
    for apps in application_pages(uow, jurisdiction, PUBLIC_STATES, page):
        rows = []
        centres = shapely.centroid([a.geometry for a in apps])
        for a, c in zip(apps, centres):
            v = application_view(a)
            rows.append({"reference": v["ref"], "jurisdiction": v["jurisdiction"], "title_type": v["type"],
                         "state": v["state"], "priority": v.get("priority") or "", "applicants": "; ".join(v["applicants"]),
                         "minerals": ";".join(v["minerals"]), "area_km2": round(v["area_km2"], 6),
                         "received_at": v["received_at"].isoformat(), "competition_group": v.get("group") or "",
                         "synthetic": bool(v["synthetic"]), "centre_lon": round(c.x, 6), "centre_lat": round(c.y, 6)})
        yield rows, [a.geometry for a in apps]


def _columns(fields: list[str], rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """A page's rows by column, each with its layer's fixed type."""
    out = {}
    for f in fields:
        values = [r[f] for r in rows]
        if f in FLOAT_FIELDS:
            out[f] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif f in INT_FIELDS:
            out[f] = np.array([int(v) for v in values], dtype=np.int64)
        else:
            out[f] = np.array(["" if v is None else str(v) for v in values], dtype=object)
    return out


@dataclass(frozen=True)
class Written:
    features: int
    sequence: int  # the register's sequence when the file's first statement read the store


def write(uow: AbstractUnitOfWork, layer: str, fmt: str, jurisdiction: str | None, path: Path) -> Written:
    """The layer (titles | applications) written to `path` as `fmt` (csv | geojson | gpkg), a page
    at a time (`geofiles.write_pages`), in one `with uow:` block; a file already at `path` is
    replaced. Given a unit of work that reads in one snapshot (`UnitOfWork.snapshot()`), the file
    holds exactly the register's state at the sequence returned, however long it takes to write;
    given one that reads each statement on its own, pages read later may hold later changes. The
    licence goes in a GeoPackage layer's metadata and in the GeoJSON FeatureCollection."""
    _check(layer, fmt)
    fields = TITLE_FIELDS if layer == "titles" else APPLICATION_FIELDS
    metadata = {"LICENSE": f"{LICENCE['name']} {LICENCE['url']}", "ATTRIBUTION": LICENCE["attribution"],
                "NOTE": LICENCE["note"]}

    def columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
        if fmt == "geojson":  # the values as the views give them (true, not 1; null, not empty)
            return {f: [r[f] for r in rows] for f in fields}
        return _columns(fields, rows)

    with uow:
        sequence = uow.audit.size()  # the first read: a snapshot is the store as of this
        pages = (_title_pages if layer == "titles" else _application_pages)(uow, jurisdiction, PAGE)
        features = geofiles.write_pages(path, ((columns(rows), shapely.to_wkb(geoms)) for rows, geoms in pages),
                                        _columns(fields, []), layer, fmt, metadata=metadata,
                                        members={"license": LICENCE})
    return Written(features, sequence)


def licence_text() -> str:
    return (f"{LICENCE['name']}\n{LICENCE['url']}\n\nAttribution: {LICENCE['attribution']}.\n{LICENCE['note']}\n"
            "Fields: docs/cadastre.md, 'The public register as files' (with the EITI Standard 2.3 mapping).\n")
