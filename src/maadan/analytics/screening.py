"""Investment screening: rank projects and open ground for an investor profile, with the reasons
for each rank (docs/analytics.md §8). Pure functions over what the service gathered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from maadan.analytics import governance
from maadan.analytics.profiles import FACTORS, Profile
from maadan.projects.model import Project

SECURITY_WORDS = ("attack", "attacked", "bomb", "kidnap", "militant", "insurgent", "killed")
GOVERNANCE_METHOD = ("Governance = the host country's political stability, 1 - g = (PV + 2.5) / 5 with PV the World Bank "
                     "WGI Political Stability and Absence of Violence/Terrorism estimate, 2023 (the only WGI dimension "
                     "bundled); a country the table does not hold is unknown")


@dataclass(frozen=True)
class MineralValue:
    """What the criticality module says about one commodity."""

    mineral_id: str
    name: str
    listed: bool
    score: float | None  # supply-risk score S, None when it cannot be computed


@dataclass(frozen=True)
class EconomicsValue:
    npv_musd: float
    rate_pct: float
    irr: str
    case_file: str
    verified: str = ""  # "k of n inputs verified"


@dataclass(frozen=True)
class Ground:
    """Whether a candidate's location is free ground in the cadastre."""

    free: bool | None  # None: unknown (no location, outside the cadastre's jurisdictions, empty cadastre)
    detail: str


@dataclass
class Component:
    factor: str
    score: float  # 0-1, what the ranking uses
    known: bool
    reason: str
    sources: list[str] = field(default_factory=list)


@dataclass
class ScreenItem:
    project_id: str
    name: str
    category: str  # "project" or "open ground"
    status: str
    commodities: list[str]
    total: float
    components: list[Component]
    ground: Ground
    rank: int = 0

    @property
    def reasons(self) -> list[str]:
        return [f"{c.factor}: {c.reason}" for c in self.components]


@dataclass
class Screening:
    profile: Profile
    items: list[ScreenItem]
    notes: list[str]


def _minerals(p: Project, values: Mapping[str, MineralValue], profile: Profile, top_score: float) -> Component:
    scored = []
    for cid in [*p.commodities, *p.byproducts]:
        v = values.get(cid)
        if v is None:
            scored.append((0.0, f"{cid}: not in the mineral catalogue"))
            continue
        listed = profile.listed_weight.value * (1.0 if v.listed else 0.0)
        if v.score is None:
            part = listed + profile.score_weight.value * profile.unknown_score.value
            s_text = "supply-risk score unknown"
        else:
            part = listed + profile.score_weight.value * (v.score / top_score if top_score else 0.0)
            s_text = f"S {v.score:.3f} of max {top_score:.3f}"
        scored.append((part, f"{v.name} ({'on' if v.listed else 'not on'} {profile.list_id}; {s_text})"))
    if not scored:
        return Component("minerals", profile.unknown_score.value, False, "no commodity recorded")
    best = max(scored, key=lambda x: x[0])
    return Component("minerals", best[0], True, f"best commodity {best[1]} -> {best[0]:.2f}",
                     [profile.list_source])


def _economics(p: Project, econ: EconomicsValue | None, profile: Profile) -> Component:
    if econ is None:
        return Component("economics", profile.unknown_score.value, False,
                         "unknown: no economics case for this project (data/fiscal/cases)")
    s = min(1.0, max(0.0, econ.npv_musd / profile.scale_musd.value))
    return Component("economics", s, True, f"NPV @{econ.rate_pct:g}% {econ.npv_musd:,.0f} MUSD, IRR {econ.irr} "
                                           f"({econ.case_file}; {econ.verified or 'inputs as listed'}, the rest "
                                           f"derived or assumed, listed by `maadan economics`) -> {s:.2f}",
                     [econ.case_file])


def _stage(p: Project, profile: Profile) -> Component:
    w = profile.stage_scores.get(p.status)
    if w is None:
        return Component("stage", profile.unknown_score.value, False, f"stage {p.status!r} has no score in the profile")
    return Component("stage", w.value, True, f"{p.status} ({w.why}) -> {w.value:.2f}", list(p.sources[:1]))


def security_events(p: Project) -> list[tuple[str, str, str]]:
    """(date, event, source) of the project's recorded events that report violence against it."""
    out = []
    for f in p.facts_of("event"):
        text = str(f.data.get("event", ""))
        if any(w in text.lower() for w in SECURITY_WORDS):
            out.append((str(f.data.get("date", "")), text, f.source))
    return out


def _security(p: Project, profile: Profile) -> Component:
    events = security_events(p)
    if not events:
        return Component("security", profile.unknown_score.value, False,
                         "unknown: no security incident recorded with a source (absence of a record is not safety)")
    d, text, _ = events[-1]
    return Component("security", 0.0, True, f"{len(events)} recorded incident(s), latest {d}: {text} -> 0.00",
                     [s for _, _, s in events])


def _governance(p: Project, profile: Profile) -> Component:
    g = governance.lookup(p.country) if p.country else None
    if g is None:
        return Component("governance", profile.unknown_score.value, False,
                         f"unknown: no WGI political-stability value for country {p.country!r}")
    s = 1.0 - g.instability
    return Component("governance", s, True, f"{g.country}: WGI political stability {g.year} {g.estimate:+.2f} "
                                            f"(-2.5 to +2.5) -> {s:.2f}", [g.source])


def screen(profile: Profile, projects: Sequence[Project], minerals: Mapping[str, MineralValue],
           economics: Mapping[str, EconomicsValue], ground: Mapping[str, Ground]) -> Screening:
    """Every candidate scored on the profile's factors (weighted mean, 0-1), best first, with reasons."""
    top = max((v.score for v in minerals.values() if v.score is not None), default=0.0)
    items = []
    for p in projects:
        g = ground.get(p.id, Ground(None, "title status unknown"))
        comps = [_minerals(p, minerals, profile, top), _economics(p, economics.get(p.id), profile), _stage(p, profile),
                 _security(p, profile), _governance(p, profile)]
        total = sum(profile.weights[c.factor].value * c.score for c in comps)
        category = "open ground" if p.kind == "deposit" and g.free is not False else "project"
        items.append(ScreenItem(p.id, p.name, category, p.status, [*p.commodities, *p.byproducts], total, comps, g))
    items.sort(key=lambda i: (-i.total, i.name))
    for n, i in enumerate(items, 1):
        i.rank = n
    notes = [f"Score = sum of weight x factor score over {', '.join(FACTORS)}; weights from {profile.path}.",
             f"Unknown factors count {profile.unknown_score.value:g} ({profile.unknown_score.why})",
             "Open ground: deposits whose location is free ground in the cadastre (no active title, pending "
             "application or reserved area), or whose title status is unknown (said so for each).",
             f"{GOVERNANCE_METHOD}; source: {governance.table_source()}."]
    return Screening(profile, items, notes)
