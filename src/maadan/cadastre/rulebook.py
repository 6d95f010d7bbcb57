"""The rules for people: every value of a rule version as one flat list of entries (what it is,
its value, legal basis, source, confidence, whether it is verified), the share verified, the
versions of a jurisdiction with their legal status over time, and the differences between two
versions. Plain values, rendered alike by the CLI, the API and the web page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from maadan.cadastre.rules import (
    AppliedRules,
    Eligibility,
    MineralRestriction,
    Money,
    MoneyRange,
    Obligation,
    Reading,
    RuleSet,
    RuleValue,
    StatusEvent,
    TitleType,
    applicable_rules,
    derived_changes,
    is_placeholder,
    timeline,
    zone_label,
)
from maadan.errors import InvalidInput, NotFound

# The label and unit of each title-type value, in the order they are shown.
TT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("min_area_km2", "minimum area", "km²"), ("max_area_km2", "maximum area", "km²"),
    ("term_years", "term", "years"), ("max_renewals", "renewals allowed", ""),
    ("renewal_term_years", "renewal term", "years"), ("exclusive", "exclusive", ""),
    ("application_fee", "application fee", ""), ("grant_fee", "grant fee", ""),
    ("renewal_fee", "renewal fee", ""), ("security", "security or bank guarantee", ""),
    ("min_investment", "minimum investment (large scale)", ""), ("transfer_lock_years", "no transfer within", "years"),
    ("review_days", "decision due within", "days"), ("rent_grace_days", "rent grace period", "days"),
    ("grants_after", "may follow", ""),
)


def shown(value: Any, unit: str = "") -> str:
    """A rule value as text: money with its currency, ranges with a dash, flags as yes/no."""
    if isinstance(value, (Money, MoneyRange)):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return f"{value:,}" + (f" {unit}" if unit else "")
    return str(value)


def plain(value: Any) -> Any:
    """A rule value as JSON-ready data."""
    if isinstance(value, Money):
        return {"amount": value.amount, "currency": value.currency}
    if isinstance(value, MoneyRange):
        return {"low": value.low, "high": value.high, "currency": value.currency}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Entry:
    """One value of a rule version as people read it."""

    path: str  # the key path in the rule file, e.g. title_types.EL.application_fee
    label: str  # e.g. "Exploration licence (EL): application fee"
    value: Any  # JSON-ready
    shown: str  # the value as text
    legal_basis: str
    verified: bool
    placeholder: bool
    source: str | None = None
    confidence: str | None = None
    note: str | None = None
    readings: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, "value": self.value, "shown": self.shown,
                "legal_basis": self.legal_basis, "source": self.source, "confidence": self.confidence,
                "verified": self.verified, "placeholder": self.placeholder, "note": self.note,
                "readings": list(self.readings)}


def _readings(readings: tuple[Reading, ...], unit: str = "") -> tuple[dict[str, Any], ...]:
    return tuple({"value": plain(r.value), "shown": shown(r.value, unit), "source": r.source,
                  "confidence": r.confidence, "note": r.note} for r in readings)


def _entry(path: str, label: str, rv: RuleValue, unit: str = "", text: str | None = None) -> Entry:
    return Entry(path, label, plain(rv.value), text if text is not None else shown(rv.value, unit), rv.legal_basis,
                 rv.verified, rv.placeholder, rv.source, rv.confidence, rv.note, _readings(rv.readings, unit))


def _cited(path: str, label: str, value: Any, text: str,
           c: Obligation | Eligibility | MineralRestriction | StatusEvent) -> Entry:
    return Entry(path, label, value, text, c.legal_basis, c.verified, is_placeholder(c.legal_basis), c.source,
                 c.confidence, c.note)


def _eligibility_text(e: Eligibility) -> str:
    return {"pakistani_body_corporate_only": "only a body corporate registered in Pakistan",
            "disclose_shareholders_above_pct": f"shareholders above {e.value or 0:g}% disclosed",
            "local_share_min": f"Pakistani holders hold at least {e.value or 0:g}%",
            "locals_only_in_zone": f"only local people in the {zone_label(e.zone)}"}.get(e.kind, e.kind)


def title_type_entries(tt: TitleType, prefix: str = "") -> list[Entry]:
    """Every value of one title type, in the order of TT_FIELDS, then rent, duties and eligibility."""
    base = f"{prefix}title_types.{tt.code}"
    head = f"{tt.name} ({tt.code})"
    out: list[Entry] = []
    for name, label, unit in TT_FIELDS:
        rv = getattr(tt, name)
        if rv is not None:
            out.append(_entry(f"{base}.{name}", f"{head}: {label}", rv, unit))
    rent_key = "annual_rent_per_title" if tt.rent_per == "title" else "annual_rent_per_km2"
    per = "a year per title" if tt.rent_per == "title" else "a year per km²"
    for i, (start, rv) in enumerate(tt.rent_schedule):
        out.append(_entry(f"{base}.{rent_key}[{i}].rate", f"{head}: annual rent from year {start}", rv,
                          text=f"{shown(rv.value)} {per}"))
    for i, o in enumerate(tt.obligations):
        out.append(_cited(f"{base}.obligations[{i}]", f"{head}: duty '{o.code}'",
                          {"days": o.due_days, "after": o.after},
                          f"{o.description}, within {o.due_days} days of the {o.after}", o))
    for i, e in enumerate(tt.eligibility):
        out.append(_cited(f"{base}.eligibility[{i}]", f"{head}: who may hold it",
                          {"kind": e.kind, "value_pct": e.value, "zone": e.zone}, _eligibility_text(e), e))
    return out


def entries(rs: RuleSet) -> list[Entry]:
    """Every value of a rule version: its legal status, the priority rule, geometry limits, the
    mineral restrictions, then each title type's values."""
    out = [_cited(f"legal_status[{i}]", f"legal status from {ev.on}", ev.status,
                  f"{ev.status}{'' if ev.certain else ' (uncertain)'} from {ev.on}", ev)
           for i, ev in enumerate(rs.status)]
    out.append(_entry("priority", "same-day applications are simultaneous", rs.same_date_simultaneous))
    if rs.grid_cell_arcsec is not None:
        out.append(_entry("grid", "grid cell", rs.grid_cell_arcsec, "arc-seconds"))
    if rs.max_vertices_basis is not None:
        out.append(_entry("max_vertices", "most vertices in an area", rs.max_vertices_basis))
    for i, r in enumerate(rs.mineral_restrictions):
        text = f"{r.description} (since {r.since})" + (f"; except {r.exception}" if r.exception else "")
        out.append(_cited(f"mineral_restrictions[{i}]", f"restriction '{r.code}' on {', '.join(r.minerals)}",
                          {"minerals": list(r.minerals), "since": r.since.isoformat()}, text, r))
    for tt in rs.title_types.values():
        out += title_type_entries(tt)
    return out


def observations(rs: RuleSet) -> list[dict[str, Any]]:
    """Titles granted in practice, per title type: cited notes, never limits."""
    out = []
    for tt in rs.title_types.values():
        for ob in tt.observations:
            km2 = ob.area_km2()
            out.append({"title_type": tt.code, "label": ob.label, "text": ob.text,
                        "area": None if ob.area_max is None else
                        {"min": ob.area_min, "max": ob.area_max, "unit": ob.area_unit},
                        "area_km2": None if km2 is None else [None if km2[0] is None else round(km2[0], 4),
                                                              round(km2[1], 4)],
                        "term_years": ob.term_years, "source": ob.source, "confidence": ob.confidence,
                        "note": ob.note})
    return out


# --- the share verified -------------------------------------------------------------------------

@dataclass(frozen=True)
class Census:
    verified: int
    total: int

    @property
    def share(self) -> float:
        return self.verified / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "total": self.total, "share": round(self.share, 4)}


def census(rs: RuleSet) -> Census:
    """How many of a version's values a source confirms."""
    items = entries(rs)
    return Census(sum(1 for e in items if e.verified), len(items))


# --- versions, status and differences ----------------------------------------------------------

def versions_of(rulesets: list[RuleSet], jurisdiction: str) -> list[RuleSet]:
    found = sorted((r for r in rulesets if r.jurisdiction == jurisdiction), key=lambda r: r.effective_from)
    if not found:
        raise NotFound("jurisdiction", jurisdiction, sorted({r.jurisdiction for r in rulesets}))
    return found


def version_of(rulesets: list[RuleSet], jurisdiction: str, version: str) -> RuleSet:
    found = versions_of(rulesets, jurisdiction)
    match = next((r for r in found if r.version == version), None)
    if match is None:
        raise NotFound(f"{jurisdiction} rule version", version, [r.version for r in found])
    return match


def status_history(rulesets: list[RuleSet], rs: RuleSet) -> list[dict[str, Any]]:
    """The version's own dated status changes with their sources, and the changes that follow from
    later versions (superseded; applied again while a later one is suspended), in date order."""
    own = [{"date": ev.on.isoformat(), "status": ev.status, "certain": ev.certain, "legal_basis": ev.legal_basis,
            "source": ev.source, "confidence": ev.confidence, "verified": ev.verified, "note": ev.note, "derived": False}
           for ev in rs.status]
    derived = [{"date": d.isoformat(), "status": kind, "certain": certain, "legal_basis": text, "source": None,
                "confidence": None, "verified": False, "note": None, "derived": True}
               for d, kind, text, certain in derived_changes(rulesets, rs)]
    if rs.effective_to is not None:
        derived.append({"date": rs.effective_to.isoformat(), "status": "ends", "certain": True,
                        "legal_basis": "effective_to in the rule file", "source": None, "confidence": None,
                        "verified": False, "note": None, "derived": True})
    return sorted(own + derived, key=lambda x: (x["date"], x["derived"]))


def status_on(rulesets: list[RuleSet], rs: RuleSet, day: date) -> str:
    """In a word, where the version stands on `day`: applied, superseded, suspended, pending,
    not yet in force or ended."""
    ev = rs.status_on(day)
    if ev is None:
        return "not yet in force"
    if ev.status != "in-force":
        return {"repealed": "ended"}.get(ev.status, ev.status)
    try:
        applied = applicable_rules(rulesets, rs.jurisdiction, day)
    except InvalidInput:
        return "in-force"
    return "applied" if applied.version == rs.version else "superseded"


@dataclass(frozen=True)
class Change:
    path: str
    label: str
    before: Entry | None
    after: Entry | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        if self.before.value != self.after.value:
            return "value"
        return "basis"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, "kind": self.kind,
                "before": self.before.as_dict() if self.before else None,
                "after": self.after.as_dict() if self.after else None}


def _key(e: Entry) -> str:
    # Status events are compared by position and date, values by their key path.
    return e.path


def diff(a: RuleSet, b: RuleSet) -> list[Change]:
    """What changes from version `a` to version `b` of one jurisdiction: values added, removed or
    changed, and values whose basis or verification changed, in `b`'s order (then `a`'s removals).
    Legal status is not compared: each version has its own."""
    if a.jurisdiction != b.jurisdiction:
        raise InvalidInput(f"compare two versions of one jurisdiction, not {a.jurisdiction} and {b.jurisdiction}")
    left = {_key(e): e for e in entries(a) if not e.path.startswith("legal_status")}
    right = {_key(e): e for e in entries(b) if not e.path.startswith("legal_status")}
    out: list[Change] = []
    for k, e in right.items():
        old = left.get(k)
        if old is None or (old.value, old.legal_basis, old.verified, old.source, old.confidence) != \
                (e.value, e.legal_basis, e.verified, e.source, e.confidence):
            out.append(Change(k, e.label, old, e))
    out += [Change(k, e.label, e, None) for k, e in left.items() if k not in right]
    return out


# --- one view for every adapter -----------------------------------------------------------------

def applied_view(a: AppliedRules) -> dict[str, Any]:
    return a.as_dict()


def version_view(rulesets: list[RuleSet], rs: RuleSet, at: date, *, values: bool = True) -> dict[str, Any]:
    c = census(rs)
    out: dict[str, Any] = {
        "jurisdiction": rs.jurisdiction, "version": rs.version, "title": rs.label, "extends": rs.extends,
        "effective_from": rs.effective_from.isoformat(),
        "effective_to": rs.effective_to.isoformat() if rs.effective_to else None,
        "status_on_day": status_on(rulesets, rs, at), "status": status_history(rulesets, rs),
        "authority": rs.authority, "title_types": {code: tt.name for code, tt in rs.title_types.items()},
        "census": c.as_dict(), "notes": list(rs.notes), "sources": list(rs.sources)}
    if values:
        out["values"] = [e.as_dict() for e in entries(rs)]
        out["observations"] = observations(rs)
    return out


def jurisdiction_view(rulesets: list[RuleSet], jurisdiction: str, at: date, *, values: bool = True) -> dict[str, Any]:
    """A jurisdiction's rules as of `at`: the version applied and why, every version with its status
    history and (with `values`) every value with basis, source, confidence and `verified`, and the
    timeline of which version applies when."""
    found = versions_of(rulesets, jurisdiction)
    try:
        applied: dict[str, Any] | None = applied_view(applicable_rules(rulesets, jurisdiction, at))
    except InvalidInput as exc:
        applied = {"jurisdiction": jurisdiction, "version": None, "certain": False, "why": exc.message,
                   "reasons": [], "passed_over": [], "summary": exc.message}
    return {
        "jurisdiction": jurisdiction, "name": found[-1].name, "at": at.isoformat(), "applied": applied,
        "versions": [version_view(rulesets, r, at, values=values) for r in found],
        "timeline": [{"from": p.start.isoformat(), "to": p.end.isoformat() if p.end else None, "version": p.version,
                      "title": p.title, "certain": p.certain, "reasons": list(p.reasons)}
                     for p in timeline(rulesets, jurisdiction)],
    }


def diff_view(rulesets: list[RuleSet], jurisdiction: str, a: str, b: str) -> dict[str, Any]:
    va, vb = version_of(rulesets, jurisdiction, a), version_of(rulesets, jurisdiction, b)
    changes = diff(va, vb)
    return {"jurisdiction": jurisdiction, "from": {"version": va.version, "title": va.label},
            "to": {"version": vb.version, "title": vb.label}, "changes": [c.as_dict() for c in changes],
            "counts": {k: sum(1 for c in changes if c.kind == k) for k in ("added", "removed", "value", "basis")}}


def census_table(rulesets: list[RuleSet], at: date) -> list[dict[str, Any]]:
    """Per jurisdiction: the share of values verified in the version applied on `at`, and over all versions."""
    out = []
    for j in sorted({r.jurisdiction for r in rulesets}):
        found = versions_of(rulesets, j)
        total = Census(sum(census(r).verified for r in found), sum(census(r).total for r in found))
        try:
            applied = applicable_rules(rulesets, j, at).ruleset
            now: dict[str, Any] | None = {"version": applied.version, **census(applied).as_dict()}
        except InvalidInput:
            now = None
        out.append({"jurisdiction": j, "name": found[-1].name, "applied": now, "all_versions": total.as_dict()})
    return out
