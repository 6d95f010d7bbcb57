"""The documents of OGC API – Features (landing page, conformance, collections, features) and
their links, built from plain values. No web framework and no database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterator
from urllib.parse import quote, unquote, urlencode

import numpy as np
import orjson
import shapely
import shapely.geometry

from maadan.ogc.query import ItemsQuery

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"  # FastAPI writes OpenAPI 3.1
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"  # and http/openapi_doc.py a 3.0 copy
HTML = "text/html"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)


@dataclass(frozen=True)
class Feature:
    """One feature: a URL-safe id, a shapely geometry in CRS84 and JSON-ready properties."""

    id: str
    geometry: Any
    properties: dict[str, Any]


@dataclass(frozen=True)
class Extent:
    """A collection's extent: bbox in CRS84 and a temporal interval (RFC 3339 strings; None is open)."""

    bbox: tuple[float, float, float, float] | None = None
    temporal: tuple[str | None, str | None] | None = None


@dataclass(frozen=True)
class CollectionInfo:
    id: str
    title: str
    description: str


# --- feature ids -------------------------------------------------------------------------------

def encode_id(key: str) -> str:
    """A URL-path-safe feature id for a key that may hold '/': '/' becomes '~' (a literal '~' or
    another unsafe character is percent-escaped), e.g. PK-BA/EL/2026/0001 -> PK-BA~EL~2026~0001."""
    return quote(key, safe="/").replace("~", "%7E").replace("/", "~")


def decode_id(feature_id: str) -> str:
    """The key behind a feature id made by encode_id (as it arrives, percent-decoded once by the server)."""
    return unquote(feature_id.replace("~", "/"))


# --- formatting --------------------------------------------------------------------------------

def rfc3339(value: datetime | date) -> str:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return f"{value.isoformat()}T00:00:00Z"


def link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(pairs, safe=',:/')}" if pairs else url


# --- documents ---------------------------------------------------------------------------------

class Urls:
    """Where each resource lives, from the OGC root (e.g. http://host/ogc) and the app root."""

    def __init__(self, ogc_root: str, app_root: str):
        self.root = ogc_root.rstrip("/")
        self.app = app_root.rstrip("/")

    def collection(self, collection_id: str) -> str:
        return f"{self.root}/collections/{quote(collection_id, safe='')}"

    def items(self, collection_id: str) -> str:
        return f"{self.collection(collection_id)}/items"

    def item(self, collection_id: str, feature_id: str) -> str:
        return f"{self.items(collection_id)}/{quote(feature_id, safe='~')}"


def landing_page(urls: Urls, extra_links: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "title": "Maadan OGC API – Features and Tiles",
        "description": "Mineral titles, public pending applications, deposits and projects, reserved areas and "
                       "jurisdiction boundaries as GeoJSON in WGS 84 lon/lat (CRS84). The titles may include "
                       "SYNTHETIC demonstration titles, flagged synthetic=true and numbered SYN-.",
        "links": [
            link(urls.root, "self", JSON, "This document"),
            link(f"{urls.root}/conformance", "conformance", JSON, "Conformance classes implemented"),
            link(f"{urls.root}/collections", "data", JSON, "The feature collections"),
            link(f"{urls.app}/openapi.json", "service-desc", OPENAPI, "The API definition (OpenAPI 3.1)"),
            link(f"{urls.app}/openapi-3.0.json", "service-desc", OPENAPI_30, "The API definition (OpenAPI 3.0)"),
            link(f"{urls.app}/docs", "service-doc", HTML, "The API documentation"),
        ] + list(extra_links or ()),
    }


def conformance(more: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"conformsTo": list(CONFORMANCE) + list(more)}


def collection_doc(urls: Urls, info: CollectionInfo, extent: Extent,
                   extra_links: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": info.id, "title": info.title, "description": info.description}
    ext: dict[str, Any] = {}
    if extent.bbox is not None:
        ext["spatial"] = {"bbox": [list(extent.bbox)], "crs": CRS84}
    if extent.temporal is not None:
        ext["temporal"] = {"interval": [list(extent.temporal)],
                           "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    if ext:
        doc["extent"] = ext
    doc |= {
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link(urls.collection(info.id), "self", JSON, f"The {info.title} collection"),
            link(urls.items(info.id), "items", GEOJSON, f"The {info.title} as GeoJSON"),
        ] + list(extra_links or ()),
    }
    return doc


def collections_doc(urls: Urls, collections: list[dict[str, Any]]) -> dict[str, Any]:
    return {"links": [link(f"{urls.root}/collections", "self", JSON, "The feature collections")],
            "collections": collections}


def feature_json(f: Feature) -> dict[str, Any]:
    return {"type": "Feature", "id": f.id, "geometry": shapely.geometry.mapping(f.geometry),
            "properties": f.properties}


def page_links(urls: Urls, collection_id: str, pairs: list[tuple[str, str]], query: ItemsQuery,
               returned: int, matched: int) -> list[dict[str, str]]:
    """self, next (when more match), prev (when offset > 0) and collection; next and prev keep
    every other parameter as given and state limit and offset."""
    items = urls.items(collection_id)
    others = [(k, v) for k, v in pairs if k not in ("limit", "offset")]
    links = [link(with_query(items, pairs), "self", GEOJSON, "This page")]
    if query.offset + returned < matched:
        nxt = others + [("limit", str(query.limit)), ("offset", str(query.offset + query.limit))]
        links.append(link(with_query(items, nxt), "next", GEOJSON, "The next page"))
    if query.offset > 0:
        prev = others + [("limit", str(query.limit)), ("offset", str(max(0, query.offset - query.limit)))]
        links.append(link(with_query(items, prev), "prev", GEOJSON, "The previous page"))
    links.append(link(urls.collection(collection_id), "collection", JSON, "The collection"))
    return links


def feature_collection(urls: Urls, collection_id: str, pairs: list[tuple[str, str]], query: ItemsQuery,
                       features: list[Feature], matched: int, now: datetime) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [feature_json(f) for f in features],
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": rfc3339(now),
        "links": page_links(urls, collection_id, pairs, query, len(features), matched),
    }


ENCODE_CHUNK = 200  # features encoded per chunk of a streamed page


def encode_features(features: list[Feature]) -> list[bytes]:
    """Each feature as its JSON object: geometries written by GEOS in one vectorised call (exact
    coordinates), properties by orjson."""
    if not features:
        return []
    geometries = shapely.to_geojson(np.array([f.geometry for f in features], dtype=object))
    return [orjson.dumps({"type": "Feature", "id": f.id, "geometry": None if g is None else orjson.Fragment(g),
                          "properties": f.properties}) for f, g in zip(features, geometries)]


def _features_json(features: list[Feature]) -> bytes:
    """Features as the JSON members of an array, comma-separated."""
    return b",".join(encode_features(features))


def encode_feature_collection(urls: Urls, collection_id: str, pairs: list[tuple[str, str]], query: ItemsQuery,
                              features: list[Feature], matched: int, now: datetime,
                              encoded: list[bytes] | None = None) -> Iterator[bytes]:
    """`feature_collection` as UTF-8 JSON, in chunks of `ENCODE_CHUNK` features (a large page is
    streamed as it is encoded, never held twice). `encoded`: the features already as JSON
    (`encode_features`, e.g. from a cache), used instead of `features`."""
    returned = len(encoded) if encoded is not None else len(features)
    tail = orjson.dumps({"numberMatched": matched, "numberReturned": returned, "timeStamp": rfc3339(now),
                         "links": page_links(urls, collection_id, pairs, query, returned, matched)})
    yield b'{"type":"FeatureCollection","features":['
    for start in range(0, returned, ENCODE_CHUNK):
        part = b",".join(encoded[start:start + ENCODE_CHUNK]) if encoded is not None else \
            _features_json(features[start:start + ENCODE_CHUNK])
        yield (b"," if start else b"") + part
    yield b"]," + tail[1:]


def encode_feature(urls: Urls, collection_id: str, feature: Feature) -> bytes:
    links = [link(urls.item(collection_id, feature.id), "self", GEOJSON, "This feature"),
             link(urls.collection(collection_id), "collection", JSON, "The collection")]
    return _features_json([feature])[:-1] + b',"links":' + orjson.dumps(links) + b"}"


def feature_doc(urls: Urls, collection_id: str, feature: Feature) -> dict[str, Any]:
    return feature_json(feature) | {"links": [
        link(urls.item(collection_id, feature.id), "self", GEOJSON, "This feature"),
        link(urls.collection(collection_id), "collection", JSON, "The collection"),
    ]}
