"""Partners: the directory of organisations as partners, one profile, and ranked matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from maadan.http.deps import Page, UoW
from maadan.partners import service
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["partners"])
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/partners", summary="Organisations with capabilities, minerals, regions and ownership (unknown shown so)")
def partners(uow: UoW, page: Page, capability: Text = None, mineral: Text = None, region: Text = None,
             ownership: Text = None) -> dict:
    rows = service.list_partners(uow, capability=capability, mineral=mineral, region=region, ownership=ownership)
    return page.page([p.as_dict() for p in rows])


@router.get("/partners/match", summary="Counterparts for an organisation, ranked, with the reasons for each score")
def match(uow: UoW, for_: Annotated[str, Query(alias="for", min_length=1, max_length=200)],
          mineral: Text = None, region: Text = None, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict:
    m = service.match_partners(uow, for_, mineral=mineral, region=region, limit=limit)
    return {"for": m.subject.id, "mineral": m.mineral, "region": m.region, "count": len(m.candidates),
            "items": [{"rank": i, "id": c.profile.id, "name": c.profile.organisation.name, "score": c.score,
                       "reasons": to_jsonable(c.reasons)} for i, c in enumerate(m.candidates, 1)]}


@router.get("/partners/{organisation_id}", summary="One organisation as a partner: profile, agreements, titles, partners")
def partner(organisation_id: str, uow: UoW) -> dict:
    d = service.partner_profile(uow, organisation_id)
    return d.profile.as_dict() | {"titles": d.titles, "partner_names": d.partner_names}
