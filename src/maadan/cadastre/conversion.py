"""Security of tenure: the rule file says which title converts into which (e.g. exploration licence →
mining lease). While the parent title is active only its holders may apply for a converted title
over its ground; their conversion inside the parent is not a conflict with it, goes ahead of
ordinary applications on that ground, and on grant takes that ground out of the parent."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.geometry import area_km2
from maadan.cadastre.model import Application, Conflict, Holder, Title
from maadan.cadastre.register import record
from maadan.cadastre.rules import RuleSet, TitleType
from maadan.cadastre.spatial_index import MIN_OVERLAP_KM2
from maadan.errors import Conflict as ConflictError
from maadan.errors import InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork


def _names(holders: Iterable[Holder]) -> set[str]:
    return {h.name.strip().casefold() for h in holders}


def _holders_text(title: Title) -> str:
    return ", ".join(h.name for h in title.holders)


def check_parent(uow: AbstractUnitOfWork, ruleset: RuleSet, tt: TitleType, parent_number: str, holders: list[Holder],
                 applicant_org: str | None, geometry: Any) -> Title:
    """The parent title a conversion application names, after every check: it exists in this
    jurisdiction, is active, converts into `tt`, is held by exactly these holders, and contains the area."""
    parent = uow.cadastre.title(parent_number.strip())
    if parent is None or parent.jurisdiction != ruleset.jurisdiction:
        raise NotFound("title", parent_number)
    if parent.state != lc.ACTIVE:
        raise ConflictError(f"conversion refused: title {parent.number} is {parent.state}; only an active title "
                            "can be converted (its ground is free: apply without --converts)")
    rule = ruleset.conversion(parent.title_type, tt.code)
    if rule is None:
        into = [c for conv in ruleset.conversions if conv.parent == parent.title_type for c in conv.children]
        raise InvalidInput(f"conversion refused: in the {ruleset.name} rules {ruleset.version} a "
                           f"{ruleset.title_type(parent.title_type).name.lower()} ({parent.title_type}) converts into "
                           f"{', '.join(into) if into else 'no other title'}, not a {tt.name.lower()} ({tt.code})")
    if _names(holders) != _names(parent.holders):
        raise ConflictError(f"conversion refused: only the holders of {parent.number} ({_holders_text(parent)}) may "
                            f"apply to convert it ({rule.legal_basis}"
                            f"{'' if rule.verified else '; unverified'})",
                            details={"title": parent.number, "legal_basis": rule.legal_basis})
    orgs = {h.organisation_id for h in parent.holders if h.organisation_id}
    if applicant_org and orgs and applicant_org not in orgs:
        raise ConflictError(f"conversion refused: your organisation does not hold {parent.number}")
    outside = float(area_km2(shapely.difference(geometry, parent.geometry)))
    if outside > MIN_OVERLAP_KM2:
        raise InvalidInput(f"conversion refused: {outside:,.3f} km² of the area lies outside {parent.number}; "
                           "a converted title must lie inside its parent (apply for the rest separately)",
                           details={"outside_km2": round(outside, 6), "title": parent.number})
    return parent


def tenure_refusal(uow: AbstractUnitOfWork, ruleset: RuleSet, tt: TitleType, blocking: list[Conflict]) -> str | None:
    """For a filing refused over active titles: the sentence naming a title whose holders alone may
    apply for this title type there (so the applicant learns why, and a holder learns how)."""
    for c in blocking:
        if c.kind != "title":
            continue
        t = uow.cadastre.title(c.ref)
        rule = ruleset.conversion(t.title_type, tt.code) if t else None
        if t is not None and rule is not None:
            return (f"title {t.number} ({ruleset.title_type(t.title_type).name.lower()}, held by {_holders_text(t)}) "
                    f"is active: only its holders may apply for a {tt.name.lower()} over its ground "
                    f"({rule.legal_basis}{'' if rule.verified else '; unverified'}); they apply with --converts {t.number}")
    return None


def relinquish_parent(uow: AbstractUnitOfWork, app: Application, child: Title, actor: str, now: datetime) -> Title | None:
    """On the grant of a conversion: the parent gives up the converted ground (all of it: the parent
    is `converted`). Nothing happens when the parent is no longer active."""
    parent = uow.cadastre.title(app.converts_title) if app.converts_title else None
    if parent is None or parent.state != lc.ACTIVE:
        return None
    rest = shapely.difference(parent.geometry, child.geometry)
    polys = [p for p in shapely.get_parts(rest) if p.geom_type in ("Polygon", "MultiPolygon")]
    rest = shapely.union_all(polys) if polys else shapely.Polygon()
    rest_km2 = float(area_km2(rest)) if not rest.is_empty else 0.0
    data: dict[str, Any] = {"converted_into": child.number, "area_before_km2": parent.area_km2,
                            "converted_km2": child.area_km2}
    reason = f"converted into {child.number} (application {app.ref})"
    if rest_km2 <= MIN_OVERLAP_KM2:
        parent.state = lc.CONVERTED
        data |= {"from": lc.ACTIVE, "to": lc.CONVERTED, "area_after_km2": 0.0}
        kind = "title.converted"
    else:
        parent.geometry, parent.area_km2 = rest, round(rest_km2, 6)
        data |= {"from": lc.ACTIVE, "to": lc.ACTIVE, "area_after_km2": parent.area_km2}
        kind = "title.relinquish"
    uow.cadastre.update_title(parent)
    record(uow, actor, kind, f"title {parent.number}", data, reason, at=now)
    return parent
