"""Organisations: companies, state enterprises, governments, agencies and lenders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from maadan.api.schemas import ApiRoute, Out, Paged
from maadan.http.deps import Page, UoW
from maadan.errors import NotFound
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["organisations"], route_class=ApiRoute)


class OrganisationOut(Out):
    id: str
    name: str
    kind: str
    country: str | None
    short_name: str | None = None


@router.get("/organisations", summary="Organisations, filtered by country or kind")
def organisations(uow: UoW, page: Page, country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
                  kind: Annotated[str | None, Query(max_length=40)] = None,
                  q: Annotated[str | None, Query(max_length=100, description="Text in the name")] = None) -> Paged[OrganisationOut]:
    with uow:
        orgs = uow.organisations.all()
    rows = [to_jsonable(o) for o in orgs
            if (not country or o.country == country.upper()) and (not kind or o.kind == kind)
            and (not q or q.lower() in (o.name + " " + (o.short_name or "")).lower())]
    return page.page(rows)


@router.get("/organisations/{organisation_id}", summary="One organisation")
def organisation(organisation_id: str, uow: UoW) -> OrganisationOut:
    with uow:
        orgs = {o.id: o for o in uow.organisations.all()}
    if organisation_id not in orgs:
        import difflib

        raise NotFound("organisation", organisation_id, difflib.get_close_matches(organisation_id, list(orgs), n=5))
    return to_jsonable(orgs[organisation_id])
