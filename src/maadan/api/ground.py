"""Finding ground (issue 16 item 6): the ground available in a jurisdiction, the bundled populated
places, and one search over titles, applications, deposits, minerals and places."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from maadan.api.schemas import ApiRoute, Listing, Out
from maadan.cadastre import ground
from maadan.http import compression, conditional
from maadan.http.deps import UoW
from maadan.http.security import CurrentUser

router = APIRouter(prefix="/api", tags=["ground"], route_class=ApiRoute)


class FeatureOut(Out):
    type: str = Field(description="Feature")
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class FeatureCollectionOut(Out):
    type: str = Field(description="FeatureCollection")
    features: list[FeatureOut]
    source: str | None = None


class HitOut(Out):
    kind: str = Field(description="title, application, deposit, project, mineral or place")
    label: str
    href: str | None = Field(description="Its page, when it has one")
    geometry: dict[str, Any] | None = Field(description="GeoJSON geometry to show it on a map (WGS 84)")
    detail: str


@router.get("/cadastre/available-ground", response_model=FeatureOut,
            summary="Ground in a jurisdiction not held by an active title, not asked for by a pending application, "
                    "not reserved (GeoJSON Feature)",
            description="Computed once per change of the register's ground and sent as cached bytes; answers 304 "
                        "to an `If-None-Match` holding its ETag.")
def available_ground(uow: UoW, request: Request,
                     jurisdiction: Annotated[str, Query(pattern=r"^[A-Z]{2}-[A-Z]{2,3}$")]) -> Response:
    body, tag = ground.available_ground_json(uow, jurisdiction)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    accept = request.headers.get("accept-encoding")
    gzipped = compression.cached_gzip(body) if compression.accepts_gzip(accept) else None  # once per answer
    return conditional.tagged(compression.encoded(accept, body, gzipped, "application/geo+json"), request, tag)


@router.get("/places", summary="Populated places of Pakistan with 15,000 people or more (GeoNames, CC BY 4.0)")
def places() -> FeatureCollectionOut:
    return ground.places()


@router.get("/reference/border", summary="Pakistan's international border from the bundled outlines, with label points")
def border() -> FeatureOut:
    return ground.border()


@router.get("/search", summary="Titles, applications, deposits and projects, minerals and places matching q")
def search(uow: UoW, user: CurrentUser, q: Annotated[str, Query(min_length=1, max_length=100)]) -> Listing[HitOut]:
    return {"items": [h.__dict__ for h in ground.search(uow, q, user)]}
