"""Web pages for fair priority: the officers' competition page (open groups with the decision the
rules call for, recent decisions) and the notices page (an applicant's own, or all for officers,
with the remainder answer where one is awaited). Thin adapters over the cadastre service."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Path as PathParam, Request
from fastapi.responses import RedirectResponse, Response

from maadan.auth.model import User
from maadan.cadastre import service
from maadan.cadastre.queue_model import DECIDED, OPEN
from maadan.errors import InvalidInput, MaadanError
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import csrf_protect, require_role
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(95, "/cadastre/notices", "Notices", ("applicant", "officer")),
       NavLink(105, "/cadastre/competitions", "Competitions", ("officer",)))
CSRF = [Depends(csrf_protect)]
Filer = Annotated[User, Depends(require_role("applicant", "officer"))]
Officer = Annotated[User, Depends(require_role("officer"))]
Jurisdiction = Annotated[str, PathParam(max_length=16, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
Number = Annotated[int, PathParam(ge=1, le=2_147_483_647)]


def _page(request: Request, uow: UoW, status: int = 200, error: str | None = None, failed: str | None = None,
          done: str | None = None) -> Response:
    now = datetime.now(timezone.utc)
    groups = service.list_groups(uow, states=[OPEN, DECIDED], now=now)
    open_ = [v for v in groups if v.group.state == OPEN]
    decided = sorted((v for v in groups if v.group.state == DECIDED), key=lambda v: v.group.closed_at, reverse=True)
    return render(request, "competitions.html", {"open": open_, "decided": decided[:20], "now": now, "error": error,
                                                 "failed": failed, "done": done}, status_code=status)


@router.get("/cadastre/competitions")
def competitions(request: Request, _: Officer, uow: UoW, done: str | None = None) -> Response:
    return _page(request, uow, done=(done or "")[:40] or None)


@router.post("/cadastre/competitions/{jurisdiction}/{number}", dependencies=CSRF)
def decide(request: Request, user: Officer, uow: WriteUoW, read: UoW, jurisdiction: Jurisdiction, number: Number,
           winner: Annotated[str, Form(max_length=12)] = "", reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    ref = f"{jurisdiction}/G{number}"
    try:
        won = int(winner) if winner.strip() else None
    except ValueError:
        return _page(request, read, 422, f"{ref}: winner must be an application number", ref)
    try:
        service.decide_group(uow, jurisdiction, number, user.actor, winner=won,
                             reason=reason.strip() or None)
    except MaadanError as exc:
        return _page(request, read, exc.status, f"{ref}: {exc.message}", ref)
    return RedirectResponse(f"/cadastre/competitions?{urlencode({'done': ref})}#G-{quote(jurisdiction)}-{number}",
                            status_code=303)


# --- notices -----------------------------------------------------------------------------------

def _notices(request: Request, user: User, uow: UoW, status: int = 200, error: str | None = None) -> Response:
    org = None if user.has_role("officer") else (user.organisation_id or "")
    items = service.notices(uow, organisation=org)
    awaiting: dict[tuple[str, int, int], bool] = {}
    for n in items:  # remainder offers still awaiting an answer get the buttons
        if n.kind == "competition-remainder-offered" and n.group_number and n.application_number:
            v = service.show_group(uow, n.jurisdiction, n.group_number)
            line = v.group.result_of(n.application_number) or {}
            awaiting[(n.jurisdiction, n.group_number, n.application_number)] = line.get("result") == "remainder-offered"
    return render(request, "notices.html", {"items": list(reversed(items)), "awaiting": awaiting, "error": error},
                  status_code=status)


@router.get("/cadastre/notices")
def notices(request: Request, user: Filer, uow: UoW) -> Response:
    return _notices(request, user, uow)


@router.post("/cadastre/notices/{notice_id}/read", dependencies=CSRF)
def notice_read(request: Request, user: Filer, uow: WriteUoW, read: UoW, notice_id: Number) -> Response:
    org = None if user.has_role("officer") else (user.organisation_id or "")
    try:
        service.mark_read(uow, notice_id, user.actor, organisation=org)
    except MaadanError as exc:
        return _notices(request, user, read, exc.status, exc.message)
    return RedirectResponse("/cadastre/notices", status_code=303)


@router.post("/cadastre/competitions/{jurisdiction}/{number}/remainder", dependencies=CSRF)
def remainder(request: Request, user: Filer, uow: WriteUoW, read: UoW, jurisdiction: Jurisdiction, number: Number,
              application: Annotated[int, Form(ge=1, le=2_147_483_647)],
              answer: Annotated[str, Form(max_length=10)]) -> Response:
    try:
        if answer not in ("accept", "decline"):
            raise InvalidInput("answer must be accept or decline")
        if not user.has_role("officer"):
            with read:
                app = read.cadastre.application(jurisdiction, application)
            if app is None or app.applicant_org != user.organisation_id:
                raise InvalidInput("this application belongs to another organisation")
        service.answer_remainder(uow, jurisdiction, number, application, answer == "accept",
                                 user.actor)
    except MaadanError as exc:
        return _notices(request, user, read, 403 if "another organisation" in exc.message else exc.status, exc.message)
    return RedirectResponse("/cadastre/notices", status_code=303)
