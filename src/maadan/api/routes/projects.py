"""Deposits and projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from maadan.api.deps import Page, UoW
from maadan.errors import InvalidInput
from maadan.projects.service import Near, ProjectRow, find_projects, project_detail
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["projects"])
Text = Annotated[str | None, Query(max_length=100)]


def _row(r: ProjectRow) -> dict:
    return r.as_dict()


@router.get("/projects", summary="Projects (undertakings with an operator or owner of record)")
def projects(uow: UoW, page: Page, commodity: Text = None, province: Text = None) -> dict:
    return page.page([_row(r) for r in find_projects(uow, kind="project", commodity=commodity, province=province)])


@router.get("/deposits", summary="Deposits and projects, filtered; sorted by distance with near")
def deposits(uow: UoW, page: Page, commodity: Text = None, province: Text = None,
             near: Annotated[str | None, Query(description="LAT,LON", max_length=60)] = None,
             within_km: Annotated[float | None, Query(gt=0, le=20_000)] = None) -> dict:
    where = Near.parse(near, within_km) if near is not None else None
    if where is None and within_km is not None:
        raise InvalidInput("within_km needs near=LAT,LON")
    return page.page([_row(r) for r in find_projects(uow, commodity=commodity, province=province, near=where)])


@router.get("/projects/{project_id}", summary="One deposit or project: owners, phases, reserves, capex, sources")
def project(project_id: str, uow: UoW) -> dict:
    d = project_detail(uow, project_id)
    data = d.as_dict()
    data["organisations"] = {k: to_jsonable(o) for k, o in d.organisations.items()
                             if k == d.project.operator_id or any(k in (h.organisation_id, h.via_id)
                                                                  for r in d.project.ownership for h in r.holders)}
    return data


@router.get("/deposits/{project_id}", summary="Same as /projects/{id}", include_in_schema=False)
def deposit(project_id: str, uow: UoW) -> dict:
    return project(project_id, uow)
