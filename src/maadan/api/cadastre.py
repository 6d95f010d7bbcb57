"""The cadastre over HTTP: the public register and checks for anyone, applications for applicants
(their own organisation's only), decisions, payments and the due list for officers."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from maadan.http import conditional
from maadan.http.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.http.client_limits import limited
from maadan.http.deps import Page, UoW, WriteUoW
from maadan.http.on_the_loop import on_the_loop_or_pool
from maadan.api.schemas import (
    ApiRoute,
    ApplyIn,
    CheckIn,
    DecisionIn,
    Geometry,
    Instant,
    Listing,
    Out,
    Paged,
    PaymentIn,
    TitleActionIn,
)
from maadan.api.cadastre_rules import RulesBasisOut
from maadan.http.security import CurrentUser, csrf_protect, require_role
from maadan.audit.service import quick_check
from maadan.auth.model import Forbidden, User
from maadan.cadastre import service, views
from maadan.cadastre.caches import index_at
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.portal import service as portal
from maadan.sequence_cache import SequenceCache
from maadan.serialize import to_jsonable
from maadan.unit_of_work import AbstractUnitOfWork

router = APIRouter(prefix="/api", tags=["cadastre"], route_class=ApiRoute)
Officer = Annotated[User, Depends(require_role("officer"))]
Applicant = Annotated[User, Depends(require_role("applicant", "officer"))]
CSRF = [Depends(csrf_protect)]
SPATIAL = [Depends(limited("spatial"))]
# Application numbers are sequence numbers; bounding them keeps huge numbers a 422, not a database overflow.
Number = Annotated[int, Path(ge=1, le=2_147_483_647, description="The application's number in its jurisdiction")]
Jurisdiction = Annotated[str, Path(min_length=2, max_length=16, description="Jurisdiction code, e.g. PK-BA")]


# --- response bodies ---------------------------------------------------------------------------

class HolderOut(Out):
    name: str
    share_pct: float
    country: str | None = None
    kind: str | None = None


class ConflictOut(Out):
    kind: str = Field(description="title, application or reserved")
    ref: str
    overlap_km2: float
    note: str | None = None


class FeeOut(Out):
    amount: float | None
    currency: str | None
    verified: bool


class TitleOut(Out):
    number: str
    jurisdiction: str
    type: str
    state: str
    area_km2: float
    granted_on: date
    expires_on: date | None
    renewals: int
    holders: list[HolderOut]
    minerals: list[str]
    rules_version: str
    rules_basis: RulesBasisOut | None = Field(None, description="The rule version applied to its application and "
                                                                "why; None for titles from before it was recorded")
    synthetic: bool
    geometry: Geometry | None = Field(None, description="With ?geometry=true, and on one title")


class ObligationOut(Out):
    id: int | None
    title_number: str
    code: str
    description: str
    due_on: date
    legal_basis: str
    verified: bool
    met_on: date | None = None


class InvoiceOut(Out):
    id: int | None
    title_number: str | None
    application_number: int | None
    kind: str
    period: str
    due_on: date
    amount: float
    currency: str
    verified: bool
    paid: float
    outstanding: float


class TitleDetailOut(TitleOut):
    obligations: list[ObligationOut]
    invoices: list[InvoiceOut]


class TitleActionOut(TitleOut):
    decided_by: str


class WaitOut(Out):
    kind: str = Field(description="title, reserved, group or application")
    ref: str


class CompetitionRuleOut(Out):
    method: str = Field(description="officer-decision, ballot or sealed-bids")
    losers: str = Field(description="refused or remainder")
    legal_basis: str
    verified: bool
    bid_days: int | None = None
    note: str | None = None


class ApplicationOut(Out):
    """The public view; signed-in users see their own (officers: all) in full, with the fields below."""

    ref: str
    number: int
    jurisdiction: str
    type: str
    state: str
    priority: str = Field(description="clear, competing or behind")
    competition_group: str | None = Field(None, description="The open competition group it competes in (rule 10)")
    competing_with: list[str] = Field(default_factory=list, description="The group's other members")
    waits_on: list[WaitOut] = Field(default_factory=list, description="Earlier claims on its ground")
    converts: str | None = Field(None, description="The active title this application converts")
    received_at: Instant
    area_km2: float
    applicants: list[str]
    minerals: list[str]
    synthetic: bool
    rules_basis: RulesBasisOut | None = Field(None, description="The rule version applied on the day received, why, "
                                                                "and whether that is certain")
    holders: list[HolderOut] | None = Field(None, description="Full view only")
    applicant_org: str | None = Field(None, description="Full view only")
    rules_version: str | None = Field(None, description="Full view only")
    fee: FeeOut | None = Field(None, description="Full view only")
    conflicts: list[ConflictOut] | None = Field(None, description="Full view only")
    geometry: Geometry | None = Field(None, description="On one application")


class ReceiptOut(ApplicationOut):
    holds_priority: bool
    simultaneous_until: Instant | None = Field(None, description="Until then a same-day overlapping filing would compete")
    competition_method: CompetitionRuleOut | None = Field(None, description="How its group is decided")
    unverified_rules: list[str]
    notes: list[str] = Field(default_factory=list, description="For the officer: exceptions claimed, zones touched")


class CheckOut(Out):
    ok: bool
    jurisdiction: str
    title_type: str
    rules_version: str
    area_km2: float
    vertex_count: int
    fee: FeeOut
    unverified_rules: list[str]
    problems: list[str]
    conflicts: list[ConflictOut]
    rules: RulesBasisOut = Field(description="The rule version applied, why, and whether that is certain")
    notes: list[str] = Field(description="For the officer: exceptions claimed, zones touched")
    area: Geometry | None = None


class DecisionOut(Out):
    application: str
    state: str
    title: str | None
    decided_by: str


class PaymentOut(InvoiceOut):
    recorded_by: str


class DueOut(Out):
    kind: str = Field(description="rent, fee, obligation or expiry")
    ref: str
    due_on: date
    amount: float | None = None
    currency: str | None = None
    overdue_days: int
    flag_revocation: bool
    verified: bool
    note: str | None = None


class VerificationOut(Out):
    """The server's quick check of the register (maadan.audit.service.quick_check)."""

    ok: bool
    events: int
    problem: str | None = Field(default=None, description="edited, tree, truncated, rewritten, fork or forged")
    first_bad_seq: int | None = None
    reason: str | None = None
    checkpoints_verified: int = Field(default=0, description="Stored signed checkpoints whose signature and root hold")
    notes: list[str] = Field(default_factory=list)


class EventOut(Out):
    seq: int
    at: str
    actor: str = Field(description="user:NAME for an account, cli:NAME for the command line, seed for bundled data")
    kind: str
    subject: str
    data: dict[str, Any]
    documents: list[dict[str, Any]]
    reason: str | None = None
    prev_hash: str
    hash: str
    salt: str = Field(description="Hex; opens the event's private part behind its public leaf's commitment")
    leaf_hash: str = Field(description="Hex SHA-256 of the public leaf: level 0 of the register's Merkle tree")


class JurisdictionOut(Out):
    jurisdiction: str
    name: str
    rules_version: str
    title_types: dict[str, Any]


@router.get("/cadastre/jurisdictions", summary="Jurisdictions and the rules in force today, with verified flags")
def jurisdictions() -> Listing[JurisdictionOut]:
    out = []
    for code in service.jurisdictions():
        rs = service.rules_for(code, date.today())
        out.append({"jurisdiction": code, "name": rs.name, "rules_version": rs.version,
                    "title_types": {k: to_jsonable(v) for k, v in rs.title_types.items()}})
    return {"items": out}


@router.post("/cadastre/check", summary="Every check an application gets, without filing it",
             dependencies=SPATIAL, responses=LIMIT_RESPONSES)
async def check(body: CheckIn, uow: UoW, request: Request) -> CheckOut:
    # A check without minerals reads its jurisdiction's spatial version on the event loop
    # (store/loop_reads.py: awaited on PostgreSQL); when this worker's index is at that version,
    # the check reads nothing more and runs on the loop. Otherwise it runs as a plain route would: on
    # SQLite after the warm-up on the loop, else in one trip to the thread pool (http/on_the_loop.py).
    index = await _current_index(request, uow, body)
    if index is not None:
        return _checked(body, uow, index)  # type: ignore[return-value]
    return await on_the_loop_or_pool(request, _checked, body, uow)  # type: ignore[return-value]


async def _current_index(request: Request, uow: AbstractUnitOfWork, body: CheckIn) -> SpatialIndex | None:
    reads = request.app.state.loop_reads
    if reads is None or body.minerals or not _primary(request, uow):
        return None
    return index_at(uow.key, body.jurisdiction, await reads.spatial_version(body.jurisdiction))  # type: ignore[attr-defined]


def _checked(body: CheckIn, uow: AbstractUnitOfWork, index: SpatialIndex | None = None) -> dict[str, Any]:
    holders = [h.domain() for h in body.holders] if body.holders else None
    return views.check_view(service.check(uow, body.jurisdiction, body.title_type, body.area.domain(), holders,
                                          minerals=tuple(body.minerals or ()),
                                          declarations=tuple(body.declarations), index=index))


@router.post("/cadastre/applications", status_code=201, dependencies=CSRF + SPATIAL, responses=LIMIT_RESPONSES,
             summary="File an application (applicants file for their own organisation)")
def apply(body: ApplyIn, user: Applicant, uow: WriteUoW, read: UoW, response: Response) -> ReceiptOut:
    # 403 until an officer confirms a self-registered applicant's organisation; names in the directory get its ids
    holders = portal.holders_for_filing(read, user, [h.domain() for h in body.holders])
    org = user.organisation_id if user.role == "applicant" else None
    inp = service.ApplicationInput(jurisdiction=body.jurisdiction, title_type=body.title_type,
                                   minerals=tuple(body.minerals), holders=tuple(holders),
                                   area=body.area.domain(), applicant_org=org,
                                   declarations=tuple(body.declarations), converts=body.converts)
    # Holders not in the directory are proposed for an officer to confirm (a grant waits for that).
    receipt = service.apply(uow, inp, actor=user.actor, propose_unknown_holders=True)
    a = receipt.application
    response.headers["Location"] = f"/api/cadastre/applications/{a.jurisdiction}/{a.number}"
    return {**views.application_view(a, full=True, geometry=True), "holds_priority": receipt.holds_priority,
            "simultaneous_until": receipt.simultaneous_until,
            "competition_method": to_jsonable(receipt.competition_rule) if receipt.competition_rule else None,
            "unverified_rules": receipt.report.unverified, "notes": receipt.report.notes}


@router.get("/cadastre/applications", summary="Applications: pending ones for the public; applicants see their "
                                               "organisation's; officers see all")
def applications(uow: UoW, page: Page, user: CurrentUser,
                 jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
                 state: Annotated[str | None, Query(max_length=24)] = None) -> Paged[ApplicationOut]:
    apps = views.visible_applications(uow, user, jurisdiction, state)
    return page.page([views.application_view(a, full=views.full_view(a, user)) for a in apps])


@router.get("/cadastre/applications/{jurisdiction}/{number}",
            summary="One application (what the caller may see of it; 404 for one they may not see, as for none)")
def application(jurisdiction: Jurisdiction, number: Number, uow: UoW, user: CurrentUser) -> ApplicationOut:
    return views.application_for(uow, user, jurisdiction, number)


@router.post("/cadastre/applications/{jurisdiction}/{number}/decisions", dependencies=CSRF,
             summary="Move an application through its lifecycle (officers; applicants may withdraw their own)")
def decide(jurisdiction: Jurisdiction, number: Number, body: DecisionIn, user: Applicant, uow: WriteUoW, read: UoW) -> DecisionOut:
    if user.role == "applicant":
        app = views.visible_application(read, user, jurisdiction, number)  # 404 as if it did not exist
        if not views.owns(app, user):
            raise Forbidden("this application belongs to another organisation")
        if body.action != "withdraw":
            raise Forbidden("applicants may only withdraw their own applications")
    app, title = service.decide(uow, jurisdiction, number, body.action, user.actor, body.reason,
                                [d.domain() for d in body.documents])
    return {"application": app.ref, "state": app.state, "title": title.number if title else None,
            "decided_by": user.username}


@router.get("/cadastre/titles", summary="The register of titles, with filters and paging")
def titles(uow: UoW, page: Page, user: CurrentUser, jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
           state: Annotated[str | None, Query(max_length=16)] = None,
           type: Annotated[str | None, Query(max_length=16, description="Title type code, e.g. EL or ML")] = None,
           geometry: Annotated[bool, Query(description="Include geometries")] = False) -> Paged[TitleOut]:
    return page.read(lambda limit, offset: views.titles_page(uow, jurisdiction, state, type, limit=limit, offset=offset),
                     lambda t: views.title_view(t, geometry=geometry))


@router.get("/cadastre/titles/{number:path}", summary="One title",
            description="Answers 304 to an `If-None-Match` holding its ETag (the register has not moved).")
async def title(number: str, uow: UoW, request: Request) -> TitleDetailOut:
    # A body built before is sent without a trip to the thread pool: the register's sequence is read
    # on the event loop (store/loop_reads.py), then the tag, a 304 or the kept body are the loop's
    # work. Anything else is answered as a plain route would be: in one trip, or on SQLite after the
    # warm-up on the loop (http/on_the_loop.py).
    if request.app.state.loop_reads is None or not _primary(request, uow) or not TITLE_BODIES.holds(uow.key, number):
        return await on_the_loop_or_pool(request, _title, number, uow, request)
    sequence = await conditional.tag_sequence_awaited(request)  # and the viewer, part of the tag
    if TITLE_BODIES.at(uow.key, (sequence, conditional.today())).get(number) is None:  # the register moved
        return await on_the_loop_or_pool(request, _title, number, uow, request, sequence)
    return _title(number, uow, request, sequence)


def _title(number: str, uow: AbstractUnitOfWork, request: Request, sequence: int | None = None) -> Response:
    """The answer for one title, at the register's `sequence` (read here when not given)."""
    sequence = conditional.register_sequence(request) if sequence is None else sequence
    tag = conditional.register_etag(request, sequence=sequence)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    bodies = TITLE_BODIES.at(uow.key, (sequence, conditional.today())) if _primary(request, uow) else {}
    body = bodies.get(number)
    if body is None:
        body = TitleDetailOut.model_validate(views.title_detail(uow, number)).model_dump_json(exclude_unset=True)
        bodies[number] = body = body.encode()
    return conditional.tagged(Response(body, media_type="application/json"), request, tag)


def _primary(request: Request, uow: AbstractUnitOfWork) -> bool:
    """Whether `uow` reads the primary database on its own (not a replica, not a held write). Only
    then is a title's body kept (the same for every viewer, since titles are public, and for a
    register sequence and day: built, validated and encoded once, then served as bytes; a replica's
    state may lag the primary's sequence), and only then may a check use the worker's index after
    an awaited read of the primary's spatial version."""
    return request.app.state.engine is uow.engine and uow.claim is None  # type: ignore[attr-defined]


TITLE_BODIES = SequenceCache(20_000)  # one title's JSON body by number, per database and register sequence


@router.post("/cadastre/title-actions", dependencies=CSRF, summary="Renew, transfer, relinquish, surrender, "
                                                                    "expire or revoke a title (officers)")
def title_action(body: TitleActionIn, user: Officer, uow: WriteUoW) -> TitleActionOut:
    t = service.title_action(uow, body.number, body.action, user.actor, reason=body.reason,
                             documents=[d.domain() for d in body.documents],
                             holders=[h.domain() for h in body.holders] if body.holders else None,
                             area=body.area.domain() if body.area else None)
    return views.title_view(t) | {"decided_by": user.username}


@router.post("/cadastre/payments", dependencies=CSRF, summary="Record a payment against an invoice (officers)")
def payment(body: PaymentIn, user: Officer, uow: WriteUoW) -> PaymentOut:
    inv = service.record_payment(uow, body.invoice_id, body.amount, user.actor, body.reference)
    return to_jsonable(inv) | {"outstanding": inv.outstanding, "recorded_by": user.username}


@router.get("/cadastre/due", summary="Rent, fees, obligations and expiries falling due; arrears flagged (officers)")
def due(uow: UoW, user: Officer, page: Page, within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
        jurisdiction: Annotated[str | None, Query(max_length=16)] = None) -> Paged[DueOut]:
    items = service.due(uow, within_days, jurisdiction=jurisdiction)
    return page.page([to_jsonable(i) for i in items[page.offset:page.offset + page.limit]], total=len(items))


@router.get("/audit/verify", tags=["audit"], summary="The server's quick check of the register: stored checkpoints "
                                                      "and tree (verify it yourself with /api/register/export)")
def audit_verify(uow: UoW) -> VerificationOut:
    return to_jsonable(quick_check(uow))


@router.get("/audit/events", tags=["audit"], summary="The register of changes (officers)")
def audit_events(uow: UoW, user: Officer, page: Page,
                 subject: Annotated[str | None, Query(max_length=120)] = None) -> Paged[EventOut]:
    return page.read(lambda limit, offset: views.events_page(uow, subject, limit=limit, offset=offset), to_jsonable)
