"""The projects pages: deposits and projects with filters, and one project with its sourced figures."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from maadan.errors import InvalidInput
from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.projects.service import find_projects, project_detail
from maadan.web import figures
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(40, "/projects", "Projects"),)


@router.get("/projects")
def projects(request: Request, uow: UoW, commodity: str | None = None, province: str | None = None,
             kind: str | None = None) -> Response:
    if kind not in (None, "", "project", "deposit"):
        raise InvalidInput("kind must be project or deposit")
    rows = find_projects(uow, kind=kind or None, commodity=commodity or None, province=province or None)
    return render(request, "projects.html", {"rows": rows, "filters": {"commodity": commodity or "",
                                                                       "province": province or "", "kind": kind or ""}})


@router.get("/projects/{project_id}")
def project(request: Request, project_id: str, uow: UoW) -> Response:
    detail = project_detail(uow, project_id)
    if detail.project.id != project_id:
        return RedirectResponse(f"/projects/{quote(detail.project.id)}", status_code=301)
    p = detail.project
    claims = p.claims(detail.names)
    return render(request, "project.html", {
        "d": detail, "p": p, "dates": figures.date_rows(p), "sources": figures.project_sources(p),
        "claims": claims, "unsourced": sum(not c.sourced for c in claims),
        "resources": figures.fact_rows(p.facts_of("resource"), figures.resource_row),
        "capex": figures.fact_rows(p.facts_of("capex"), figures.capex_row),
        "production": figures.fact_rows(p.facts_of("production"), figures.production_row),
        "life": p.facts_of("life-of-mine"), "total": figures.reading_total})
