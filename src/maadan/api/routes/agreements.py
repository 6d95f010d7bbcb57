"""The agreements registry over HTTP: anyone reads; officers and admins add and edit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from maadan.agreements import service
from maadan.api.deps import Page, UoW, WriteUoW
from maadan.api.security import csrf_protect, require_role
from maadan.auth.model import User

router = APIRouter(prefix="/api", tags=["agreements"])
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


@router.get("/agreements", summary="Agreements matching every filter given, in timeline order")
def agreements(uow: UoW, page: Page, party: Text = None, country: Text = None, mineral: Text = None,
               kind: Text = None, year: Year = None, project: Text = None, organisation: Text = None) -> dict:
    rows = service.find_agreements(uow, **_filters(party, country, mineral, kind, year, project, organisation))
    return page.page([a.as_dict() for a in rows])


@router.get("/agreements/timeline", summary="Dated agreements and events, oldest first")
def timeline(uow: UoW, page: Page, party: Text = None, country: Text = None, mineral: Text = None,
             kind: Text = None, year: Year = None, project: Text = None, organisation: Text = None) -> dict:
    rows = service.timeline(uow, **_filters(party, country, mineral, kind, year, project, organisation))
    return page.page([{"date": a.date, "id": a.id, "kind": a.kind, "title": a.title, "status": a.status,
                       "parties": [p.name for p in a.parties if p.role != "witness"], "amount": a.amount,
                       "currency": a.currency, "amount_basis": a.amount_basis, "readings": len(a.readings)}
                      for a in rows])


@router.get("/agreements/stale", summary="Agreements not final whose newest source is older than a given age")
def stale(uow: UoW, page: Page, request: Request,
          older_than: Annotated[int | None, Query(ge=0, le=36_500, description="Days (default: MAADAN_STALE_DAYS)")]
          = None) -> dict:
    days = request.app.state.settings.stale_days if older_than is None else older_than
    rows = service.stale_agreements(uow, older_than_days=days)
    return page.page([{"id": r.agreement.id, "title": r.agreement.title, "kind": r.agreement.kind,
                       "status": r.agreement.status, "status_as_of": r.agreement.status_as_of,
                       "latest_source": r.latest_source, "age_days": r.age_days} for r in rows]) | {
        "older_than_days": days}


@router.get("/agreements/{agreement_id}", summary="One agreement: parties, dates, amounts, readings, sources")
def agreement(agreement_id: str, uow: UoW) -> dict:
    d = service.agreement_detail(uow, agreement_id)
    return d.agreement.as_dict() | {"organisation_names": {k: o.name for k, o in d.organisations.items()},
                                    "project_names": d.project_names,
                                    "titles_in_cadastre": sorted(d.known_titles)}


@router.post("/agreements", status_code=201, dependencies=CSRF, summary="Add an agreement (officers and admins)")
def add(body: Draft, user: Officer, uow: WriteUoW, read: UoW, response: Response) -> dict:
    ident = service.add_agreement(uow, body, actor=f"user:{user.username}")
    response.headers["Location"] = f"/api/agreements/{ident}"
    return service.get_agreement(read, ident).as_dict()


@router.patch("/agreements/{agreement_id}", dependencies=CSRF,
              summary="Change some fields of an agreement (officers and admins); validated as a whole")
def edit(agreement_id: str, body: Draft, user: Officer, uow: WriteUoW) -> dict:
    return service.edit_agreement(uow, agreement_id, body, actor=f"user:{user.username}").as_dict()


Change = Annotated[dict[str, Any], Body(description="A status change: {status, date, sources, as_of?, note?}")]


@router.post("/agreements/{agreement_id}/history", dependencies=CSRF,
             summary="Add a dated status change with its sources (officers and admins)")
def add_status(agreement_id: str, body: Change, user: Officer, uow: WriteUoW) -> dict:
    return service.add_status_change(uow, agreement_id, body, actor=f"user:{user.username}").as_dict()
