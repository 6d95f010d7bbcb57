"""The home page (key numbers, latest decisions and agreements, what needs an officer) and the map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import CurrentUser
from maadan import overview
from maadan.cadastre import views
from maadan.cadastre.caches import jurisdictions
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(10, "/", "Home"), NavLink(20, "/map", "Map"), NavLink(900, "/docs", "API"))


@router.get("/")
def home(request: Request, uow: UoW, user: CurrentUser) -> Response:
    context = {"numbers": overview.key_numbers(uow), "decisions": overview.latest_decisions(uow, user),
               "agreements": overview.latest_agreements(uow),
               "attention": overview.officer_attention(uow) if user and user.has_role("officer") else None}
    return render(request, "home.html", context)


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/map")
def map_page(request: Request, uow: UoW, q: str | None = None) -> Response:
    bounds = views.map_bounds(uow)
    return render(request, "map.html", {"q": (q or "")[:100], "jurisdictions": jurisdictions(),
                                        "bounds": ",".join(f"{v:.6f}" for v in bounds) if bounds else ""})
