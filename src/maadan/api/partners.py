"""Partners: the directory of organisations as partners, one profile, and ranked matches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from maadan.api.schemas import ApiRoute, Out, Paged
from maadan.http.deps import Page, UoW
from maadan.partners import service
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["partners"], route_class=ApiRoute)
Text = Annotated[str | None, Query(max_length=200)]


class ProfileOut(Out):
    """An organisation as a partner; unknown ownership is "unknown", empty objects mean unknown."""

    id: str
    name: str
    short_name: str | None = None
    kind: str | None = None
    country: str | None = None
    ownership: str
    capabilities: dict[str, Any]
    minerals: dict[str, Any]
    regions: dict[str, Any]
    agreements: list[str]
    projects: list[str]
    partners: Any


class PartnerDetailOut(ProfileOut):
    titles: Any
    partner_names: dict[str, str]


class CandidateOut(Out):
    rank: int
    id: str
    name: str
    score: float
    reasons: Any


class MatchOut(Out):
    for_: str = Field(alias="for", serialization_alias="for")
    mineral: str | None
    region: str | None
    count: int
    items: list[CandidateOut]


@router.get("/partners", summary="Organisations with capabilities, minerals, regions and ownership (unknown shown so)")
def partners(uow: UoW, page: Page, capability: Text = None, mineral: Text = None, region: Text = None,
             ownership: Text = None) -> Paged[ProfileOut]:
    rows = service.list_partners(uow, capability=capability, mineral=mineral, region=region, ownership=ownership)
    return page.page([p.as_dict() for p in rows])


@router.get("/partners/match", summary="Counterparts for an organisation, ranked, with the reasons for each score")
def match(uow: UoW, for_: Annotated[str, Query(alias="for", min_length=1, max_length=200)],
          mineral: Text = None, region: Text = None, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> MatchOut:
    m = service.match_partners(uow, for_, mineral=mineral, region=region, limit=limit)
    return {"for": m.subject.id, "mineral": m.mineral, "region": m.region, "count": len(m.candidates),
            "items": [{"rank": i, "id": c.profile.id, "name": c.profile.organisation.name, "score": c.score,
                       "reasons": to_jsonable(c.reasons)} for i, c in enumerate(m.candidates, 1)]}


@router.get("/partners/{organisation_id}", summary="One organisation as a partner: profile, agreements, titles, partners")
def partner(organisation_id: str, uow: UoW) -> PartnerDetailOut:
    d = service.partner_profile(uow, organisation_id)
    return d.profile.as_dict() | {"titles": d.titles, "partner_names": d.partner_names}
