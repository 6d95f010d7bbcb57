"""The collection registry: each collection says what it holds and reads its features through the
unit of work. Titles and applications are filtered, paged and counted in SQL; the small
collections (deposits, projects, reserved areas, boundaries) are filtered in memory."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Protocol

import numpy as np
import shapely

from maadan.ogc.features import CollectionInfo, Extent, Feature, decode_id, encode_features, encode_id, rfc3339
from maadan.ogc.query import InvalidParameter, ItemsQuery
from maadan.cadastre import views
from maadan.cadastre.boundaries import available_boundaries, load_boundary
from maadan.cadastre.model import Application, Title
from maadan.errors import NotFound
from maadan.sequence_cache import SequenceCache
from maadan.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class Page:
    features: list[Feature]
    matched: int
    encoded: list[bytes] | None = None  # the features already as JSON (features.encode_features), in order

    @property
    def returned(self) -> int:
        return len(self.encoded) if self.encoded is not None else len(self.features)


class FeatureCache(SequenceCache):
    """Each title's feature as encoded JSON, per database, valid for one register sequence (every
    change to the data moves it, in any process: a new sequence empties the cache). Pages in a bbox
    read their ids, take their features from here and read and encode only the titles missing; at
    most `size` features are kept per database (then it starts again)."""

    def features(self, db: str, sequence: int) -> dict[int, bytes]:
        """The cache of `db` at `sequence` (a new, empty one when the sequence moved or it is full)."""
        return self.at(db, sequence)


FEATURES = FeatureCache()


class Source(Protocol):
    temporal: bool  # whether `datetime` filters this collection

    def extent(self, uow: AbstractUnitOfWork) -> Extent: ...

    def page(self, uow: AbstractUnitOfWork, query: ItemsQuery, sequence: int | None = None) -> Page:
        """One page of features. `sequence`: the register's sequence, read by the caller on `uow`'s
        database before the page (a source that keeps features by sequence reads it when not given)."""

    def get(self, uow: AbstractUnitOfWork, feature_id: str) -> Feature | None: ...


@dataclass(frozen=True)
class Collection:
    info: CollectionInfo
    source: Source

    @property
    def id(self) -> str:
        return self.info.id


# --- titles ------------------------------------------------------------------------------------

def properties(view: dict[str, Any]) -> dict[str, Any]:
    """A view's values as feature properties: instants in RFC 3339 (UTC, Z), dates as ISO dates."""
    return {k: rfc3339(v) if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
            for k, v in view.items()}


def title_feature(t: Title) -> Feature:
    return Feature(id=encode_id(t.number), geometry=t.geometry, properties=properties(views.title_view(t)))


class TitleSource:
    temporal = True

    def extent(self, uow: AbstractUnitOfWork) -> Extent:
        with uow:
            bbox, first, last = uow.cadastre.titles_extent()
        if bbox is None:
            return Extent()
        return Extent(bbox, (rfc3339(first), rfc3339(last) if last else None))

    def page(self, uow: AbstractUnitOfWork, query: ItemsQuery, sequence: int | None = None) -> Page:
        iv = query.interval
        bbox = query.bbox.as_tuple() if query.bbox else None
        valid_from, valid_to = (iv.start_date, iv.end_date) if iv else (None, None)
        with uow:
            if bbox is not None:
                # Ids first, then the features from the cache (read after the register sequence it is
                # valid for, so never older than it: the caller's, read before this unit of work, or
                # read here first); only the titles missing are read and encoded.
                cache = FEATURES.features(uow.key, uow.audit.size() if sequence is None else sequence)
                ids, matched = uow.cadastre.title_ids_in_bbox(bbox, valid_from=valid_from, valid_to=valid_to,
                                                             limit=query.limit, offset=query.offset)
                missing = [i for i in ids if i not in cache]
                if missing:
                    titles = uow.cadastre.titles_by_id(missing)
                    cache.update(zip([t.id for t in titles], encode_features([title_feature(t) for t in titles])))
                return Page([], matched, [cache[i] for i in ids])
            titles, matched = uow.cadastre.titles_page(bbox=bbox, valid_from=valid_from, valid_to=valid_to,
                                                       limit=query.limit, offset=query.offset)
        return Page([title_feature(t) for t in titles], matched)

    def get(self, uow: AbstractUnitOfWork, feature_id: str) -> Feature | None:
        with uow:
            title = uow.cadastre.title(decode_id(feature_id))
        return title_feature(title) if title else None


# --- public pending applications ---------------------------------------------------------------

def application_feature(a: Application) -> Feature:
    # Only what the public register shows: no beneficial owners, applicant account, fee or documents.
    props = properties(views.application_view(a))
    props["waits_on"] = [f"{w['kind']} {w['ref']}" for w in props["waits_on"]]  # plain strings for GIS clients
    return Feature(id=encode_id(a.ref), geometry=a.geometry, properties=props)


class ApplicationSource:
    temporal = True
    states = tuple(sorted(views.PUBLIC_STATES))  # the public's applications (cadastre/views.py)

    def extent(self, uow: AbstractUnitOfWork) -> Extent:
        with uow:
            bbox, first, last = uow.cadastre.applications_extent(self.states)
        if bbox is None:
            return Extent()
        return Extent(bbox, (rfc3339(first), rfc3339(last)))

    def page(self, uow: AbstractUnitOfWork, query: ItemsQuery, sequence: int | None = None) -> Page:
        iv = query.interval
        with uow:
            apps, matched = uow.cadastre.applications_page(
                self.states, bbox=query.bbox.as_tuple() if query.bbox else None,
                received_from=iv.start if iv else None, received_to=iv.end if iv else None,
                limit=query.limit, offset=query.offset)
        return Page([application_feature(a) for a in apps], matched)

    def get(self, uow: AbstractUnitOfWork, feature_id: str) -> Feature | None:
        jurisdiction, _, number = decode_id(feature_id).rpartition("/A")
        if not jurisdiction or not number.isdigit() or len(number) > 12:
            return None
        with uow:
            app = uow.cadastre.application(jurisdiction, int(number))
        if app is None or not views.can_see(app, None):
            return None  # a decided or withdrawn application is not public: same answer as unknown
        return application_feature(app)


# --- small collections, filtered in memory -----------------------------------------------------

def _in_memory_page(features: list[Feature], query: ItemsQuery) -> Page:
    if query.bbox is not None and features:
        hits = shapely.intersects(np.array([f.geometry for f in features], dtype=object), query.bbox.geometry())
        features = [f for f, hit in zip(features, hits) if hit]
    return Page(features[query.offset:query.offset + query.limit], len(features))


def _bounds(features: list[Feature]) -> Extent:
    if not features:
        return Extent()
    b = shapely.total_bounds(np.array([f.geometry for f in features], dtype=object))
    return Extent((float(b[0]), float(b[1]), float(b[2]), float(b[3])))


class InMemorySource:
    """A collection small enough to read whole (tens to hundreds of features)."""

    temporal = False

    def __init__(self, load: Callable[[AbstractUnitOfWork], list[Feature]]):
        self._load = load

    def extent(self, uow: AbstractUnitOfWork) -> Extent:
        return _bounds(self._load(uow))

    def page(self, uow: AbstractUnitOfWork, query: ItemsQuery, sequence: int | None = None) -> Page:
        return _in_memory_page(self._load(uow), query)

    def get(self, uow: AbstractUnitOfWork, feature_id: str) -> Feature | None:
        return next((f for f in self._load(uow) if f.id == feature_id), None)


def _projects(kinds: tuple[str, ...]) -> Callable[[AbstractUnitOfWork], list[Feature]]:
    def load(uow: AbstractUnitOfWork) -> list[Feature]:
        with uow:
            projects = uow.projects.all()
            names = {o.id: o.name for o in uow.organisations.all()}
        out = []
        for p in sorted(projects, key=lambda p: p.id):
            loc = p.location
            if p.kind not in kinds or loc is None:
                continue  # no known location: nothing to draw
            out.append(Feature(id=encode_id(p.id), geometry=shapely.Point(loc.lon, loc.lat), properties={
                "id": p.id, "name": p.name, "kind": p.kind, "status": p.status, "country": p.country,
                "province": p.province, "district": p.district, "commodities": list(p.commodities),
                "operator": names.get(p.operator_id) if p.operator_id else None,
                # How precisely the point is known: a point, a box the deposit lies in, or a radius of uncertainty.
                "location_kind": loc.kind, "location_confidence": loc.confidence, "location_derived": loc.derived,
                "radius_km": loc.radius_km, "box_south": loc.south, "box_west": loc.west, "box_north": loc.north,
                "box_east": loc.east, "location": loc.describe(),
            }))
        return out

    return load


def _reserved(uow: AbstractUnitOfWork) -> list[Feature]:
    with uow:
        rows = uow.cadastre.reserved()
    return [Feature(id=str(r["id"]), geometry=r["geometry"], properties={
        "name": r["name"], "jurisdiction": r["jurisdiction"], "kind": r["kind"], "source": r["source"],
        "area_km2": r["area_km2"], "synthetic": bool(r["synthetic"]),
    }) for r in sorted(rows, key=lambda r: r["id"])]


def _boundaries(_: AbstractUnitOfWork) -> list[Feature]:
    out = []
    for code in available_boundaries():
        b = load_boundary(code)
        out.append(Feature(id=encode_id(b.code), geometry=b.geometry, properties={
            "code": b.code, "name": b.name, "source": b.source, "caveat": b.caveat, "area_km2": b.area_km2,
        }))
    return out


# --- the registry ------------------------------------------------------------------------------

COLLECTIONS: tuple[Collection, ...] = (
    Collection(CollectionInfo(
        "titles", "Mineral titles",
        "Every registered mineral title (any state) with its holders, shares and minerals; validity runs from "
        "granted_on to expires_on, which `datetime` filters on. May include SYNTHETIC demonstration titles: "
        "they are flagged synthetic=true and numbered SYN-. Feature ids are title numbers with '/' "
        "written as '~'."), TitleSource()),
    Collection(CollectionInfo(
        "applications", "Pending applications",
        "Applications still open (received, accepted, under review or offered), as the public register shows "
        "them: applicants' names, no beneficial owners, applicant accounts or documents. `datetime` filters on "
        "received_at. Feature ids are refs such as PK-BA~A12 (PK-BA/A12)."), ApplicationSource()),
    Collection(CollectionInfo(
        "deposits", "Deposits and projects",
        "Known deposits and projects as points at their preferred location (the centre of a box or of a "
        "radius of uncertainty: location_kind, radius_km and box_* say how precisely it is known, "
        "location_confidence how far the source is trusted); those without a known location are left out. "
        "Feature ids are Maadan project ids."), InMemorySource(_projects(("deposit", "project")))),
    Collection(CollectionInfo(
        "projects", "Projects",
        "Projects only (kind = project), as points at their preferred location; those without a known "
        "location are left out."), InMemorySource(_projects(("project",)))),
    Collection(CollectionInfo(
        "reserved-areas", "Reserved areas",
        "Ground closed to applications (protected areas, no-go and reserved areas), each with its source. "
        "Feature ids are row numbers."), InMemorySource(_reserved)),
    Collection(CollectionInfo(
        "boundaries", "Jurisdiction boundaries",
        "The jurisdiction outlines the cadastre checks against (bundled Natural Earth 1:10m outlines unless an "
        "authority installed official files), with their source and caveat. Feature ids are ISO 3166-2 codes."),
        InMemorySource(_boundaries)),
)


def find(collection_id: str) -> Collection:
    """The collection with this id, or NotFound with close matches."""
    for c in COLLECTIONS:
        if c.id == collection_id:
            return c
    ids = [c.id for c in COLLECTIONS]
    raise NotFound("collection", collection_id, difflib.get_close_matches(collection_id, ids, n=3) or ids)


def check_query(collection: Collection, query: ItemsQuery) -> None:
    if query.interval is not None and not collection.source.temporal:
        raise InvalidParameter("datetime", f"the {collection.id} collection has no time to filter on")


def describe(collection: Collection, uow: AbstractUnitOfWork) -> tuple[CollectionInfo, Extent]:
    return collection.info, collection.source.extent(uow)
