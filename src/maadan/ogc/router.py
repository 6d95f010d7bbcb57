"""OGC API – Features over HTTP. Each route only adapts: it parses the query with query.py, reads
through the collection registry and answers with a document from features.py."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from maadan.http import compression, conditional
from maadan.http.base_url import absolute, public_base_url
from maadan.ogc import collections as registry
from maadan.ogc import features as docs
from maadan.ogc import tiles
from maadan.ogc.query import DEFAULT_LIMIT, MAX_LIMIT, ItemsQuery, parse_items, parse_plain
from maadan.errors import NotFound
from maadan.http.deps import read_unit_of_work as _uow

router = APIRouter(prefix="/ogc", tags=["OGC API – Features and Tiles"])


class GeoJSONResponse(JSONResponse):
    media_type = docs.GEOJSON


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A query parameter is wrong or unknown; `details.parameter` names it"},
    404: {"description": "No such collection or feature"},
}
_F = {"name": "f", "in": "query", "required": False, "description": "Output format: only json is served.",
      "schema": {"type": "string", "enum": ["json"]}}
_ITEMS_PARAMETERS = [
    {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "minx,miny,maxx,maxy in CRS84 (lon/lat WGS 84); features whose geometry intersects it. "
                    "3D boxes are refused.",
     "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}},
    {"name": "datetime", "in": "query", "required": False, "style": "form", "explode": False,
     "description": "RFC 3339 instant or interval start/end ('..' for an open end). Titles match on their "
                    "validity [granted_on, expires_on], applications on received_at.",
     "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
     "description": f"Features per page; larger values are clamped to {MAX_LIMIT:,}.",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "offset", "in": "query", "required": False, "description": "Features to skip (paging).",
     "schema": {"type": "integer", "minimum": 0, "default": 0}},
    _F,
]


def _landing_path(request: Request) -> str:
    """The OGC landing page's path in this app, looked up once: the lookup tries every route of the
    app in turn (0.2 ms, a twentieth of an items page's time in the server)."""
    state = request.app.state
    path = getattr(state, "ogc_landing_path", None)
    if path is None:
        path = state.ogc_landing_path = str(request.app.url_path_for("ogc_landing"))
    return path


def _urls(request: Request) -> docs.Urls:
    # Links come from the configured public address, never from the Host header (http/base_url.py).
    return docs.Urls(absolute(request, _landing_path(request)), public_base_url(request))


def _tile_links(urls: docs.Urls, collection_id: str) -> list[dict[str, str]]:
    if collection_id not in tiles.TILED:
        return []
    return [docs.link(tiles.tiles_url(urls.root, collection_id), tiles.REL_TILESETS_VECTOR, docs.JSON,
                      "Vector tiles (Mapbox Vector Tile) of this collection")]


def _pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


@router.get("", name="ogc_landing", summary="Landing page", response_class=JSONResponse,
            openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def landing(request: Request) -> JSONResponse:
    parse_plain(_pairs(request))
    urls = _urls(request)
    return JSONResponse(docs.landing_page(urls, [docs.link(f"{urls.root}/tileMatrixSets", tiles.REL_TILING_SCHEMES,
                                                           docs.JSON, "The tile matrix sets of the vector tiles")]))


@router.get("/conformance", summary="Conformance classes", response_class=JSONResponse,
            openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def conformance(request: Request) -> JSONResponse:
    parse_plain(_pairs(request))
    return JSONResponse(docs.conformance(tiles.CONFORMANCE))


@router.get("/collections", summary="The feature collections", response_class=JSONResponse,
            openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def collections(request: Request) -> JSONResponse:
    parse_plain(_pairs(request))
    urls, uow = _urls(request), _uow(request)
    found = [docs.collection_doc(urls, *registry.describe(c, uow), _tile_links(urls, c.id))
             for c in registry.COLLECTIONS]
    return JSONResponse(docs.collections_doc(urls, found))


@router.get("/collections/{collection_id}", summary="One feature collection", response_class=JSONResponse,
            openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def collection(request: Request, collection_id: str) -> JSONResponse:
    parse_plain(_pairs(request))
    c = registry.find(collection_id)
    urls = _urls(request)
    return JSONResponse(docs.collection_doc(urls, *registry.describe(c, _uow(request)), _tile_links(urls, c.id)))


STREAM_FROM = 500  # features: a page this large is streamed as it is encoded


@router.get("/collections/{collection_id}/items", summary="Features of a collection (GeoJSON)",
            response_class=GeoJSONResponse, openapi_extra={"parameters": _ITEMS_PARAMETERS}, responses=_ERRORS)
async def items(request: Request, collection_id: str) -> Response:
    # The tag is read on the event loop, so an unchanged page is a 304 without a trip to the thread
    # pool; a page is built there (a large one would hold the loop).
    c = registry.find(collection_id)
    pairs = _pairs(request)
    query = parse_items(pairs)
    registry.check_query(c, query)
    sequence = await conditional.tag_sequence_awaited(request)
    tag = conditional.register_etag(request, sequence=sequence)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    return await run_in_threadpool(_items_page, request, c, pairs, query, tag, sequence)


def _items_page(request: Request, c: registry.Collection, pairs: list[tuple[str, str]], query: ItemsQuery,
                tag: str, sequence: int) -> Response:
    # `sequence` was read on the database the page is read from (http/replicas.py `read_engine`),
    # before it: the page's data are at least that new.
    page = c.source.page(_uow(request), query, sequence)
    chunks = docs.encode_feature_collection(_urls(request), c.id, pairs, query, page.features, page.matched,
                                            datetime.now(timezone.utc), encoded=page.encoded)
    if page.returned >= STREAM_FROM:
        response: Response = StreamingResponse(chunks, media_type=docs.GEOJSON)
    else:
        response = Response(b"".join(chunks), media_type=docs.GEOJSON)
    return conditional.tagged(response, request, tag)


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature (GeoJSON)",
            response_class=GeoJSONResponse, openapi_extra={"parameters": [_F]}, responses=_ERRORS)
async def item(request: Request, collection_id: str, feature_id: str) -> Response:
    c = registry.find(collection_id)  # the tag read on the loop, the feature in the pool, as for items
    parse_plain(_pairs(request))
    tag = await conditional.register_etag_awaited(request)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    return await run_in_threadpool(_feature, request, c, feature_id, tag)


def _feature(request: Request, c: registry.Collection, feature_id: str, tag: str) -> Response:
    feature = c.source.get(_uow(request), feature_id)
    if feature is None:
        raise NotFound(f"feature in {c.id}", feature_id)
    return conditional.tagged(Response(docs.encode_feature(_urls(request), c.id, feature), media_type=docs.GEOJSON),
                              request, tag)


# --- OGC API – Tiles ---------------------------------------------------------------------------

_TILE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "tileMatrix, tileRow or tileCol is not a whole number, or a query parameter is wrong"},
    404: {"description": "No such collection with tiles or tile matrix set, or the tile lies outside the matrix"},
}
_F_MVT = {"name": "f", "in": "query", "required": False, "description": "Output format: only mvt is served.",
          "schema": {"type": "string", "enum": ["mvt"]}}


def _tiled(collection_id: str) -> tuple[tiles.TiledCollection, Any]:
    c = registry.find(collection_id)  # an unknown collection: 404 naming the collections
    return tiles.tiled(c.id), c.info


@router.get("/tileMatrixSets", summary="The tile matrix sets", response_class=JSONResponse,
            openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def tile_matrix_sets(request: Request) -> JSONResponse:
    parse_plain(_pairs(request))
    return JSONResponse(tiles.tile_matrix_sets_doc(_urls(request).root))


@router.get("/tileMatrixSets/{tile_matrix_set_id}", summary="One tile matrix set (OGC TMS 2.0 JSON)",
            response_class=JSONResponse, openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def tile_matrix_set(request: Request, tile_matrix_set_id: str) -> JSONResponse:
    parse_plain(_pairs(request))
    tiles.check_matrix_set(tile_matrix_set_id)
    return JSONResponse(tiles.tile_matrix_set_doc())


@router.get("/collections/{collection_id}/tiles", summary="The vector tilesets of a collection",
            response_class=JSONResponse, openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def tilesets(request: Request, collection_id: str) -> JSONResponse:
    parse_plain(_pairs(request))
    c, info = _tiled(collection_id)
    return JSONResponse(tiles.tilesets_doc(_urls(request).root, c, info.title))


@router.get("/collections/{collection_id}/tiles/{tile_matrix_set_id}", summary="A vector tileset's metadata",
            response_class=JSONResponse, openapi_extra={"parameters": [_F]}, responses=_ERRORS)
def tileset(request: Request, collection_id: str, tile_matrix_set_id: str) -> JSONResponse:
    parse_plain(_pairs(request))
    c, info = _tiled(collection_id)
    tiles.check_matrix_set(tile_matrix_set_id)
    return JSONResponse(tiles.tileset_doc(_urls(request).root, c, info.title, info.description))


@router.get("/collections/{collection_id}/tiles/{tile_matrix_set_id}/{tile_matrix}/{tile_row}/{tile_col}",
            summary="One vector tile (Mapbox Vector Tile)", response_class=Response,
            openapi_extra={"parameters": [_F_MVT]},
            responses=_TILE_ERRORS | {200: {"content": {tiles.MVT: {}},
                                            "description": "The tile; zero bytes when no feature lies in it"},
                                      304: {"description": "Not modified (If-None-Match)"}})
def tile(request: Request, collection_id: str, tile_matrix_set_id: str, tile_matrix: str, tile_row: str,
         tile_col: str) -> Response:
    c, _ = _tiled(collection_id)
    address = tiles.parse_tile(tile_matrix_set_id, tile_matrix, tile_row, tile_col)
    tiles.parse_tile_query(_pairs(request))
    uow = _uow(request)
    built = tiles.built_tile(uow, c, address)
    headers = {"ETag": built.etag, "Cache-Control": tiles.CACHE_CONTROL, "Vary": "Accept-Encoding"}
    if conditional.matches(request.headers.get("if-none-match", ""), built.etag):
        return Response(status_code=304, headers=headers)
    return compression.encoded(request.headers.get("accept-encoding"), built.body, built.gzipped, tiles.MVT, headers)
