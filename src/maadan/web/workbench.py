"""The applicant's portal and the officer's workbench: one page per application (its area and
conflicts on a map, timeline, decisions and reasons, competition group, fee, rules applied, the
moves allowed, each confirmed on a second step that shows what a grant would later refuse), "my
applications and titles", the due list with payments, rent runs and reminders, and title actions.
Thin adapters: every move goes through the cadastre's service functions."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Path as PathParam, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from maadan.auth.model import Forbidden, User
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service as cadastre
from maadan.cadastre import views, workbench
from maadan.cadastre.applications import AreaInput
from maadan.cadastre.coordinates import preview
from maadan.cadastre.model import Holder
from maadan.errors import InvalidInput, MaadanError
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import CurrentUser, csrf_protect, now, require_role
from maadan.portal import service as portal
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(91, "/cadastre/mine", "My applications", ("applicant",)),
       NavLink(101, "/cadastre/due", "Due", ("officer",)))
CSRF = [Depends(csrf_protect)]
Filer = Annotated[User, Depends(require_role("applicant", "officer"))]
Officer = Annotated[User, Depends(require_role("officer"))]
Applicant = Annotated[User, Depends(require_role("applicant"))]
Jurisdiction = Annotated[str, PathParam(max_length=16, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
Number = Annotated[int, PathParam(ge=1, le=2_147_483_647)]
VERBS = {"accept": "Accept", "reject-incomplete": "Reject as incomplete", "review": "Start the review",
         "offer": "Offer the title", "grant": "Grant the title", "refuse": "Refuse", "withdraw": "Withdraw"}


def _page(request: Request, user: User | None, uow: UoW, jurisdiction: str, number: int, *, status: int = 200,
          error: str | None = None, confirm: dict | None = None, done: str | None = None) -> Response:
    page = workbench.application_page(uow, user, jurisdiction, number, now=now(request))
    geo = {"ref": page.application.ref, "jurisdiction": jurisdiction, "area": page.view["geometry"],
           "conflicts": page.view.get("conflicts", [])}
    return render(request, "application.html", {
        "p": page, "a": page.application, "v": page.view, "geo": geo, "verbs": VERBS, "error": error,
        "confirm": confirm, "done": done, "needs_reason": workbench.MOVE_NEEDS_REASON,
        "group": views.group_json(page.group, user) if page.group else None}, status_code=status)


@router.get("/cadastre/applications/{jurisdiction}/{number}")
def application_page(request: Request, user: CurrentUser, uow: UoW, jurisdiction: Jurisdiction, number: Number,
                     done: str | None = None) -> Response:
    return _page(request, user, uow, jurisdiction, number, done=(done or "")[:40] or None)


@router.post("/cadastre/applications/{jurisdiction}/{number}/move", dependencies=CSRF)
def move(request: Request, user: Filer, uow: WriteUoW, read: UoW, jurisdiction: Jurisdiction, number: Number,
         action: Annotated[str, Form(max_length=40)], reason: Annotated[str, Form(max_length=4000)] = "",
         confirmed: Annotated[str, Form(max_length=5)] = "") -> Response:
    """A move in two steps: the first shows what it does and its warnings; the second (confirmed=yes) does it."""
    page = workbench.application_page(read, user, jurisdiction, number, now=now(request))
    if action not in page.moves:
        allowed = ", ".join(page.moves) or "nothing"
        status = 403 if not user.has_role("officer") and action in lc.APPLICATION_MOVES.get(page.application.state, {}) else 409
        return _page(request, user, read, jurisdiction, number, status=status,
                     error=f"{action}: not a move you can make on {page.application.ref} now (you can: {allowed})")
    if action in workbench.MOVE_NEEDS_REASON and not reason.strip():
        return _page(request, user, read, jurisdiction, number, status=422,
                     error=f"{VERBS.get(action, action)}: give the reason for the decision (the applicant sees it)")
    if confirmed != "yes":
        return _page(request, user, read, jurisdiction, number,
                     confirm={"action": action, "reason": reason, "warnings": page.warnings.get(action, []),
                              "blocked": page.blocked.get(action)})
    try:
        if user.has_role("officer"):
            views.decide(uow, jurisdiction, number, action, user.actor, reason)
        else:  # an applicant withdrawing its own application
            if not views.owns(page.application, user):
                raise Forbidden("this application belongs to another organisation")
            cadastre.decide(uow, jurisdiction, number, action, user.actor, reason.strip() or None)
    except MaadanError as exc:
        return _page(request, user, read, jurisdiction, number, status=exc.status, error=exc.message)
    return RedirectResponse(f"/cadastre/applications/{quote(jurisdiction)}/{number}?{urlencode({'done': action})}",
                            status_code=303)


# --- an applicant's own ------------------------------------------------------------------------

@router.get("/cadastre/mine")
def mine(request: Request, user: Applicant, uow: UoW) -> Response:
    return render(request, "mine.html", {"m": workbench.mine(uow, user)})


# --- officers: what falls due, payments, rent runs, reminders ------------------------------------

def _due(request: Request, uow: UoW, f: workbench.DueFilter | None = None, *, status: int = 200,
         error: str | None = None, done: str | None = None) -> Response:
    f = f or workbench.DueFilter()
    items = workbench.due_list(uow, f)
    pages = max(1, -(-len(items) // workbench.DUE_PAGE))
    page = min(f.page, pages)
    window = items[(page - 1) * workbench.DUE_PAGE:page * workbench.DUE_PAGE]
    return render(request, "due.html", {"items": window, "total": len(items), "page": page, "pages": pages,
                                        "first": (page - 1) * workbench.DUE_PAGE + 1, "f": f,
                                        "kinds": workbench.DUE_KINDS, "jurisdictions": cadastre.jurisdictions(),
                                        "error": error, "done": done, "year": date.today().year}, status_code=status)


@router.get("/cadastre/due")
def due_page(request: Request, _: Officer, uow: UoW, kind: str | None = None, within: str | None = None,
             jurisdiction: str | None = None, overdue: str | None = None, default: str | None = None,
             done: str | None = None, page: Annotated[str | None, Query(max_length=12)] = None) -> Response:
    try:
        f = workbench.DueFilter.parse(kind, within, jurisdiction, overdue, default, page)
    except InvalidInput as exc:
        return _due(request, uow, status=422, error=exc.message)
    return _due(request, uow, f, done=(done or "")[:200] or None)


@router.post("/cadastre/due/payments", dependencies=CSRF)
def payment(request: Request, user: Officer, uow: WriteUoW, read: UoW,
            invoice: Annotated[int, Form(ge=1, le=2_147_483_647)], amount: Annotated[str, Form(max_length=30)] = "",
            reference: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        value = float(amount.replace(",", "").strip())
    except ValueError:
        return _due(request, read, status=422, error=f"invoice {invoice}: amount must be a number, not {amount[:30]!r}")
    try:
        inv = cadastre.record_payment(uow, invoice, value, user.actor, reference)
    except MaadanError as exc:
        return _due(request, read, status=exc.status, error=f"invoice {invoice}: {exc.message}")
    msg = f"payment of {value:,.2f} {inv.currency} recorded on invoice {invoice}; outstanding {inv.outstanding:,.2f}"
    return RedirectResponse(f"/cadastre/due?{urlencode({'done': msg})}", status_code=303)


@router.post("/cadastre/due/rent-run", dependencies=CSRF)
def rent_run(request: Request, user: Officer, uow: WriteUoW, read: UoW,
             jurisdiction: Annotated[str, Form(max_length=16)], year: Annotated[int, Form(ge=1900, le=2200)],
             confirmed: Annotated[str, Form(max_length=5)] = "") -> Response:
    if confirmed != "yes":
        return _due(request, read, status=422, error="rent run: tick the box to confirm")
    try:
        run = cadastre.issue_rent(uow, jurisdiction, year, user.actor)
    except MaadanError as exc:
        return _due(request, read, status=exc.status, error=f"rent run: {exc.message}")
    msg = (f"rent run {jurisdiction} {year}: {len(run.issued)} invoice(s) issued, {run.already_invoiced} already "
           f"invoiced, {len(run.not_priced)} not priced")
    return RedirectResponse(f"/cadastre/due?{urlencode({'done': msg})}", status_code=303)


@router.post("/cadastre/due/reminders", dependencies=CSRF)
def reminders(request: Request, user: Officer, uow: WriteUoW, read: UoW,
              within: Annotated[int, Form(ge=0, le=3650)] = 30) -> Response:
    try:
        sent = cadastre.send_reminders(uow, within_days=within)
    except MaadanError as exc:
        return _due(request, read, status=exc.status, error=f"reminders: {exc.message}")
    return RedirectResponse(f"/cadastre/due?{urlencode({'done': f'{len(sent)} reminder(s) sent'})}", status_code=303)


# --- officers: title actions ---------------------------------------------------------------------

TITLE_VERBS = {"renew": "Renew", "transfer": "Transfer", "relinquish": "Relinquish part of the area",
               "surrender": "Record the surrender", "expire": "Record the expiry", "revoke": "Revoke"}


def parse_holders(text: str) -> list[Holder]:
    """Holders typed one a line: name; share %; country; kind (private, state, ...). Errors name the line."""
    out = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) < 2:
            raise InvalidInput(f"holders, line {n}: write name; share %; country; kind")
        try:
            share = float(parts[1].rstrip("%"))
        except ValueError:
            raise InvalidInput(f"holders, line {n}: the share {parts[1][:20]!r} is not a number") from None
        out.append(Holder(parts[0], share, (parts[2] if len(parts) > 2 else "") or None,
                          (parts[3] if len(parts) > 3 else "") or "private"))
    if not out:
        raise InvalidInput("holders: give the holders after the transfer, one a line")
    return out


def _title_confirm(request: Request, uow: UoW, number: str, action: str, fields: dict, status: int = 200,
                   error: str | None = None) -> Response:
    page = views.title_page(uow, number)
    return render(request, "title_action.html", {"t": page.title, "action": action, "verbs": TITLE_VERBS,
                                                 "f": fields, "error": error}, status_code=status)


@router.post("/cadastre/title-action", dependencies=CSRF)
def title_action(request: Request, user: Officer, uow: WriteUoW, read: UoW,
                 number: Annotated[str, Form(max_length=80)], action: Annotated[str, Form(max_length=20)],
                 reason: Annotated[str, Form(max_length=4000)] = "", holders: Annotated[str, Form(max_length=20000)] = "",
                 area: Annotated[str, Form(max_length=2_000_000)] = "",
                 confirmed: Annotated[str, Form(max_length=5)] = "") -> Response:
    fields = {"reason": reason, "holders": holders, "area": area}
    if action not in TITLE_VERBS:
        return _title_confirm(request, read, number, "renew", fields, 422,
                              f"action must be one of {', '.join(TITLE_VERBS)}")
    if confirmed != "yes":
        return _title_confirm(request, read, number, action, fields)
    try:
        kwargs: dict = {"reason": reason.strip() or None}
        if action == "transfer":
            kwargs["holders"] = portal.with_directory_ids(read, parse_holders(holders))
        if action == "relinquish":
            kwargs["area"] = AreaInput(geojson=area.strip() or None)
        cadastre.title_action(uow, number, action, user.actor, **kwargs)
    except MaadanError as exc:
        return _title_confirm(request, read, number, action, fields, exc.status, exc.message)
    return RedirectResponse(f"/cadastre/titles/{quote(number)}?{urlencode({'done': action})}", status_code=303)


# --- the application form's coordinate table -------------------------------------------------------

class CoordinatesIn(BaseModel):
    jurisdiction: str = Field(max_length=16)
    format: str = Field(max_length=10)
    zone: int | None = Field(default=None, ge=1, le=60)
    text: str = Field(max_length=200_000)


@router.post("/cadastre/coordinates", dependencies=CSRF)
def coordinates(body: CoordinatesIn, _: Filer) -> Response:
    """A coordinate table (decimal degrees, DMS or UTM 41N-43N) as a checked WGS 84 area for the
    form's preview; 422 naming the row and column of a bad value."""
    return JSONResponse(preview(body.jurisdiction, body.text, body.format, body.zone))
