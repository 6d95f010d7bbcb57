"""The rules for people over HTTP (public): every jurisdiction's rule versions with their legal
status, every value with its legal basis, source, confidence and `verified`, and what changed
between two versions. The same views as `maadan cadastre rules` and the /cadastre/rules page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field

from maadan.api.schemas import ApiRoute, Out
from maadan.cadastre import views

router = APIRouter(prefix="/api", tags=["cadastre"], route_class=ApiRoute)
Jurisdiction = Annotated[str, Path(min_length=2, max_length=16, description="Jurisdiction code, e.g. PK-PB")]
At = Annotated[date | None, Query(description="The day the rules are applied on (default today)")]
Version = Annotated[str, Query(min_length=1, max_length=32, description="A version, e.g. 2020-03-03")]


class RulesBasisOut(Out):
    """The rule version applied on a day, why, and whether that is legally certain."""

    jurisdiction: str
    version: str | None = Field(description="None when no version is in force that day")
    title: str | None = None
    day: str | None = None
    certain: bool
    why: str
    reasons: list[str] = Field(description="What makes the answer uncertain")
    passed_over: list[str] = Field(description="Later versions not applied, and why")
    summary: str


class CensusOut(Out):
    verified: int
    total: int
    share: float


class AppliedCensusOut(CensusOut):
    version: str


class RulesIndexRowOut(Out):
    jurisdiction: str
    name: str
    applied: AppliedCensusOut | None = Field(description="The version applied on the day; None if none is in force")
    all_versions: CensusOut


class RulesIndexOut(Out):
    at: date
    jurisdictions: list[RulesIndexRowOut]


class StatusChangeOut(Out):
    date: date
    status: str
    certain: bool
    legal_basis: str
    source: str | None = None
    confidence: str | None = None
    verified: bool
    note: str | None = None
    derived: bool = Field(description="Follows from another version (superseded, applies again), not stated in this one")


class RuleValueOut(Out):
    path: str = Field(description="Key path in the rule file")
    label: str
    value: Any
    shown: str
    legal_basis: str
    source: str | None = None
    confidence: str | None = Field(None, description="H official; M reputable press or a law firm; L weak")
    verified: bool
    placeholder: bool
    note: str | None = None
    readings: list[dict[str, Any]] = Field(description="Other sources' readings, kept side by side")


class RuleVersionOut(Out):
    jurisdiction: str
    version: str
    title: str
    effective_from: date
    effective_to: date | None = None
    status_on_day: str = Field(description="applied, superseded, suspended, pending, not yet in force or ended")
    status: list[StatusChangeOut]
    census: CensusOut
    values: list[RuleValueOut] | None = None
    observations: list[dict[str, Any]] | None = Field(None, description="Titles granted in practice: notes, not limits")


class RulesTimelineOut(Out):
    from_: date = Field(alias="from")
    to: date | None = None
    version: str
    title: str
    certain: bool
    reasons: list[str]


class JurisdictionRulesOut(Out):
    jurisdiction: str
    name: str
    at: date
    applied: RulesBasisOut
    versions: list[RuleVersionOut]
    timeline: list[RulesTimelineOut]


class VersionRefOut(Out):
    version: str
    title: str


class RuleChangeOut(Out):
    path: str
    label: str
    kind: str = Field(description="added, removed, value (the value changed) or basis (its basis or verification)")
    before: RuleValueOut | None
    after: RuleValueOut | None


class RulesDiffOut(Out):
    jurisdiction: str
    from_: VersionRefOut = Field(alias="from")
    to: VersionRefOut
    changes: list[RuleChangeOut]
    counts: dict[str, int]


@router.get("/cadastre/rules", summary="Every jurisdiction's rules applied on a day, with the share of values verified")
def rules_index(at: At = None) -> RulesIndexOut:
    return views.rules_index(at or date.today())


@router.get("/cadastre/rules/{jurisdiction}",
            summary="A jurisdiction's rule versions: legal status, every value with basis, source, confidence")
def rules_of(jurisdiction: Jurisdiction, at: At = None,
             values: Annotated[bool, Query(description="Include every value of every version")] = True
             ) -> JurisdictionRulesOut:
    return views.rules_of(jurisdiction, at or date.today(), values=values)


@router.get("/cadastre/rules/{jurisdiction}/diff", summary="What changed between two rule versions")
def rules_diff(jurisdiction: Jurisdiction, from_: Annotated[str, Query(alias="from", min_length=1, max_length=32)],
               to: Version) -> RulesDiffOut:
    return views.rules_diff(jurisdiction, from_, to)
