"""The web pages. Each route is a thin adapter: parse the request, call a use case, render a
template. Pages are left out of the OpenAPI document; the JSON API under /api is the contract."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

import shapely
from fastapi import APIRouter, Depends, File, Form, Path as PathParam, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from maadan.api.client_limits import limited
from maadan.api.security import (
    clear_session_cookie,
    client_address,
    csrf_protect,
    identify,
    known_device,
    login_csrf,
    login_csrf_ok,
    now,
    require_role,
    set_device_cookie,
    set_login_cookie,
    set_session_cookie,
)
from maadan.auth import service as auth
from maadan.auth.model import AuthError, TooManyAttempts, User
from maadan.cadastre import area_files
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service as cadastre
from maadan.cadastre.model import HOLDER_KINDS
from maadan.errors import InvalidInput, MaadanError
from maadan.minerals.service import list_minerals, mineral_facts
from maadan.projects.service import find_projects, project_detail
from maadan.store.uow import UnitOfWork
from maadan.web import figures, overview, register
from maadan.web.templating import error_page, render

router = APIRouter(include_in_schema=False)


def _uow(request: Request, write: bool = False) -> UnitOfWork:
    return UnitOfWork(request.app.state.engine, write=write)




def gate(request: Request, *roles: str) -> User | Response:
    """The signed-in user holding one of `roles`; otherwise a redirect to sign in (the public) or
    a 403 page (another role)."""
    user = identify(request).user
    if user is None:
        return RedirectResponse(f"/login?{urlencode({'next': request.url.path})}", status_code=303)
    if not user.has_role(*roles):
        return render(request, "error.html", {
            "title": "Not for this account", "suggestions": [], "kind": None,
            "message": f"This page needs the {' or '.join(roles)} role; you are signed in as {user.role}."},
            status_code=403)
    return user


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' or '/\\'."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


# --- public pages ------------------------------------------------------------------------------

@router.get("/")
def home(request: Request) -> Response:
    user = identify(request).user
    uow = _uow(request)
    context = {"numbers": overview.key_numbers(uow), "decisions": overview.latest_decisions(uow, user),
               "agreements": overview.latest_agreements(uow),
               "attention": overview.officer_attention(uow) if user and user.has_role("officer") else None}
    return render(request, "home.html", context)


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/map")
def map_page(request: Request, q: str | None = None) -> Response:
    return render(request, "map.html", {"q": (q or "")[:100]})


@router.get("/minerals")
def minerals(request: Request, list_id: Annotated[str | None, Query(alias="list", max_length=40)] = None) -> Response:
    try:
        listing = list_minerals(_uow(request), list_id or None)
    except MaadanError as exc:
        return error_page(request, exc)
    return render(request, "minerals.html", {"listing": listing})


@router.get("/minerals/{name}")
def mineral(request: Request, name: str, edition: str | None = None) -> Response:
    try:
        facts = mineral_facts(_uow(request), name, edition or None)
    except MaadanError as exc:
        return error_page(request, exc)
    if facts.mineral.id != name:  # an alias or symbol: send to the one address of the page
        query = f"?{urlencode({'edition': edition})}" if edition else ""
        return RedirectResponse(f"/minerals/{quote(facts.mineral.id)}{query}", status_code=301)
    charts = [figures.series_chart(t, f"chart-{i}") for i, t in enumerate([*facts.production, *facts.reserves])]
    reliance = figures.reliance_chart(facts.reliance, "chart-reliance")
    return render(request, "mineral.html", {"facts": facts, "charts": charts, "reliance": reliance,
                                            "lists": {c.id: c for c in facts.lists}})


@router.get("/projects")
def projects(request: Request, commodity: str | None = None, province: str | None = None,
             kind: str | None = None) -> Response:
    if kind not in (None, "", "project", "deposit"):
        return error_page(request, InvalidInput("kind must be project or deposit"))
    try:
        rows = find_projects(_uow(request), kind=kind or None, commodity=commodity or None, province=province or None)
    except MaadanError as exc:
        return error_page(request, exc)
    return render(request, "projects.html", {"rows": rows, "filters": {"commodity": commodity or "",
                                                                       "province": province or "", "kind": kind or ""}})


@router.get("/projects/{project_id}")
def project(request: Request, project_id: str) -> Response:
    try:
        detail = project_detail(_uow(request), project_id)
    except MaadanError as exc:
        return error_page(request, exc)
    if detail.project.id != project_id:
        return RedirectResponse(f"/projects/{quote(detail.project.id)}", status_code=301)
    p = detail.project
    return render(request, "project.html", {
        "d": detail, "p": p, "dates": figures.date_rows(p), "sources": figures.project_sources(p),
        "resources": figures.fact_rows(p.facts_of("resource"), figures.resource_row),
        "capex": figures.fact_rows(p.facts_of("capex"), figures.capex_row),
        "production": figures.fact_rows(p.facts_of("production"), figures.production_row),
        "life": p.facts_of("life-of-mine"), "total": figures.reading_total})


@router.get("/cadastre")
def cadastre_register(request: Request, jurisdiction: str | None = None, type: str | None = None,
                  state: str | None = None, page: str | None = None) -> Response:
    types = register.title_types()
    context = {"types": types, "jurisdictions": cadastre.jurisdictions(),
               "title_states": list(lc.TITLE_MOVES), "pending_states": sorted(lc.PENDING), "error": None}
    try:
        f = register.RegisterFilter.parse(jurisdiction, type, state, page, types)
    except InvalidInput as exc:
        f = register.RegisterFilter()
        context["error"] = exc.message
    data = register.register_page(_uow(request), f)
    api_query = {k: v for k, v in {"jurisdiction": f.jurisdiction, "state": f.state if f.state in lc.TITLE_MOVES else None,
                                   "limit": "1000"}.items() if v}
    context |= {"r": data, "f": f, "export_json": f"/api/cadastre/titles?{urlencode(api_query)}",
                "export_geojson": "/ogc/collections/titles/items?f=json&limit=10000",
                "export_applications": "/ogc/collections/applications/items?f=json&limit=10000"}
    return render(request, "cadastre.html", context, status_code=422 if context["error"] else 200)


@router.get("/cadastre/titles/{number:path}")
def title_page(request: Request, number: str) -> Response:
    try:
        page = register.title_page(_uow(request), number)
    except MaadanError as exc:
        return error_page(request, exc)
    return render(request, "title.html", {"t": page.title, "obligations": page.obligations,
                                          "invoices": page.invoices})


# --- signing in and out ------------------------------------------------------------------------

def _login_page(request: Request, target: str, username: str, error: str | None, status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    nonce, token = login_csrf(request)
    response = render(request, "login.html", {"next": target, "username": username, "error": error,
                                              "login_token": token}, status_code=status, headers=headers)
    set_login_cookie(response, request, nonce)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next), "", None)


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", next: Annotated[str, Form(max_length=500)] = "/",
          csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    target = _safe_next(next)

    def again(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
        return _login_page(request, target, username, message, status, headers)

    if not login_csrf_ok(request, csrf_token):
        return again("This sign-in form has expired or did not come from this site; sign in again.", 403)
    if not username.strip() or not password:
        return again("Enter your username and your password.", 422)
    try:
        user = auth.authenticate(_uow(request, write=True), username, password, client_address(request),
                                 now=now(request), known_device=known_device(request, username))
    except TooManyAttempts as exc:
        return again(f"Too many failed sign-in attempts. Try again in {max(1, exc.retry_after_s // 60)} minutes.",
                     429, {"Retry-After": str(exc.retry_after_s)})
    except AuthError as exc:
        return again("Wrong username or password." if exc.message == auth.BAD_CREDENTIALS
                     else f"Cannot sign in: {exc.message}.", 401)
    token, _csrf, expires_at = auth.start_session(_uow(request, write=True), user, now=now(request))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token, expires_at)
    set_device_cookie(response, request, user.username)
    return response


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request) -> Response:
    ident = identify(request)
    if ident.via == "session" and ident.token:
        auth.end_session(_uow(request, write=True), ident.token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, request)
    return response


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
def apply_form(request: Request) -> Response:
    user = gate(request, "applicant", "officer")
    if isinstance(user, Response):
        return user
    listing = list_minerals(_uow(request))
    return render(request, "apply.html", {"config": _apply_config(user), "holder_kinds": HOLDER_KINDS,
                                          "mineral_names": [m.mineral.name for m in listing.minerals]})


@router.post("/cadastre/upload-area", dependencies=[Depends(csrf_protect), Depends(limited("spatial"))])
def upload_area(request: Request, _: Annotated[User, Depends(require_role("applicant", "officer"))],
                file: Annotated[UploadFile, File(description="GeoJSON, zipped Shapefile, GeoPackage, KML or CSV "
                                                                     "with a WKT column")]) -> dict:
    """The area in an uploaded file as one GeoJSON geometry in WGS 84 (the union of its polygons;
    UTM 41N-43N reprojected, other CRSs refused). The file is read only as the format its name
    declares, after its bytes and structure check out (docs/security.md, "Uploads")."""
    name = area_files.display_name(file.filename)
    got = area_files.read_area(file.file.read(), name)
    return {"geometry": shapely.geometry.mapping(got.geometry), "features": got.features, "file": name,
            "source_crs": got.source_crs}


# --- the officers' queue -----------------------------------------------------------------------

def _queue(request: Request, status: int = 200, error: str | None = None, failed: str | None = None,
           done: str | None = None) -> Response:
    q = register.queue(_uow(request))
    done_line = None
    if done:
        done_line = next((line for ref, line in q.decided if ref == done), None)
    return render(request, "queue.html", {"q": q, "error": error, "failed": failed, "done": done,
                                          "done_line": done_line, "needs_reason": register.NEEDS_REASON},
                  status_code=status)


@router.get("/cadastre/queue")
def queue_page(request: Request, done: str | None = None) -> Response:
    user = gate(request, "officer")
    if isinstance(user, Response):
        return user
    return _queue(request, done=(done or "")[:40] or None)


@router.post("/cadastre/queue/{jurisdiction}/{number}", dependencies=[Depends(csrf_protect)])
def decide(request: Request, jurisdiction: Annotated[str, PathParam(max_length=16)],
           number: Annotated[int, PathParam(ge=1, le=2_147_483_647)], action: Annotated[str, Form(max_length=40)],
           reason: Annotated[str, Form(max_length=4000)] = "") -> Response:
    user = gate(request, "officer")
    if isinstance(user, Response):
        return user
    ref = f"{jurisdiction}/A{number}"
    try:
        register.decide(_uow(request, write=True), jurisdiction, number, action, user.actor, reason)
    except MaadanError as exc:
        return _queue(request, status=exc.status, error=f"{ref}: {exc.message}", failed=ref)
    return RedirectResponse(f"/cadastre/queue?{urlencode({'done': ref})}#A-{quote(jurisdiction)}-{number}",
                            status_code=303)
