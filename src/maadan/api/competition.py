"""Competition groups and notices over HTTP: anyone may read a group (sealed bid amounts stay hidden
until the decision); officers decide; applicants bid and answer remainder offers for their own
organisation's applications; notices go to the applicant's organisation (officers see all)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from maadan.api.schemas import ApiRoute, BidIn, CompetitionDecisionIn, Out, Paged, RemainderIn
from maadan.auth.model import Forbidden, User
from maadan.cadastre import service, views
from maadan.cadastre.queue_views import notice_json
from maadan.cadastre.views import group_json
from maadan.errors import InvalidInput, NotFound
from maadan.http.deps import Page, UoW, WriteUoW
from maadan.http.security import CurrentUser, csrf_protect, require_role

router = APIRouter(prefix="/api/cadastre", tags=["cadastre"], route_class=ApiRoute)
Officer = Annotated[User, Depends(require_role("officer"))]
Applicant = Annotated[User, Depends(require_role("applicant", "officer"))]
CSRF = [Depends(csrf_protect)]
Jurisdiction = Annotated[str, Path(min_length=2, max_length=16, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
                                   description="Jurisdiction code, e.g. PK-BA")]
GroupNumber = Annotated[int, Path(ge=1, le=2_147_483_647, description="The group's number, e.g. 3 for PK-BA/G3")]


# --- response bodies ---------------------------------------------------------------------------

class MemberOut(Out):
    ref: str
    number: int
    withheld: bool | None = Field(None, description="True when the viewer may not see this application: only "
                                                    "its number is shown (the draw and the ranking need it)")


class GroupOut(Out):
    """A competition group (rule 10): same-day overlapping applications, and how it is decided."""

    ref: str
    jurisdiction: str
    number: int
    state: str = Field(description="open, decided, merged or dissolved")
    local_date: str
    timezone: str
    members: list[MemberOut]
    method: dict[str, Any] = Field(description="method, losers, legal_basis, verified, bid_days, rules")
    decidable_from: str
    seed_time: str = Field(description="When the ballot seed is fixed (the register head then, or the root of the first checkpoint signed after it where checkpoints are signed)")
    seed: dict[str, Any] | None = Field(None, description="The ballot seed, once it exists")
    bids: dict[str, Any] | None = Field(None, description="Sealed bids: how many, and their commitments")
    decision: dict[str, Any] | None = Field(None, description="Once decided: winner, ranking, results, reasons, "
                                                              "draw or opened bids")


class BidOut(Out):
    group: str
    application: str
    commitment: str = Field(description='SHA-256 of "<group>|<application>|<amount>|<currency>|<salt>"')
    salt: str
    submitted_at: str


class RemainderOut(Out):
    application: str
    state: str
    area_km2: float


class NoticeOut(Out):
    id: int
    jurisdiction: str
    subject: str
    kind: str
    message: str
    application: str | None = None
    group: str | None = None
    action_needed: bool
    created_at: str
    event_seq: int | None = None
    read_at: str | None = None
    recipient_org: str | None = None


STATES = ("open", "decided", "merged", "dissolved")


def _sees_all(user: User | None) -> bool:
    return views.sees_all(user)


def _own_member(read: UoW, user: User, jurisdiction: str, application: int) -> None:
    """Applicants act only for their organisation's applications (one they may not see at all is
    answered as a missing one)."""
    if _sees_all(user):
        return
    with read:
        app = read.cadastre.application(jurisdiction, application)
    if app is None or not views.can_see(app, user):
        raise NotFound("application", f"{jurisdiction}/A{application}")
    if not views.owns(app, user):
        raise Forbidden("this application belongs to another organisation")


@router.get("/competitions", summary="Competition groups: overlapping applications received the same day (rule 10)")
def groups(uow: UoW, page: Page, user: CurrentUser,
           jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
           state: Annotated[str | None, Query(max_length=12, description="open | decided | merged | dissolved")] = None
           ) -> Paged[GroupOut]:
    if state and state not in STATES:
        raise InvalidInput(f"state must be one of {', '.join(STATES)}")
    groups_ = service.list_groups(uow, jurisdiction, [state] if state else None)
    return page.page([group_json(v, user) for v in groups_])


@router.get("/competitions/{jurisdiction}/{number}", summary="One competition group: members, method, seed or bids, decision")
def group(jurisdiction: Jurisdiction, number: GroupNumber, uow: UoW, user: CurrentUser) -> GroupOut:
    return group_json(service.show_group(uow, jurisdiction, number), user)


@router.post("/competitions/{jurisdiction}/{number}/decision", dependencies=CSRF,
             summary="Resolve a group by the method its rules give (officers)")
def decide(jurisdiction: Jurisdiction, number: GroupNumber, body: CompetitionDecisionIn, user: Officer,
           uow: WriteUoW) -> GroupOut:
    v = service.decide_group(uow, jurisdiction, number, user.actor, winner=body.winner, order=body.order,
                             reason=body.reason, documents=[d.domain() for d in body.documents])
    return group_json(v, user)


@router.post("/competitions/{jurisdiction}/{number}/bids", status_code=201, dependencies=CSRF,
             summary="A sealed bid for a member application (its applicant, or an officer recording it)")
def bid(jurisdiction: Jurisdiction, number: GroupNumber, body: BidIn, user: Applicant, uow: WriteUoW,
        read: UoW) -> BidOut:
    _own_member(read, user, jurisdiction, body.application)
    b = service.submit_bid(uow, jurisdiction, number, body.application, body.amount, user.actor, currency=body.currency)
    return {"group": f"{jurisdiction}/G{number}", "application": f"{jurisdiction}/A{b.application_number}",
            "commitment": b.commitment, "salt": b.salt, "submitted_at": b.submitted_at.isoformat()}


@router.post("/competitions/{jurisdiction}/{number}/remainder", dependencies=CSRF,
             summary="Accept or decline the reduced area offered after losing (its applicant, or an officer)")
def remainder(jurisdiction: Jurisdiction, number: GroupNumber, body: RemainderIn, user: Applicant, uow: WriteUoW,
              read: UoW) -> RemainderOut:
    _own_member(read, user, jurisdiction, body.application)
    a = service.answer_remainder(uow, jurisdiction, number, body.application, body.answer == "accept", user.actor)
    return {"application": a.ref, "state": a.state, "area_km2": a.area_km2}


@router.get("/notices", summary="Notices about applications: your organisation's (officers: all)")
def notices(uow: UoW, page: Page, user: Applicant, unread: Annotated[bool, Query()] = False,
            jurisdiction: Annotated[str | None, Query(max_length=16)] = None) -> Paged[NoticeOut]:
    org = None if _sees_all(user) else (user.organisation_id or "")
    return page.page([notice_json(n) for n in service.notices(uow, organisation=org, jurisdiction=jurisdiction,
                                                              unread_only=unread)])


@router.post("/notices/{notice_id}/read", dependencies=CSRF, summary="Mark a notice read")
def notice_read(notice_id: Annotated[int, Path(ge=1, le=2_147_483_647)], user: Applicant, uow: WriteUoW) -> NoticeOut:
    org = None if _sees_all(user) else (user.organisation_id or "")
    return notice_json(service.mark_read(uow, notice_id, user.actor, organisation=org))
