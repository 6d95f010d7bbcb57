"""Deposits and projects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from maadan.api.schemas import ApiRoute, ClaimOut, CorrectionOut, Out, Paged
from maadan.http.deps import Page, UoW
from maadan.errors import InvalidInput
from maadan.projects import views
from maadan.projects.service import Near, find_projects, project_detail

router = APIRouter(prefix="/api", tags=["projects"], route_class=ApiRoute)
Text = Annotated[str | None, Query(max_length=100)]


class ProjectRowOut(Out):
    id: str
    name: str
    kind: str = Field(description="deposit or project")
    status: str | None
    status_as_of: str | None = Field(default=None, description="Date of the newest source of the status")
    province: str | None
    district: str | None
    commodities: list[str]
    operator: str | None = Field(description="Operator's organisation id")
    lat: float | None = Field(description="The point, or the centre of the box or circle")
    lon: float | None
    located: bool = Field(description="False: no location is known (left out of near searches)")
    location_kind: str | None = Field(default=None, description="point, box or circle (a point with radius_km)")
    location_confidence: str | None = Field(default=None, description="high, medium or low")
    radius_km: float | None = Field(default=None, description="Radius of uncertainty (circle)")
    bbox: list[float] | None = Field(default=None, description="[west, south, east, north] of a box")
    distance_km: float | None = Field(description="With near=LAT,LON: to the nearest place the deposit may lie")
    centre_km: float | None = Field(default=None, description="With near=LAT,LON: to its point or centre")


class ProjectDetailOut(Out):
    """One deposit or project with its owners, phases, reserves, capex and their sources."""

    id: str
    name: str
    kind: str
    ownership: list[dict[str, Any]]
    locations: list[dict[str, Any]] = Field(description="Every reading of its location, one preferred")
    claims: list[ClaimOut] = Field(description="Every claim with its sources beside it")
    unsourced: list[str] = Field(description="Keys of the claims no source supports")
    corrections: list[CorrectionOut]
    organisations: dict[str, dict[str, Any]]
    agreements: list[dict[str, Any]]


@router.get("/projects", summary="Projects (undertakings with an operator or owner of record)")
def projects(uow: UoW, page: Page, commodity: Text = None, province: Text = None) -> Paged[ProjectRowOut]:
    return page.page([views.row_view(r) for r in find_projects(uow, kind="project", commodity=commodity, province=province)])


@router.get("/deposits", summary="Deposits and projects, filtered; sorted by distance with near")
def deposits(uow: UoW, page: Page, commodity: Text = None, province: Text = None,
             near: Annotated[str | None, Query(description="LAT,LON", max_length=60)] = None,
             within_km: Annotated[float | None, Query(gt=0, le=20_000)] = None) -> Paged[ProjectRowOut]:
    where = Near.parse(near, within_km) if near is not None else None
    if where is None and within_km is not None:
        raise InvalidInput("within_km needs near=LAT,LON")
    return page.page([views.row_view(r) for r in find_projects(uow, commodity=commodity, province=province, near=where)])


@router.get("/projects/{project_id}", summary="One deposit or project: owners, phases, reserves, capex, sources")
def project(project_id: str, uow: UoW) -> ProjectDetailOut:
    return views.detail_view(project_detail(uow, project_id))


@router.get("/deposits/{project_id}", summary="Same as /projects/{id}", include_in_schema=False)
def deposit(project_id: str, uow: UoW) -> ProjectDetailOut:
    return project(project_id, uow)
