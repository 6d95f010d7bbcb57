"""Partner profiles and the match score: plain Python. A profile gathers what Maadan knows of an
organisation's capabilities, minerals and regions, each with where it comes from; `score` ranks a
candidate for a given organisation and explains every point (see docs/agreements.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from maadan.organisations.model import CAPABILITIES, Organisation

# Points of the match score; each reason shows the points it adds.
COMPLEMENT_POINTS = 2  # per capability the candidate has and the organisation lacks
COMPLEMENT_MAX = 3  # capabilities counted at most
MINERAL_ASKED_POINTS = 4  # the candidate works with the mineral asked for
SHARED_MINERAL_POINTS = 1  # per mineral shared with the organisation (no mineral asked)
SHARED_MINERAL_MAX = 3
REGION_ASKED_POINTS = 3  # present in the region asked for
SHARED_REGION_POINTS = 1  # shares a region with the organisation (no region asked)
AGREEMENT_POINTS = 1  # per agreement in the registry (track record)
AGREEMENT_MAX = 3
EXISTING_PARTNER_POINTS = 2  # already a party to an agreement with the organisation


@dataclass
class Profile:
    """What is known of an organisation as a partner. Each dict maps a value to the evidence for it
    (e.g. "project reko-diq", "organisations.csv: <source>"); empty means unknown."""

    organisation: Organisation
    capabilities: dict[str, list[str]] = field(default_factory=dict)
    minerals: dict[str, list[str]] = field(default_factory=dict)
    regions: dict[str, list[str]] = field(default_factory=dict)
    ownership: str | None = None  # state | private | listed; None: unknown
    ownership_evidence: str | None = None
    agreements: list[str] = field(default_factory=list)  # agreement ids it is a party to
    partners: dict[str, list[str]] = field(default_factory=dict)  # organisation id -> shared agreement ids
    projects: list[str] = field(default_factory=list)  # project ids it operates or holds

    @property
    def id(self) -> str:
        return self.organisation.id

    def add(self, attribute: str, value: str, evidence: str) -> None:
        found = getattr(self, attribute).setdefault(value, [])
        if evidence not in found:
            found.append(evidence)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; unknown ownership is "unknown", empty dicts mean unknown."""
        o = self.organisation
        return {"id": o.id, "name": o.name, "short_name": o.short_name, "kind": o.kind, "country": o.country,
                "ownership": self.ownership or "unknown", "ownership_evidence": self.ownership_evidence,
                "capabilities": self.capabilities, "minerals": self.minerals, "regions": self.regions,
                "profile_source": o.profile_source, "agreements": list(self.agreements),
                "projects": sorted(set(self.projects)), "partners": self.partners,
                "claims": [c.as_dict() for c in o.claims()],
                "unsourced": [c.key for c in o.claims() if not c.sourced],
                "corrections": [c.as_dict() for c in o.corrections]}

    def capability_list(self) -> list[str]:
        return [c for c in CAPABILITIES if c in self.capabilities]


@dataclass(frozen=True)
class Reason:
    factor: str  # complementary_capabilities | mineral | shared_minerals | region | shared_region | track_record | existing_partner
    points: int
    text: str


@dataclass
class Candidate:
    profile: Profile
    score: int
    reasons: list[Reason]


def covers(have: str, want: str, groups: dict[str, str | None]) -> bool:
    """True when mineral id `have` is `want`, a member of group `want`, or the group `want` belongs to."""
    def chain(mid: str) -> list[str]:
        out = [mid]
        while groups.get(out[-1]) and groups[out[-1]] not in out:
            out.append(groups[out[-1]])  # type: ignore[arg-type]
        return out

    return want in chain(have) or have in chain(want)


def score(me: Profile, other: Profile, *, mineral: str | None = None, region: str | None = None,
          groups: dict[str, str | None] | None = None, names: dict[str, str] | None = None) -> Candidate:
    """The points `other` earns as a partner for `me`, with one reason per factor that adds any."""
    groups, names = groups or {}, names or {}
    reasons: list[Reason] = []
    mine = set(me.capabilities)
    complement = [c for c in other.capability_list() if c not in mine][:COMPLEMENT_MAX]
    if complement:
        have = ", ".join(me.capability_list()) or "none known"
        reasons.append(Reason("complementary_capabilities", COMPLEMENT_POINTS * len(complement),
                              f"brings {', '.join(c.replace('_', ' ') for c in complement)} "
                              f"({me.organisation.name} has: {have.replace('_', ' ')})"))
    if mineral:
        hits = [m for m in other.minerals if covers(m, mineral, groups)]
        if hits:
            evidence = "; ".join(dict.fromkeys(e for m in hits for e in other.minerals[m]))
            reasons.append(Reason("mineral", MINERAL_ASKED_POINTS,
                                  f"works with {names.get(mineral, mineral)} ({evidence})"))
    else:
        shared = [m for m in other.minerals if m in me.minerals][:SHARED_MINERAL_MAX]
        if shared:
            reasons.append(Reason("shared_minerals", SHARED_MINERAL_POINTS * len(shared),
                                  f"shares minerals: {', '.join(names.get(m, m) for m in shared)}"))
    if region:
        if region in other.regions:
            reasons.append(Reason("region", REGION_ASKED_POINTS,
                                  f"present in {region} ({'; '.join(other.regions[region])})"))
    else:
        shared_regions = [r for r in other.regions if r in me.regions]
        if shared_regions:
            reasons.append(Reason("shared_region", SHARED_REGION_POINTS,
                                  f"also present in {', '.join(shared_regions)}"))
    if other.agreements:
        n = min(len(other.agreements), AGREEMENT_MAX)
        reasons.append(Reason("track_record", AGREEMENT_POINTS * n,
                              f"{len(other.agreements)} agreement{'s' if len(other.agreements) != 1 else ''} "
                              f"in the registry: {', '.join(other.agreements[:5])}"
                              + (" …" if len(other.agreements) > 5 else "")))
    together = other.partners.get(me.id)
    if together:
        reasons.append(Reason("existing_partner", EXISTING_PARTNER_POINTS,
                              f"already party with {me.organisation.name} to {', '.join(together)}"))
    return Candidate(other, sum(r.points for r in reasons), reasons)
