"""Fair priority (rule 10): competition groups and every pending application's place in the queue,
derived from the stored applications, titles and reserved areas under the jurisdiction lock.

- Overlapping pending applications received on the same local date (the jurisdiction's time zone)
  are simultaneous: they form one competition group, transitively. Every member is `competing`.
- An application waits on every earlier claim on its ground: an active title, a reserved area, a
  pending application received on an earlier day, or the whole group that application is in. It is
  `behind` while it waits on anything, `clear` (first on its ground) otherwise.
- A conversion application (security of tenure) never waits on ordinary applications; they wait on it.

`refresh` runs after every change that can move the queue (a filing, a decision, a title action, a
reserved layer, a competition decision). It reconciles the stored groups with the overlap graph,
rewrites the derived columns that changed, and records an event and a notice for every promotion
(an application or a group that becomes first when ground frees), every new competitor and every
group that forms, merges or dissolves. Pairs come from one STRtree bulk query, never a pair loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.caches import rules_for
from maadan.cadastre.model import group_ref
from maadan.cadastre.notices import notify
from maadan.cadastre.queue_model import DISSOLVED, MERGED, OPEN, CompetitionGroup
from maadan.cadastre.register import record
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.unit_of_work import AbstractUnitOfWork

CLEAR, COMPETING, BEHIND = "clear", "competing", "behind"
_KIND_ORDER = {"title": 0, "reserved": 1, "group": 2, "application": 3}


@dataclass
class _Claim:
    """A pending application as the queue sees it."""

    id: int
    number: int
    received_at: datetime
    day: date  # received, on the jurisdiction's calendar
    simultaneous: bool  # rule 10 in the rules it is judged under
    title_type: str
    state: str
    priority: str
    group: int | None
    waits_on: list[tuple[str, str]]
    converts: str | None
    org: str | None
    geometry: Any


@dataclass
class QueueChange:
    """What one refresh changed, for the caller to report."""

    promoted: list[str] = field(default_factory=list)  # application and group refs that became first
    groups_formed: list[str] = field(default_factory=list)
    groups_dissolved: list[str] = field(default_factory=list)
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (kind, subject, data)
    notices: list[tuple[_Claim | None, int | None, str, str, bool]] = field(default_factory=list)


def local_day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _claims(uow: AbstractUnitOfWork, jurisdiction: str, numbers: set[int] | None = None) -> list[_Claim]:
    """The jurisdiction's pending applications (those numbered `numbers`), in order of number."""
    rows = uow.priority.pending_rows(jurisdiction, lc.PENDING, numbers)
    geoms = shapely.from_wkb([r.geometry for r in rows]) if rows else []
    out = []
    for r, g in zip(rows, geoms):
        received = r.received_at if r.received_at.tzinfo else r.received_at.replace(tzinfo=ZoneInfo("UTC"))
        rules = rules_for(jurisdiction, received)
        out.append(_Claim(
            id=r.id, number=r.number, received_at=received, day=local_day(received, rules.timezone),
            simultaneous=bool(rules.same_date_simultaneous.value), title_type=r.title_type, state=r.state,
            priority=r.priority, group=r.competition_group, waits_on=[(k, v) for k, v in (r.waits_on or [])],
            converts=r.converts_title, org=r.applicant_org, geometry=g))
    return out


def _pairs(claims: list[_Claim]) -> list[tuple[int, int]]:
    """(i, k), i < k: positions of pending applications whose interiors overlap (one bulk query)."""
    if len(claims) < 2:
        return []
    index = SpatialIndex([(str(i), c.geometry) for i, c in enumerate(claims)])
    found = index.bulk_conflicts([c.geometry for c in claims])
    return [(q, int(key)) for q, key, _ in found if q < int(key)]


def _component(uow: AbstractUnitOfWork, jurisdiction: str, seeds: set[int]) -> set[int]:
    """The numbers of the pending applications joined to the applications numbered `seeds` by a
    chain of overlaps (their connected component in the overlap graph). Each step of the chain
    reads the pending applications whose envelope meets the last step's common envelope (the
    envelope index) and keeps those whose interiors overlap one of them (one bulk query): a filing
    reads its neighbourhood, not every pending application, and the queue columns only for the
    component."""
    rows = uow.priority.pending_shapes(jurisdiction, lc.PENDING, numbers=seeds)
    shapes: dict[int, Any] = dict(zip((n for n, _ in rows), shapely.from_wkb([g for _, g in rows]))) if rows else {}
    frontier = sorted(shapes)
    inside = set(frontier)
    while frontier:
        box = tuple(shapely.total_bounds([shapes[n] for n in frontier]).tolist())
        near = uow.priority.pending_shapes(jurisdiction, lc.PENDING, box=box)
        fresh = [(n, g) for n, g in near if n not in inside]
        if not fresh:
            break
        geoms = dict(zip((n for n, _ in fresh), shapely.from_wkb([g for _, g in fresh])))
        index = SpatialIndex([(str(n), g) for n, g in geoms.items()])
        frontier = sorted({int(key) for _, key, _ in index.bulk_conflicts([shapes[n] for n in frontier])})
        shapes.update((n, geoms[n]) for n in frontier)
        inside.update(frontier)
    return inside


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, k in edges:
        a, b = root(i), root(k)
        if a != b:
            parent[max(a, b)] = min(a, b)
    comps: dict[int, list[int]] = {}
    for i in range(n):
        comps.setdefault(root(i), []).append(i)
    return [sorted(c) for c in comps.values() if len(c) > 1]


def _reconcile_groups(uow: AbstractUnitOfWork, jurisdiction: str, claims: list[_Claim], pairs: list[tuple[int, int]],
                      now: datetime, cause: str, change: QueueChange, *, partial: bool = False) -> dict[int, CompetitionGroup]:
    """Match the stored open groups to the same-day overlap components; returns the open groups
    by number after the change, and sets each claim's group. `partial`: the claims are one overlap
    component of the pending applications, so only the open groups they point to are theirs: every
    refresh leaves each pending member of an open group pointing to it, and the other groups belong
    to components left as stored."""
    referenced = {c.group for c in claims if c.group is not None}
    if partial:
        stored = {g.number: g for g in uow.priority.groups(jurisdiction, states=[OPEN], numbers=referenced)} \
            if referenced else {}
    else:
        stored = {g.number: g for g in uow.priority.groups(jurisdiction, states=[OPEN])}
    decided = {g.number for g in uow.priority.groups(jurisdiction, numbers=referenced - set(stored))
               if g.state not in (MERGED, DISSOLVED)} if referenced - set(stored) else set()
    groupable = [c.group is None or c.group in stored or c.group not in decided for c in claims]
    edges = [(i, k) for i, k in pairs
             if groupable[i] and groupable[k] and claims[i].simultaneous and claims[k].simultaneous
             and claims[i].day == claims[k].day and (claims[i].converts is None) == (claims[k].converts is None)]
    comps = sorted(_components(len(claims), edges), key=lambda comp: claims[comp[0]].number)
    claimed: dict[int, CompetitionGroup] = {}
    next_number: int | None = None  # read when the first new group is formed (most filings form none)
    in_group: dict[int, int] = {}
    holding: dict[Any, set[int]] = {}  # member -> the stored groups listing it (a group claimed below leaves the race)
    for n, g in stored.items():
        for m in g.members:
            holding.setdefault(m, set()).add(n)
    for comp in comps:
        members = sorted(claims[i].number for i in comp)
        pointed = {claims[i].group for i in comp if claims[i].group in stored}
        shared = set().union(*(holding.get(m, ()) for m in members))  # e.g. re-imported applications
        existing = sorted((pointed | shared) - set(claimed))
        if existing:
            g = stored[existing[0]]
            for other in existing[1:]:
                o = stored[other]
                o.state, o.merged_into, o.closed_at = MERGED, g.number, now
                uow.priority.update_group(o)
                change.events.append(("competition.merged", o.ref, {"into": g.ref, "members": o.members, "cause": cause}))
            before = list(g.members)
            if before != members:
                g.members, g.changed_at = members, now
                uow.priority.update_group(g)
                change.events.append(("competition.changed", g.ref, {
                    "members": members, "joined": sorted(set(members) - set(before)),
                    "left": sorted(set(before) - set(members)), "cause": cause}))
        else:
            day = claims[comp[0]].day
            if next_number is None:
                next_number = uow.priority.next_group_number(jurisdiction)
            g = CompetitionGroup(id=None, jurisdiction=jurisdiction, number=next_number, local_date=day,
                                 timezone=rules_for(jurisdiction, claims[comp[0]].received_at).timezone,
                                 state=OPEN, members=members, formed_at=now, changed_at=now)
            next_number += 1
            uow.priority.add_group(g)
            change.groups_formed.append(g.ref)
            change.events.append(("competition.formed", g.ref, {
                "members": members, "local_date": day.isoformat(), "timezone": g.timezone, "cause": cause}))
        claimed[g.number] = g
        for i in comp:
            in_group[i] = g.number
    for number, g in stored.items():
        if number in claimed or g.state != OPEN:
            continue
        g.state, g.closed_at = DISSOLVED, now
        uow.priority.update_group(g)
        change.groups_dissolved.append(g.ref)
        left = sorted(c.number for c in claims if c.group == number)
        change.events.append(("competition.dissolved", g.ref, {
            "members_before": g.members, "still_pending": left, "cause": cause,
            "why": "its pending members no longer overlap one another"}))
    for i, c in enumerate(claims):
        if i in in_group:
            c.group = in_group[i]
        elif c.group in stored:  # it left an open group (or the group dissolved)
            c.group = None
    return claimed


def _ground_blockers(uow: AbstractUnitOfWork, jurisdiction: str, claims: list[_Claim], which: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Active titles and reserved areas overlapping the claims at positions `which` (read in this
    transaction, so a title granted a moment ago counts)."""
    if not which:
        return {}
    rows = uow.priority.ground_rows(jurisdiction, [tuple(claims[i].geometry.bounds) for i in which])
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in which}
    if not rows:
        return out
    index = SpatialIndex([(f"{kind}\x00{ref}", g) for (kind, ref, _), g in zip(rows, shapely.from_wkb([r[2] for r in rows]))])
    for q, key, _ in index.bulk_conflicts([claims[i].geometry for i in which]):
        kind, ref = key.split("\x00", 1)
        claim = claims[which[q]]
        if kind == "title" and ref == claim.converts:
            continue  # a conversion inside its parent is not a conflict with the parent
        out[which[q]].append((kind, ref))
    return out


def _waits(a: _Claim, b: _Claim, open_groups: dict[int, CompetitionGroup]) -> bool:
    """Does `a` wait on `b` (both pending, overlapping)?"""
    if a.group is not None and a.group == b.group and a.group in open_groups:
        return False
    if (a.converts is None) != (b.converts is None):
        return b.converts is not None  # security of tenure: the parent's holder goes first on its ground
    if a.simultaneous and b.simultaneous and a.day != b.day:
        return b.day < a.day
    return b.number < a.number  # in order of receipt (same day only outside a group: rules or decided groups)


def _sorted(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    def key(w: tuple[str, str]) -> tuple:
        kind, ref = w
        tail = ref.rsplit("/", 1)[-1]
        num = int(tail[1:]) if kind in ("group", "application") and tail[1:].isdigit() else 0
        return (_KIND_ORDER.get(kind, 9), num, ref)
    return sorted(set(items), key=key)


def refresh(uow: AbstractUnitOfWork, jurisdiction: str, *, now: datetime, actor: str, cause: str,
            ground: Iterable[Any] = (), recheck: Iterable[int] = (), all_ground: bool = False,
            quiet: Iterable[int] = (), announce: bool = True, around: Iterable[int] = ()) -> QueueChange:
    """Bring the competition groups and every pending application's queue state up to date.

    `ground`: geometries of titles or reserved areas that appeared, changed or went (their
    neighbours' title and reserved blockers are re-read); `recheck`: application numbers whose own
    blockers must be re-read (a new filing, a changed area); `all_ground`: re-read them for every
    pending application. `quiet`: applications that get no notice (the filer has the receipt).
    With `announce=False` the events and notices are left in the result for `announce_changes`.
    `around`: the only change is that these applications were filed (with no ground or other
    application changed), so only their overlap components can move: every other pending
    application's groups and waits are as stored, and only the components are recomputed (a filing
    costs its component, not every pair of the jurisdiction's pending applications)."""
    change = QueueChange()
    ground = [g for g in ground if g is not None and not g.is_empty]
    around = set(around)
    partial = bool(around) and not all_ground and not ground
    claims = _claims(uow, jurisdiction, _component(uow, jurisdiction, around) if partial else None)
    if not claims and (partial or not uow.priority.groups(jurisdiction, states=[OPEN])):
        return change
    pairs = _pairs(claims)
    old = {c.number: (c.priority, c.group, list(c.waits_on)) for c in claims}
    open_groups = _reconcile_groups(uow, jurisdiction, claims, pairs, now, cause, change, partial=partial)

    recheck = set(recheck)
    which = [i for i, c in enumerate(claims) if all_ground or c.number in recheck]
    if ground and claims and not all_ground:
        index = SpatialIndex([(str(i), c.geometry) for i, c in enumerate(claims)])
        near = {int(key) for _, key, _ in index.bulk_conflicts(ground)}
        which = sorted(set(which) | near)
    reread = _ground_blockers(uow, jurisdiction, claims, which)

    waits: dict[int, list[tuple[str, str]]] = {}
    for i, c in enumerate(claims):
        waits[i] = reread[i] if i in reread else [w for w in c.waits_on if w[0] in ("title", "reserved")]
    for i, k in pairs:
        for a, b in ((i, k), (k, i)):
            if _waits(claims[a], claims[b], open_groups):
                other = claims[b]
                waits[a].append(("group", group_ref(jurisdiction, other.group)) if other.group in open_groups
                                else ("application", f"{jurisdiction}/A{other.number}"))

    quiet = set(quiet)
    for i, c in enumerate(claims):
        c.waits_on = _sorted(waits[i])
        c.priority = COMPETING if c.group in open_groups else (BEHIND if c.waits_on else CLEAR)
        before = old[c.number]
        if before != (c.priority, c.group, c.waits_on):
            uow.cadastre.set_queue_state(c.id, c.priority, c.group, c.waits_on)
        _announce_claim(jurisdiction, c, before, cause, c.number in quiet, open_groups, change)

    for g in open_groups.values():
        members = [c for c in claims if c.group == g.number]
        was_behind = any(old[c.number][2] for c in members if old[c.number][1] == g.number)
        was_group = all(old[c.number][1] == g.number for c in members)
        if was_group and was_behind and not any(c.waits_on for c in members):
            change.promoted.append(g.ref)
            change.events.append(("competition.promoted", g.ref, {"members": g.members, "cause": cause}))
            for c in members:
                change.notices.append((c, g.number, "group-promoted",
                                       f"Competition group {g.ref} ({_refs(jurisdiction, g.members)}) is now first on "
                                       f"its ground: {cause}. The group is decided next.", False))
    if announce:
        announce_changes(uow, jurisdiction, change, actor, now)
    return change


def _refs(jurisdiction: str, numbers: Iterable[int]) -> str:
    return ", ".join(f"{jurisdiction}/A{n}" for n in numbers)


def describe_waits(waits_on: Iterable[tuple[str, str]]) -> str:
    return "; ".join(f"{kind} {ref}" for kind, ref in waits_on)


def _announce_claim(jurisdiction: str, c: _Claim, before: tuple, cause: str, quiet: bool,
                    open_groups: dict[int, CompetitionGroup], change: QueueChange) -> None:
    was, was_group, _ = before
    ref = f"{jurisdiction}/A{c.number}"
    if was == BEHIND and c.priority == CLEAR:
        change.promoted.append(ref)
        change.events.append(("application.promoted", ref, {"from": BEHIND, "to": CLEAR, "cause": cause}))
        change.notices.append((c, None, "promoted", f"Application {ref} is now first on its ground: {cause}. "
                               "It can be offered once its review is done.", False))
    elif c.priority == COMPETING and (was != COMPETING or was_group != c.group) and not quiet:
        g = open_groups[c.group]  # type: ignore[index]
        others = [n for n in g.members if n != c.number]
        change.notices.append((c, g.number, "competing",
                               f"Application {ref} competes in group {g.ref} with {_refs(jurisdiction, others)}: "
                               f"they were received the same day ({g.local_date}, {g.timezone}) and overlap, so "
                               "they count as simultaneous (rule 10). Neither can be offered until the group is decided.",
                               False))
    elif was == COMPETING and c.priority != COMPETING:
        change.notices.append((c, was_group, "no-longer-competing",
                               f"Application {ref} no longer competes in group {group_ref(jurisdiction, was_group)}"
                               f" ({cause}); it is now {c.priority}"
                               + (f", behind {describe_waits(c.waits_on)}" if c.waits_on else "") + ".", False))


def announce_changes(uow: AbstractUnitOfWork, jurisdiction: str, change: QueueChange, actor: str, now: datetime) -> None:
    """Record the change's events, then its notices, each notice pointing at the event it reports."""
    seqs: dict[str, int] = {}
    for kind, subject, data in change.events:
        seqs[subject] = record(uow, actor, kind, subject, data, at=now).seq
    for claim, group, kind, message, action in change.notices:
        number = claim.number if claim is not None else None
        seq = seqs.get(f"{jurisdiction}/A{number}") if number is not None else None
        if seq is None and group is not None:
            seq = seqs.get(group_ref(jurisdiction, group))
        notify(uow, jurisdiction, kind, message, now=now, application_number=number, group_number=group,
               recipient_org=claim.org if claim is not None else None, action_needed=action, event_seq=seq)
    change.events, change.notices = [], []


def offer_blocker(uow: AbstractUnitOfWork, app: Any, now: datetime) -> str | None:
    """Why `app` may not be offered or granted yet, or None: its receipt day is still open to
    simultaneous filings, it competes in an open group, a remainder offer awaits its answer, or
    an earlier claim holds its ground."""
    rules = rules_for(app.jurisdiction, app.received_at)
    if rules.same_date_simultaneous.value:
        day = local_day(app.received_at, rules.timezone)
        if local_day(now, rules.timezone) <= day:
            return (f"applications received on {day} ({rules.timezone}) count as simultaneous "
                    f"({rules.same_date_simultaneous.legal_basis}); {app.ref} can be offered from the next day, once no "
                    "more filings can compete with it")
    if app.competition_group is not None:
        g = uow.priority.group(app.jurisdiction, app.competition_group)
        if g is not None and g.state == OPEN:
            others = _refs(app.jurisdiction, [n for n in g.members if n != app.number])
            return (f"{app.ref} competes in group {g.ref} with {others} (received the same day: simultaneous under "
                    f"rule 10); decide the group first: maadan cadastre competition decide {g.ref}")
        line = g.result_of(app.number) if g is not None else None
        if line and line.get("result") == "remainder-offered":
            return (f"{app.ref} lost competition {g.ref} and was offered the rest of its area "  # type: ignore[union-attr]
                    f"({line['area_after_km2']:,.3f} km²); the applicant has not accepted it yet")
    if app.waits_on:
        return f"{app.ref} is behind earlier claims on its ground: {describe_waits(app.waits_on)}"
    return None

