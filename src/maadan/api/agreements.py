"""The agreements registry over HTTP: anyone reads; officers and admins add and edit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import Field

from maadan.agreements import service, views
from maadan.api.schemas import ApiRoute, ClaimOut, CorrectionOut, Out, Paged, SourceOut
from maadan.http.deps import Page, UoW, WriteUoW
from maadan.http.security import csrf_protect, require_role
from maadan.auth.model import User

router = APIRouter(prefix="/api", tags=["agreements"], route_class=ApiRoute)
Officer = Annotated[User, Depends(require_role("officer"))]
CSRF = [Depends(csrf_protect)]
Text = Annotated[str | None, Query(max_length=200)]
Draft = Annotated[dict[str, Any], Body(description="An agreement draft (see docs/agreements.md): title, kind, "
                                                   "sources required; unknown keys are refused")]


def _filters(party: str | None, country: str | None, mineral: str | None, kind: str | None, year: int | None,
             project: str | None, organisation: str | None) -> dict[str, Any]:
    return {"party": party, "country": country, "mineral": mineral, "kind": kind, "year": year, "project": project,
            "organisation": organisation}


Year = Annotated[int | None, Query(ge=1900, le=2100)]


class PartyOut(Out):
    name: str
    role: str
    organisation_id: str | None = None
    share: float | None = None


class ReadingOut(Out):
    field: str
    value: str
    source: str
    note: str | None = None


class AgreementOut(Out):
    """Every field of an agreement (docs/agreements.md); dates are partial ("2025", "2025-04", "2025-04-08")."""

    id: str
    title: str
    kind: str
    sources: list[SourceOut]
    parties: list[PartyOut]
    readings: list[ReadingOut]
    date: str | None = Field(description="Where the timeline places it: signed, else announced, else effective")
    year: int | None
    claims: list[ClaimOut] = Field(description="Every claim with its sources beside it")
    unsourced: list[str] = Field(description="Keys of the claims no source supports")
    corrections: list[CorrectionOut]


class AgreementDetailOut(AgreementOut):
    organisation_names: dict[str, str]
    project_names: dict[str, str]
    titles_in_cadastre: list[str]


class StaleRowOut(Out):
    id: str
    title: str
    kind: str
    status: str | None
    status_as_of: str | None
    latest_source: str | None
    age_days: int | None


class StaleOut(Paged[StaleRowOut]):
    older_than_days: int


class TimelineOut(Out):
    date: str | None
    id: str
    kind: str
    title: str
    status: str | None
    parties: list[str] = Field(description="The parties' names, witnesses left out")
    amount: float | None
    currency: str | None
    amount_basis: str | None
    readings: int = Field(description="How many readings disagree between sources")


@router.get("/agreements", summary="Agreements matching every filter given, in timeline order")
def agreements(uow: UoW, page: Page, party: Text = None, country: Text = None, mineral: Text = None,
               kind: Text = None, year: Year = None, project: Text = None, organisation: Text = None) -> Paged[AgreementOut]:
    rows = service.find_agreements(uow, **_filters(party, country, mineral, kind, year, project, organisation))
    return page.page([views.agreement_view(a) for a in rows])


@router.get("/agreements/timeline", summary="Dated agreements and events, oldest first")
def timeline(uow: UoW, page: Page, party: Text = None, country: Text = None, mineral: Text = None,
             kind: Text = None, year: Year = None, project: Text = None, organisation: Text = None) -> Paged[TimelineOut]:
    rows = service.timeline(uow, **_filters(party, country, mineral, kind, year, project, organisation))
    return page.page([views.timeline_row(a) for a in rows])


@router.get("/agreements/stale", summary="Agreements not final whose newest source is older than a given age")
def stale(uow: UoW, page: Page, request: Request,
          older_than: Annotated[int | None, Query(ge=0, le=36_500, description="Days (default: MAADAN_STALE_DAYS)")]
          = None) -> StaleOut:
    days = request.app.state.settings.stale_days if older_than is None else older_than
    rows = service.stale_agreements(uow, older_than_days=days)
    return page.page([views.stale_row(r) for r in rows]) | {"older_than_days": days}


@router.get("/agreements/{agreement_id}", summary="One agreement: parties, dates, amounts, readings, sources")
def agreement(agreement_id: str, uow: UoW) -> AgreementDetailOut:
    return views.detail_view(service.agreement_detail(uow, agreement_id))


@router.post("/agreements", status_code=201, dependencies=CSRF, summary="Add an agreement (officers and admins)")
def add(body: Draft, user: Officer, uow: WriteUoW, read: UoW, response: Response) -> AgreementOut:
    ident = service.add_agreement(uow, body, actor=user.actor)
    response.headers["Location"] = f"/api/agreements/{ident}"
    return views.agreement_view(service.get_agreement(read, ident))


@router.patch("/agreements/{agreement_id}", dependencies=CSRF,
              summary="Change some fields of an agreement (officers and admins); validated as a whole")
def edit(agreement_id: str, body: Draft, user: Officer, uow: WriteUoW) -> AgreementOut:
    return views.agreement_view(service.edit_agreement(uow, agreement_id, body, actor=user.actor))


Change = Annotated[dict[str, Any], Body(description="A status change: {status, date, sources, as_of?, note?}")]


@router.post("/agreements/{agreement_id}/history", dependencies=CSRF,
             summary="Add a dated status change with its sources (officers and admins)")
def add_status(agreement_id: str, body: Change, user: Officer, uow: WriteUoW) -> AgreementOut:
    return views.agreement_view(service.add_status_change(uow, agreement_id, body, actor=user.actor))
