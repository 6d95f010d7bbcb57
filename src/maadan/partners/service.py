"""Use cases over partners: the directory of organisations with what they do, where and with what
minerals, one organisation's profile, and ranked counterparts for an organisation."""

from __future__ import annotations

from dataclasses import dataclass

from maadan.agreements.model import MINERAL_CLASS, Agreement
from maadan.agreements.service import organisation_index
from maadan.errors import InvalidInput
from maadan.minerals.names import NameIndex, normalise
from maadan.minerals.service import mineral_index
from maadan.organisations.model import CAPABILITIES, OWNERSHIPS
from maadan.partners.model import Candidate, Profile, covers, score
from maadan.unit_of_work import AbstractUnitOfWork

STATE_KINDS = ("government", "agency", "state-enterprise")
MINING_STATUSES = ("operating", "development", "small-scale", "historic")
ROLE_CAPABILITY = {"lender": "finance"}
# Fit factors: a candidate is proposed only when one of these adds points (a track record alone is no fit).
FIT = ("complementary_capabilities", "mineral", "shared_minerals", "region", "shared_region")


@dataclass
class Directory:
    profiles: dict[str, Profile]
    agreements: dict[str, Agreement]
    mineral_names: dict[str, str]
    mineral_groups: dict[str, str | None]
    index: NameIndex


def _build(uow: AbstractUnitOfWork) -> Directory:
    """Every organisation's profile: its own cited columns, plus what projects and agreements in
    the database say of it. Call inside `with uow`."""
    orgs = uow.organisations.all()
    minerals = uow.minerals.all()
    profiles = {o.id: Profile(o) for o in orgs}
    for o in orgs:
        p = profiles[o.id]
        cited = "organisation profile"  # its profile_source is shown with the profile
        for c in o.capabilities:
            p.add("capabilities", c, cited)
        for m in o.minerals:
            p.add("minerals", m, cited)
        for r in o.regions:
            p.add("regions", r, cited)
        if o.kind == "lender":
            p.add("capabilities", "finance", "kind: lender (organisations.csv)")
        if o.ownership:
            p.ownership, p.ownership_evidence = o.ownership, cited
        elif o.kind in STATE_KINDS:
            p.ownership, p.ownership_evidence = "state", f"kind: {o.kind} (organisations.csv)"
    for project in uow.projects.all():
        holders = {h.organisation_id for r in project.ownership for h in r.holders if h.organisation_id}
        holders |= {h.via_id for r in project.ownership for h in r.holders if h.via_id}
        involved = holders | ({project.operator_id} if project.operator_id else set())
        for oid in involved:
            if oid not in profiles:
                continue
            p = profiles[oid]
            role = "operator" if oid == project.operator_id else "holder"
            evidence = f"{role} of project {project.id}"
            p.projects.append(project.id)
            for m in (*project.commodities, *project.byproducts):
                p.add("minerals", m, evidence)
            if project.province:
                p.add("regions", project.province, evidence)
            if oid == project.operator_id:
                cap = "mining" if project.status in MINING_STATUSES else "exploration"
                p.add("capabilities", cap, f"operator of project {project.id} ({project.status})")
    agreements = {a.id: a for a in uow.agreements.all()}
    for a in agreements.values():
        # Witnesses sign nothing: they add no track record, minerals or partners.
        ids = list(dict.fromkeys(p.organisation_id for p in a.parties if p.organisation_id and p.role != "witness"))
        for party in a.parties:
            if party.organisation_id in profiles and party.role in ROLE_CAPABILITY:
                profiles[party.organisation_id].add("capabilities", ROLE_CAPABILITY[party.role],
                                                    f"{party.role} in agreement {a.id}")
        for oid in ids:
            if oid not in profiles:
                continue
            p = profiles[oid]
            if a.id not in p.agreements:
                p.agreements.append(a.id)
            for m in a.minerals:
                if m != MINERAL_CLASS:
                    p.add("minerals", m, f"agreement {a.id}")
            for other in ids:
                if other != oid and a.id not in p.partners.setdefault(other, []):
                    p.partners[other].append(a.id)
    return Directory(profiles, agreements, {m.id: m.name for m in minerals},
                     {m.id: m.group_id for m in minerals}, organisation_index(orgs))


def _resolve_region(directory: Directory, region: str) -> str:
    known = sorted({r for p in directory.profiles.values() for r in p.regions})
    for r in known:
        if normalise(r) == normalise(region):
            return r
    return NameIndex.build("region", [(r, r, ()) for r in known]).resolve(region)


def list_partners(uow: AbstractUnitOfWork, *, capability: str | None = None, mineral: str | None = None,
                  region: str | None = None, ownership: str | None = None) -> list[Profile]:
    """The directory: organisations whose profile matches every filter given, by name."""
    if capability and capability not in CAPABILITIES:
        raise InvalidInput(f"capability: {capability!r} is not one of {', '.join(CAPABILITIES)}",
                           details={"field": "capability"})
    if ownership and ownership not in (*OWNERSHIPS, "unknown"):
        raise InvalidInput(f"ownership: {ownership!r} is not one of {', '.join(OWNERSHIPS)}, unknown",
                           details={"field": "ownership"})
    with uow:
        d = _build(uow)
        mineral_id = mineral_index(uow).resolve(mineral) if mineral else None
    where = _resolve_region(d, region) if region else None
    out = []
    for p in d.profiles.values():
        if capability and capability not in p.capabilities:
            continue
        if mineral_id and not any(covers(m, mineral_id, d.mineral_groups) for m in p.minerals):
            continue
        if where and where not in p.regions:
            continue
        if ownership and (p.ownership or "unknown") != ownership:
            continue
        out.append(p)
    return sorted(out, key=lambda p: p.organisation.name.lower())


@dataclass
class PartnerDetail:
    profile: Profile
    agreements: list[Agreement]
    titles: list[str]
    partner_names: dict[str, str]
    mineral_names: dict[str, str]


def partner_profile(uow: AbstractUnitOfWork, name: str) -> PartnerDetail:
    """One organisation by id, name, short name or alias (NotFound with suggestions otherwise):
    its profile, agreements, cadastre titles and partners in the registry."""
    with uow:
        d = _build(uow)
        oid = d.index.resolve(name)
        titles = uow.agreements.titles_held_by(oid)
    p = d.profiles[oid]
    return PartnerDetail(p, [d.agreements[a] for a in p.agreements], titles,
                         {k: d.profiles[k].organisation.name for k in p.partners if k in d.profiles},
                         d.mineral_names)


@dataclass
class Match:
    subject: Profile
    mineral: str | None
    region: str | None
    candidates: list[Candidate]
    mineral_names: dict[str, str]


def match_partners(uow: AbstractUnitOfWork, for_name: str, *, mineral: str | None = None, region: str | None = None,
                   limit: int = 10) -> Match:
    """Counterparts for the organisation `for_name`, best first, each with the reasons for its score
    (see partners/model.py for the points). Ties are broken by name."""
    if not 1 <= limit <= 100:
        raise InvalidInput("limit must be between 1 and 100", details={"field": "limit"})
    with uow:
        d = _build(uow)
        oid = d.index.resolve(for_name)
        mineral_id = mineral_index(uow).resolve(mineral) if mineral else None
    where = _resolve_region(d, region) if region else None
    me = d.profiles[oid]
    family = {oid, me.organisation.parent_id} | {k for k, p in d.profiles.items() if p.organisation.parent_id == oid}
    ranked = []
    for other in d.profiles.values():
        if other.id in family:
            continue
        c = score(me, other, mineral=mineral_id, region=where, groups=d.mineral_groups, names=d.mineral_names)
        if any(r.factor in FIT for r in c.reasons):
            ranked.append(c)
    ranked.sort(key=lambda c: (-c.score, c.profile.organisation.name.lower()))
    return Match(me, mineral_id, where, ranked[:limit], d.mineral_names)


def find_organisation(uow: AbstractUnitOfWork, name: str) -> str:
    """An organisation id from an id, name, short name or alias; NotFound with suggestions."""
    with uow:
        index = organisation_index(uow.organisations.all())
    return index.resolve(name)
