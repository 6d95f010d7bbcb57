"""The minerals pages: the critical lists side by side, and one mineral's figures with their sources."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.minerals.criteria import list_criteria
from maadan.minerals.service import list_minerals, mineral_facts
from maadan.projects.service import find_projects
from maadan.web import figures
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(30, "/minerals", "Minerals"),)


@router.get("/minerals")
def minerals(request: Request, uow: UoW,
             list_id: Annotated[str | None, Query(alias="list", max_length=40)] = None) -> Response:
    return render(request, "minerals.html", {"listing": list_minerals(uow, list_id or None)})


@router.get("/minerals/{name}")
def mineral(request: Request, name: str, uow: UoW, edition: str | None = None) -> Response:
    facts = mineral_facts(uow, name, edition or None)
    if facts.mineral.id != name:  # an alias or symbol: send to the one address of the page
        query = f"?{urlencode({'edition': edition})}" if edition else ""
        return RedirectResponse(f"/minerals/{quote(facts.mineral.id)}{query}", status_code=301)
    tables = [*facts.production, *facts.reserves]
    charts = [figures.series_chart(t, f"chart-{i}") for i, t in enumerate(tables) if figures.charted(t)]
    unknown = [f"{figures.chart_title(t)}: no country has a published number ({len(t.rows)} listed)"
               for t in tables if not figures.charted(t)]
    reliance = figures.reliance_chart(facts.reliance, "chart-reliance")
    pakistan = [(figures.chart_title(t), next((r.statistic for r in t.rows if r.statistic.country == "Pakistan"), None))
                for t in tables if figures.charted(t)]
    deposits = [r.project for r in find_projects(uow, commodity=facts.mineral.id) if r.project.country in ("PK", "Pakistan")]
    criteria = list_criteria()
    return render(request, "mineral.html", {"facts": facts, "charts": charts, "reliance": reliance,
                                            "lists": {c.id: c for c in facts.lists}, "unknown_tables": unknown,
                                            "pakistan": pakistan, "deposits": deposits,
                                            "criteria": {e.list_id: criteria.get(e.list_id, []) for e in facts.entries}})
