"""The cadastre over HTTP: the public register and checks for anyone, applications for applicants
(their own organisation's only), decisions, payments and the due list for officers."""

from __future__ import annotations

from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Depends, Path, Query, Response

from maadan.api.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.api.client_limits import limited
from maadan.api.deps import Page, UoW, WriteUoW
from maadan.api.schemas import ApplyIn, CheckIn, DecisionIn, PaymentIn, TitleActionIn
from maadan.api.security import CurrentUser, csrf_protect, require_role
from maadan.auth.model import User
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service, visibility
from maadan.cadastre.model import Application, Title
from maadan.cadastre.queue_views import queue_fields
from maadan.errors import InvalidInput, NotFound
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["cadastre"])
Officer = Annotated[User, Depends(require_role("officer"))]
Applicant = Annotated[User, Depends(require_role("applicant", "officer"))]
CSRF = [Depends(csrf_protect)]
SPATIAL = [Depends(limited("spatial"))]
# Application numbers are sequence numbers; bounding them keeps huge numbers a 422, not a database overflow.
Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The application's number in its jurisdiction")]
Jurisdiction = Annotated[str, Path(min_length=2, max_length=16, description="Jurisdiction code, e.g. PK-BA")]


def _forbidden(message: str):
    from maadan.auth.model import Forbidden

    return Forbidden(message)


def _title(t: Title, geometry: bool = True) -> dict[str, Any]:
    out = {"number": t.number, "jurisdiction": t.jurisdiction, "type": t.title_type, "state": t.state,
           "area_km2": t.area_km2, "granted_on": t.granted_on.isoformat(),
           "expires_on": t.expires_on.isoformat() if t.expires_on else None, "renewals": t.renewals,
           "holders": [{"name": h.name, "share_pct": h.share_pct, "country": h.country, "kind": h.kind}
                       for h in t.holders],
           "minerals": t.minerals, "rules_version": t.rules_version, "synthetic": t.synthetic}
    if geometry:
        out["geometry"] = shapely.geometry.mapping(t.geometry)
    return out


def _application(a: Application, full: bool, geometry: bool = True) -> dict[str, Any]:
    out = {"number": a.number, "ref": a.ref, "jurisdiction": a.jurisdiction, "type": a.title_type,
           "state": a.state, **queue_fields(a), "received_at": a.received_at.isoformat(),
           "area_km2": a.area_km2, "applicants": [h.name for h in a.holders], "minerals": a.minerals,
           "synthetic": a.synthetic, "conflicts": [to_jsonable(c) for c in a.conflicts]}
    if full:
        out |= {"holders": [to_jsonable(h) for h in a.holders], "applicant_org": a.applicant_org,
                "fee": {"amount": a.fee_amount, "currency": a.fee_currency, "verified": a.fee_verified},
                "rules_version": a.rules_version}
    if geometry:
        out["geometry"] = shapely.geometry.mapping(a.geometry)
    return out


def _sees_all(user: User | None) -> bool:
    return visibility.sees_all(user)


@router.get("/cadastre/jurisdictions", summary="Jurisdictions and the rules in force today, with verified flags")
def jurisdictions() -> dict:
    from datetime import date

    out = []
    for code in service.jurisdictions():
        rs = service.rules_for(code, date.today())
        out.append({"jurisdiction": code, "name": rs.name, "rules_version": rs.version,
                    "title_types": {k: to_jsonable(v) for k, v in rs.title_types.items()}})
    return {"items": out}


@router.post("/cadastre/check", summary="Every check an application gets, without filing it",
             dependencies=SPATIAL, responses=LIMIT_RESPONSES)
def check(body: CheckIn, uow: UoW) -> dict:
    holders = [h.domain() for h in body.holders] if body.holders else None
    r = service.check(uow, body.jurisdiction, body.title_type, body.area.domain(), holders)
    return {"ok": r.ok, "jurisdiction": r.jurisdiction, "title_type": r.title_type, "rules_version": r.rules_version,
            "area_km2": r.area_km2, "vertex_count": r.vertex_count,
            "fee": {"amount": r.fee_amount, "currency": r.fee_currency, "verified": r.fee_verified},
            "unverified_rules": r.unverified, "problems": r.problems,
            "conflicts": [to_jsonable(c) for c in r.conflicts], "area": shapely.geometry.mapping(r.geometry)}


@router.post("/cadastre/applications", status_code=201, dependencies=CSRF + SPATIAL, responses=LIMIT_RESPONSES,
             summary="File an application (applicants file for their own organisation)")
def apply(body: ApplyIn, user: Applicant, uow: WriteUoW, response: Response) -> dict:
    org = user.organisation_id if user.role == "applicant" else None
    inp = service.ApplicationInput(jurisdiction=body.jurisdiction, title_type=body.title_type,
                                   minerals=tuple(body.minerals), holders=tuple(h.domain() for h in body.holders),
                                   area=body.area.domain(), applicant_org=org, converts=body.converts)
    receipt = service.apply(uow, inp, actor=f"user:{user.username}")
    a = receipt.application
    response.headers["Location"] = f"/api/cadastre/applications/{a.jurisdiction}/{a.number}"
    return {**_application(a, full=True), "holds_priority": receipt.holds_priority,
            "simultaneous_until": receipt.simultaneous_until.isoformat() if receipt.simultaneous_until else None,
            "competition_method": to_jsonable(receipt.competition_rule) if receipt.competition_rule else None,
            "unverified_rules": receipt.report.unverified}


@router.get("/cadastre/applications", summary="Applications: pending ones for the public; applicants see their "
                                               "organisation's; officers see all")
def applications(uow: UoW, page: Page, user: CurrentUser,
                 jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
                 state: Annotated[str | None, Query(max_length=24)] = None) -> dict:
    if state and state not in lc.APPLICATION_MOVES:
        raise InvalidInput(f"state must be one of {', '.join(lc.APPLICATION_MOVES)}")
    with uow:
        if _sees_all(user):
            apps = uow.cadastre.applications(jurisdiction, [state] if state else None)
        elif user is not None and user.role == "applicant":
            apps = uow.cadastre.applications(jurisdiction, [state] if state else None, applicant_org=user.organisation_id)
        else:
            states = [state] if state in lc.PENDING else (lc.PENDING if not state else [])
            apps = uow.cadastre.applications(jurisdiction, states)
    full = user is not None
    return page.page([_application(a, full=full, geometry=False) for a in apps])


def _get_application(uow, jurisdiction: str, number: int) -> Application:
    with uow:
        app = uow.cadastre.application(jurisdiction, number)
    if app is None:
        raise NotFound("application", f"{jurisdiction}/A{number}")
    return app


@router.get("/cadastre/applications/{jurisdiction}/{number}",
            summary="One application (what the caller may see of it; 404 for one they may not see, as for none)")
def application(jurisdiction: Jurisdiction, number: Number, uow: UoW, user: CurrentUser) -> dict:
    app = _get_application(uow, jurisdiction, number)
    if not visibility.can_see(app, user):
        raise NotFound("application", f"{jurisdiction}/A{number}")
    return _application(app, full=visibility.full_view(app, user))


@router.post("/cadastre/applications/{jurisdiction}/{number}/decisions", dependencies=CSRF,
             summary="Move an application through its lifecycle (officers; applicants may withdraw their own)")
def decide(jurisdiction: Jurisdiction, number: Number, body: DecisionIn, user: Applicant, uow: WriteUoW, read: UoW) -> dict:
    if user.role == "applicant":
        app = _get_application(read, jurisdiction, number)
        if not visibility.can_see(app, user):  # as if it did not exist
            raise NotFound("application", f"{jurisdiction}/A{number}")
        if not visibility.owns(app, user):
            raise _forbidden("this application belongs to another organisation")
        if body.action != "withdraw":
            raise _forbidden("applicants may only withdraw their own applications")
    app, title = service.decide(uow, jurisdiction, number, body.action, f"user:{user.username}", body.reason,
                                [d.domain() for d in body.documents])
    return {"application": app.ref, "state": app.state, "title": title.number if title else None,
            "decided_by": user.username}


@router.get("/cadastre/titles", summary="The register of titles, with filters and paging")
def titles(uow: UoW, page: Page, user: CurrentUser, jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
           state: Annotated[str | None, Query(max_length=16)] = None,
           type: Annotated[str | None, Query(max_length=16, description="Title type code, e.g. EL or ML")] = None,
           geometry: Annotated[bool, Query(description="Include geometries")] = False) -> dict:
    if state and state not in lc.TITLE_MOVES:
        raise InvalidInput(f"state must be one of {', '.join(lc.TITLE_MOVES)}")
    title_type = type.strip().upper() if type else None
    with uow:
        total = uow.cadastre.count_titles(jurisdiction, states=[state] if state else None, title_type=title_type)
        rows = uow.cadastre.titles(jurisdiction, [state] if state else None, limit=page.limit, offset=page.offset,
                                   title_type=title_type)
    return page.page([_title(t, geometry) for t in rows], total=total)


@router.get("/cadastre/titles/{number:path}", summary="One title")
def title(number: str, uow: UoW) -> dict:
    with uow:
        t = uow.cadastre.title(number)
        invoices = uow.cadastre.invoices(title_number=number) if t else []
        obligations = uow.cadastre.obligations(number) if t else []
    if t is None:
        raise NotFound("title", number)
    return _title(t) | {"obligations": [to_jsonable(o) for o in obligations],
                        "invoices": [to_jsonable(i) | {"outstanding": i.outstanding} for i in invoices]}


@router.post("/cadastre/title-actions", dependencies=CSRF, summary="Renew, transfer, relinquish, surrender, "
                                                                    "expire or revoke a title (officers)")
def title_action(body: TitleActionIn, user: Officer, uow: WriteUoW) -> dict:
    t = service.title_action(uow, body.number, body.action, f"user:{user.username}", reason=body.reason,
                             documents=[d.domain() for d in body.documents],
                             holders=[h.domain() for h in body.holders] if body.holders else None,
                             area=body.area.domain() if body.area else None)
    return _title(t, geometry=False) | {"decided_by": user.username}


@router.post("/cadastre/payments", dependencies=CSRF, summary="Record a payment against an invoice (officers)")
def payment(body: PaymentIn, user: Officer, uow: WriteUoW) -> dict:
    inv = service.record_payment(uow, body.invoice_id, body.amount, f"user:{user.username}", body.reference)
    return to_jsonable(inv) | {"outstanding": inv.outstanding, "recorded_by": user.username}


@router.get("/cadastre/due", summary="Rent, fees, obligations and expiries falling due; arrears flagged (officers)")
def due(uow: UoW, user: Officer, page: Page, within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
        jurisdiction: Annotated[str | None, Query(max_length=16)] = None) -> dict:
    return page.page([to_jsonable(i) for i in service.due(uow, within_days, jurisdiction=jurisdiction)])


@router.get("/audit/verify", tags=["audit"], summary="Verify the hash-chained register of changes")
def audit_verify(uow: UoW) -> dict:
    return to_jsonable(service.verify_audit(uow))


@router.get("/audit/events", tags=["audit"], summary="The register of changes (officers)")
def audit_events(uow: UoW, user: Officer, page: Page,
                 subject: Annotated[str | None, Query(max_length=120)] = None) -> dict:
    with uow:  # one page, paged in SQL: the register of changes only grows
        total = uow.cadastre.count_events(subject)
        events = uow.cadastre.events(subject, limit=page.limit, offset=page.offset)
    return page.page([to_jsonable(e) for e in events], total=total)
