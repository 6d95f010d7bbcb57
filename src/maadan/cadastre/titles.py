"""Titles after the grant: renewal, transfer, relinquishment, surrender, expiry, revocation;
reserved areas; the synthetic demo cadastre."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any, Callable, Iterable

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.applications import AreaInput, holder_facts, parse_area_input, rules_basis
from maadan.cadastre.audit import Document
from maadan.cadastre.boundaries import load_boundary, zones_touched
from maadan.cadastre.caches import applied_rules_for, rules_for
from maadan.cadastre.geometry import parse_area
from maadan.cadastre.model import Holder, Title, add_years, validate_holders
from maadan.cadastre.queue import refresh
from maadan.cadastre.register import record
from maadan.cadastre.rules import check_eligibility, transfer_lock, zones_of
from maadan.errors import Conflict as ConflictError
from maadan.errors import InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

# --- titles ------------------------------------------------------------------------------------

def _get_title(uow: AbstractUnitOfWork, number: str) -> Title:
    title = uow.cadastre.title(number)
    if title is None:
        raise NotFound("title", number)
    return title


def rules_for_title(title: Title, today: date):
    """The rules a title was granted under; for a title granted under earlier law (before the first
    version held here, e.g. a 1974 lease), the rules in force today."""
    try:
        return rules_for(title.jurisdiction, title.granted_on)
    except InvalidInput:
        return rules_for(title.jurisdiction, today)


def title_action(uow: AbstractUnitOfWork, number: str, action: str, actor: str, *, reason: str | None = None,
                 documents: Iterable[Document] = (), holders: Iterable[Holder] | None = None,
                 area: AreaInput | None = None, today: date | None = None, now: datetime | None = None) -> Title:
    """renew | transfer (new holders, whole or a share) | relinquish (a smaller area inside the
    old one; the freed ground becomes available) | surrender | expire | revoke. Ground that frees
    moves the queue: the earliest application or group behind it becomes first (event and notice)."""
    now = now or (datetime.combine(today, time(12), tzinfo=timezone.utc) if today else datetime.now(timezone.utc))
    today = today or now.date()
    with uow:
        title = _get_title(uow, number)
        uow.cadastre.lock(title.jurisdiction)
        new_state = lc.next_state(lc.TITLE_MOVES, "title", title.state, action)
        ruleset = rules_for_title(title, today)
        tt = ruleset.title_type(title.title_type)
        data: dict[str, Any] = {"from": title.state, "to": new_state}
        freed = title.geometry if action in ("surrender", "expire", "revoke") else None
        if action == "renew":
            limit = int(tt.max_renewals.value) if tt.max_renewals else 0
            if title.renewals >= limit:
                raise ConflictError(f"{title.number} has been renewed {title.renewals} time(s); "
                                    f"a {tt.name} allows {limit}")
            years = int(tt.renewal_term_years.value) if tt.renewal_term_years else None
            if years is None or title.expires_on is None:
                raise ConflictError(f"a {tt.name} has no renewal term in the rules")
            title.expires_on = add_years(title.expires_on, years)
            title.renewals += 1
            data |= {"expires_on": title.expires_on.isoformat(), "renewals": title.renewals}
        elif action == "transfer":
            if holders is None:
                raise InvalidInput("transfer: give the holders after the transfer")
            new = validate_holders(list(holders))
            # A transfer is judged under the rules in force on its day; the bar on early transfer
            # counts from the grant.
            applied = applied_rules_for(title.jurisdiction, today)
            now_tt = applied.ruleset.title_types.get(tt.code, tt)
            now_rules = applied.ruleset if tt.code in applied.ruleset.title_types else ruleset
            locked = transfer_lock(now_tt, title.granted_on, today)
            if locked:
                raise ConflictError(f"transfer refused: {locked}", details={"rules": rules_basis(applied)})
            zones = zones_touched(title.geometry, zones_of(now_tt)) if zones_of(now_tt) else set()
            problems = check_eligibility(now_rules, now_tt, holder_facts(new), zones)
            if problems:
                raise InvalidInput("transfer refused, not eligible: " + "; ".join(problems),
                                   details={"rules": rules_basis(applied)})
            data |= {"holders_before": [[h.name, h.share_pct] for h in title.holders],
                     "holders_after": [[h.name, h.share_pct] for h in new],
                     "beneficial_owners": {h.name: list(h.beneficial_owners) for h in new if h.beneficial_owners},
                     "rules": applied.as_dict()}
            title.holders = new
        elif action == "relinquish":
            if area is None:
                raise InvalidInput("relinquish: give the area the title keeps")
            kept = parse_area_input(area, ruleset)
            if not shapely.covered_by(kept.geometry, title.geometry.buffer(1e-9)):
                raise InvalidInput("relinquish: the area kept must lie inside the title's current area")
            if kept.area_km2 >= title.area_km2:
                raise InvalidInput("relinquish: the area kept must be smaller than the current area")
            data |= {"area_before_km2": title.area_km2, "area_after_km2": round(kept.area_km2, 6),
                     "freed_km2": round(title.area_km2 - kept.area_km2, 6)}
            freed = title.geometry
            title.geometry, title.area_km2 = kept.geometry, round(kept.area_km2, 6)
        elif action == "revoke" and not reason:
            raise InvalidInput("revoke: a reason is required")
        title.state = new_state
        uow.cadastre.update_title(title)
        uow.cadastre.bump_spatial(title.jurisdiction)
        record(uow, actor, f"title.{action}", f"title {title.number}", data, reason, documents, at=now)
        if freed is not None:
            verb = {"surrender": "surrendered", "expire": "expired", "revoke": "revoked",
                    "relinquish": "partly relinquished"}[action]
            refresh(uow, title.jurisdiction, now=now, actor=actor, cause=f"title {title.number} {verb}", ground=[freed])
        uow.commit()
    return title



# --- reserved and no-go areas ------------------------------------------------------------------

RESERVED_KINDS = ("protected-area", "no-go", "reserved", "existing-lease")


def add_reserved_areas(uow: AbstractUnitOfWork, jurisdiction: str, features: list[tuple[str, Any]], kind: str,
                       source: str, actor: str) -> int:
    """Add layers of ground closed to applications (e.g. protected areas). `features` are
    (name, GeoJSON geometry) pairs; all or nothing."""
    if kind not in RESERVED_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(RESERVED_KINDS)}")
    if not source.strip():
        raise InvalidInput("source: say where the layer comes from (publication or URL, and year)")
    boundary = load_boundary(jurisdiction)
    parsed = []
    for i, (name, geojson) in enumerate(features, 1):
        if not name:
            raise InvalidInput(f"feature {i}: a name is required")
        try:
            parsed.append((name, parse_area(geojson, boundary=None)))
        except InvalidInput as exc:
            raise InvalidInput(f"feature {i} ({name}): {exc.message}") from None
        if not parsed[-1][1].geometry.intersects(boundary.geometry):
            raise InvalidInput(f"feature {i} ({name}) lies outside {boundary.name}")
    with uow:
        uow.cadastre.lock(jurisdiction)
        existing = {r["name"] for r in uow.cadastre.reserved(jurisdiction)}
        for name, area in parsed:
            if name in existing:
                raise ConflictError(f"a reserved area named {name!r} already exists in {jurisdiction}")
            uow.cadastre.add_reserved(jurisdiction, name, kind, source, area.geometry, round(area.area_km2, 6))
        uow.cadastre.bump_spatial(jurisdiction)
        record(uow, actor, "reserved.added", f"jurisdiction {jurisdiction}",
                {"kind": kind, "names": [n for n, _ in parsed], "source": source})
        refresh(uow, jurisdiction, now=datetime.now(timezone.utc), actor=actor, cause="reserved areas added",
                ground=[a.geometry for _, a in parsed])
        uow.commit()
    return len(parsed)

# --- the synthetic demo cadastre ---------------------------------------------------------------

MAX_DEMO_TITLES = 1_000_000
StageProgress = Callable[[str, int, int], None]  # (stage, done, total), for a progress bar


def load_demo_cadastre(uow: AbstractUnitOfWork, titles: int, seed: int, actor: str,
                       jurisdiction: str = "PK-BA", progress: StageProgress | None = None) -> list[Title]:
    """Replace the jurisdiction's synthetic titles with a freshly generated, deterministic set whose
    sizes and terms come from the titles observed in practice (demo_plan). `progress(stage, done,
    total)` hears how far generating and writing have got."""
    from maadan.cadastre.demo import DemoSpec, generate

    if titles < 1 or titles > MAX_DEMO_TITLES:
        raise InvalidInput(f"--titles must be between 1 and {MAX_DEMO_TITLES:,}")
    spec = DemoSpec(titles=titles, seed=seed, jurisdiction=jurisdiction)
    plan = demo_plan(jurisdiction, spec.as_of)
    made = generate(DemoSpec(titles=titles, seed=seed, jurisdiction=jurisdiction, plan=tuple(plan)),
                    load_boundary(jurisdiction).geometry,
                    progress=(lambda done, total: progress("generating", done, total)) if progress else None)
    with uow:
        uow.cadastre.lock(jurisdiction)
        removed = uow.cadastre.delete_synthetic_titles(jurisdiction)
        uow.cadastre.add_titles_bulk(made, progress=(lambda done, total: progress("writing", done, total))
                                     if progress else None)
        uow.cadastre.bump_spatial(jurisdiction)
        record(uow, actor, "demo.cadastre-loaded", f"jurisdiction {jurisdiction}",
               {"titles": len(made), "seed": seed, "replaced": removed, "synthetic": True,
                "sizes": [{"type": p.code, "area_km2": [round(p.area_km2[0], 4), round(p.area_km2[1], 4)],
                           "term_years": p.term_years, "basis": p.basis} for p in plan]})
        refresh(uow, jurisdiction, now=datetime.now(timezone.utc), actor=actor, cause="synthetic titles replaced",
                all_ground=True)
        uow.commit()
    return made


def demo_plan(jurisdiction: str, as_of: date | None = None):
    """Where the demo cadastre of `jurisdiction` draws its sizes and terms from: the observations
    of the rules in force on `as_of` (the generator's fixed day by default)."""
    from maadan.cadastre.demo import DemoSpec, plan_from_rules

    day = as_of or DemoSpec(titles=1, seed=0).as_of
    try:
        ruleset = rules_for(jurisdiction, day)
    except InvalidInput:
        ruleset = None
    return plan_from_rules(ruleset)
