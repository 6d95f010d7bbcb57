"""The cadastre pages: the public register with its filters and exports, one title, the application
form (applicants and officers) and the officers' queue of pending applications with their decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Path as PathParam, Request
from fastapi.responses import RedirectResponse, Response

from maadan.auth.model import User
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service as cadastre
from maadan.cadastre.model import HOLDER_KINDS
from maadan.errors import InvalidInput, MaadanError
from maadan.http import conditional
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.idempotency import form_key
from maadan.http.security import csrf_protect, require_role
from maadan.minerals.service import list_minerals
from maadan.portal import service as portal
from maadan.cadastre import views, workbench
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(70, "/cadastre", "Cadastre"), NavLink(90, "/cadastre/apply", "Apply", ("applicant", "officer")),
       NavLink(100, "/cadastre/queue", "Queue", ("officer",)))
Filer = Annotated[User, Depends(require_role("applicant", "officer"))]
Officer = Annotated[User, Depends(require_role("officer"))]


@router.get("/cadastre")
def cadastre_register(request: Request, uow: UoW, jurisdiction: str | None = None, type: str | None = None,
                      state: str | None = None, page: str | None = None) -> Response:
    types = views.title_types()
    context = {"types": types, "jurisdictions": cadastre.jurisdictions(),
               "title_states": list(lc.TITLE_MOVES), "pending_states": sorted(lc.PENDING), "error": None}
    try:
        f = views.RegisterFilter.parse(jurisdiction, type, state, page, types)
    except InvalidInput as exc:
        f = views.RegisterFilter()
        context["error"] = exc.message
    data = views.register_page(uow, f)
    api_query = {k: v for k, v in {"jurisdiction": f.jurisdiction, "state": f.state if f.state in lc.TITLE_MOVES else None,
                                   "limit": "1000"}.items() if v}
    context |= {"r": data, "f": f, "export_json": f"/api/cadastre/titles?{urlencode(api_query)}",
                "export_geojson": "/ogc/collections/titles/items?f=json&limit=10000",
                "export_applications": "/ogc/collections/applications/items?f=json&limit=10000"}
    return render(request, "cadastre.html", context, status_code=422 if context["error"] else 200)


@router.get("/cadastre/titles/{number:path}")
def title_page(request: Request, number: str, uow: UoW) -> Response:
    tag = conditional.register_etag(request)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    page = views.title_page(uow, number)
    return conditional.tagged(render(request, "title.html", {"t": page.title, "obligations": page.obligations,
                                                             "invoices": page.invoices}), request, tag)


# --- applying ----------------------------------------------------------------------------------

def _apply_config(user: User) -> dict:
    today = date.today()
    out = []
    for code in cadastre.jurisdictions():
        rs = cadastre.rules_for(code, today)
        out.append({"code": code, "name": rs.name, "rules_version": rs.version, "types": [
            {"code": tt.code, "name": tt.name,
             "max_area_km2": tt.max_area_km2.value if tt.max_area_km2 else None,
             "min_area_km2": tt.min_area_km2.value if tt.min_area_km2 else None}
            for tt in rs.title_types.values()]})
    return {"jurisdictions": out, "organisation": user.organisation_id}


@router.get("/cadastre/apply")
def apply_form(request: Request, user: Filer, uow: UoW) -> Response:
    listing = list_minerals(uow)
    config = _apply_config(user)
    directory = portal.directory(uow)
    names = dict(directory)
    config |= {"idempotency_key": form_key(),  # one filing per form shown: a second click replays the first
               "organisation_name": names.get(user.organisation_id or "") if user.role == "applicant" else None,
               "directory": [{"id": i, "name": n} for i, n in directory]}
    blocked = None
    try:
        portal.may_file(uow, user)
    except MaadanError as exc:
        blocked = exc.message
    return render(request, "apply.html", {"config": config, "holder_kinds": HOLDER_KINDS, "blocked": blocked,
                                          "mineral_names": [m.mineral.name for m in listing.minerals]})


# --- the officers' queue -----------------------------------------------------------------------

def _queue(request: Request, uow: UoW, status: int = 200, error: str | None = None, failed: str | None = None,
           done: str | None = None, f: workbench.QueueFilter | None = None) -> Response:
    q = views.queue(uow)
    total = len(q.items)
    f = f or workbench.QueueFilter()
    if f.active:
        q.items = workbench.filter_queue(q.items, f)
    done_line = None
    if done:
        done_line = next((line for ref, line in q.decided if ref == done), None)
    warnings = workbench.queue_warnings(uow, [i.application for i in q.items])
    return render(request, "queue.html", {"q": q, "error": error, "failed": failed, "done": done,
                                          "done_line": done_line, "needs_reason": views.NEEDS_REASON, "f": f,
                                          "total": total, "types": views.title_types(), "warnings": warnings,
                                          "pending_states": sorted(lc.PENDING)},
                  status_code=status)


@router.get("/cadastre/queue")
def queue_page(request: Request, _: Officer, uow: UoW, done: str | None = None, state: str | None = None,
               type: str | None = None, since: str | None = None, until: str | None = None,
               competition: str | None = None) -> Response:
    try:
        f = workbench.QueueFilter.parse(state, type, since, until, competition)
    except InvalidInput as exc:
        return _queue(request, uow, status=422, error=exc.message)
    return _queue(request, uow, done=(done or "")[:40] or None, f=f)


@router.post("/cadastre/queue/{jurisdiction}/{number}", dependencies=[Depends(csrf_protect)])
def decide(request: Request, user: Officer, uow: WriteUoW, read: UoW,
           jurisdiction: Annotated[str, PathParam(max_length=16)],
           number: Annotated[int, PathParam(ge=1, le=2_147_483_647)], action: Annotated[str, Form(max_length=40)],
           reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    ref = f"{jurisdiction}/A{number}"
    try:  # the queue is shown again with the refusal beside the application
        views.decide(uow, jurisdiction, number, action, user.actor, reason)
    except MaadanError as exc:
        return _queue(request, read, status=exc.status, error=f"{ref}: {exc.message}", failed=ref)
    return RedirectResponse(f"/cadastre/queue?{urlencode({'done': ref})}#A-{quote(jurisdiction)}-{number}",
                            status_code=303)
