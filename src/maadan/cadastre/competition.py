"""Resolving competition groups as the rules say: an officer's decision with written reasons, a
public ballot anyone can re-run, or sealed bids opened after their deadline. The winner goes on;
losers are refused, or, where the rules allow, offered the part of their area the winner (and the
members ranked above them) left free, which the applicant accepts or declines. Every decision is
an audited event; every member gets a notice."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.audit import Document
from maadan.cadastre.ballot import Seed, ballot_seed, draw, seed_time, signs_checkpoints, ticket
from maadan.cadastre.caches import rules_for
from maadan.cadastre.geometry import area_km2
from maadan.cadastre.model import Application, group_ref
from maadan.cadastre.notices import notify
from maadan.cadastre.queue import refresh
from maadan.cadastre.queue_model import DECIDED, MERGED, OPEN, CompetitionGroup, SealedBid
from maadan.cadastre.register import record
from maadan.cadastre.rules import CompetitionRule, RuleSet
from maadan.cadastre.spatial_index import MIN_OVERLAP_KM2
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

_REF = re.compile(r"^(?:(?P<jur>[A-Z]{2}(?:-[A-Z0-9]{1,3})?)/)?G(?P<num>\d{1,9})$")


def parse_group_ref(text: str, jurisdiction: str | None = None) -> tuple[str, int]:
    """'PK-BA/G3' or 'G3' (with a jurisdiction) → ('PK-BA', 3); InvalidInput says the form."""
    m = _REF.match((text or "").strip().upper())
    if not m or not (m.group("jur") or jurisdiction):
        raise InvalidInput(f"competition group {text!r}: write it as PK-BA/G3 (or G3 with --jurisdiction)")
    return m.group("jur") or str(jurisdiction), int(m.group("num"))


# --- the read side -----------------------------------------------------------------------------

@dataclass
class GroupView:
    """A group as officers and the public see it (sealed bid amounts only once opened)."""

    group: CompetitionGroup
    members: list[Application]
    rule: CompetitionRule
    rules_version: str
    rules_name: str
    decidable_from: datetime  # the day after the group's day, 00:00 local (UTC)
    seed_time: datetime
    seed: Seed | None
    bid_deadline: datetime | None
    bid_commitments: list[dict[str, Any]] = field(default_factory=list)  # application, commitment, at
    draw_check: bool | None = None  # a recorded draw re-run from its seed: does it match?

    @property
    def ref(self) -> str:
        return self.group.ref


def _rules(g: CompetitionGroup) -> RuleSet:
    return rules_for(g.jurisdiction, g.local_date)


def _local_midnight(g: CompetitionGroup, days_after: int) -> datetime:
    local = datetime.combine(g.local_date + timedelta(days=days_after), time(0), tzinfo=ZoneInfo(g.timezone))
    return local.astimezone(timezone.utc)


def _members(uow: AbstractUnitOfWork, g: CompetitionGroup) -> list[Application]:
    found = {a.number: a for a in uow.cadastre.applications(g.jurisdiction, numbers=g.members)}
    return [found[n] for n in g.members if n in found]


def _rule(g: CompetitionGroup, members: list[Application]) -> CompetitionRule:
    types = {a.title_type for a in members} or {""}
    return _rules(g).competition_rule(types)


def _view(uow: AbstractUnitOfWork, g: CompetitionGroup, now: datetime) -> GroupView:
    members = _members(uow, g)
    rule = g.outcome and g.outcome.get("rule")
    rs = _rules(g)
    crule = CompetitionRule(**rule) if rule else _rule(g, members)
    deadline = _local_midnight(g, 1 + crule.bid_days) if crule.method == "sealed-bids" and crule.bid_days else None
    view = GroupView(group=g, members=members, rule=crule, rules_version=rs.version, rules_name=rs.name,
                     decidable_from=_local_midnight(g, 1), seed_time=seed_time(g),
                     seed=ballot_seed(uow, g, now), bid_deadline=deadline)
    if crule.method == "sealed-bids":
        view.bid_commitments = [{"application": b.application_number, "commitment": b.commitment,
                                 "submitted_at": b.submitted_at.isoformat()} for b in uow.priority.bids(g.jurisdiction, g.number)]
    drawn = (g.outcome or {}).get("draw")
    if drawn:
        view.draw_check = draw(drawn["seed"], g.ref, drawn["members"]) == drawn["order"]
    return view


def list_groups(uow: AbstractUnitOfWork, jurisdiction: str | None = None, states: Iterable[str] | None = None,
                now: datetime | None = None) -> list[GroupView]:
    """Competition groups (open first by default is the caller's choice), oldest first."""
    now = now or datetime.now(timezone.utc)
    with uow:
        return [_view(uow, g, now) for g in uow.priority.groups(jurisdiction, states=states)]


def show_group(uow: AbstractUnitOfWork, jurisdiction: str, number: int, now: datetime | None = None) -> GroupView:
    now = now or datetime.now(timezone.utc)
    with uow:
        return _view(uow, _get(uow, jurisdiction, number), now)


def _get(uow: AbstractUnitOfWork, jurisdiction: str, number: int) -> CompetitionGroup:
    g = uow.priority.group(jurisdiction, number)
    if g is None:
        raise NotFound("competition group", group_ref(jurisdiction, number))
    return g


def _open(g: CompetitionGroup) -> None:
    if g.state == OPEN:
        return
    if g.state == DECIDED:
        raise Conflict(f"competition group {g.ref} was already decided on {g.closed_at:%Y-%m-%d} "
                       f"({g.method}); a decision cannot be taken twice", details={"state": g.state})
    if g.state == MERGED:
        raise Conflict(f"competition group {g.ref} was merged into {group_ref(g.jurisdiction, g.merged_into or 0)}; "
                       "decide that group", details={"state": g.state})
    raise Conflict(f"competition group {g.ref} was dissolved (its applications no longer overlap one another); "
                   "there is nothing to decide", details={"state": g.state})


# --- sealed bids -------------------------------------------------------------------------------

def commitment(group: str, application: int, amount: float, currency: str, salt: str) -> str:
    """SHA-256 of "<group ref>|<application number>|<amount, 2 decimals>|<currency>|<salt>", hex: the
    register holds it from the moment of bidding; the opened bid must match it."""
    return hashlib.sha256(f"{group}|{application}|{amount:.2f}|{currency}|{salt}".encode()).hexdigest()


def submit_bid(uow: AbstractUnitOfWork, jurisdiction: str, number: int, application: int, amount: float, actor: str, *,
               currency: str | None = None, now: datetime | None = None) -> SealedBid:
    """Record a sealed bid for a member application. Its amount stays hidden until the group is
    decided; the register gets its SHA-256 commitment now. One bid per application; none after the
    deadline."""
    now = now or datetime.now(timezone.utc)
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not math.isfinite(amount) or amount <= 0:
        raise InvalidInput(f"amount must be a positive number, got {amount!r}")
    if amount > 1e13:
        raise InvalidInput(f"amount {amount:,.2f} is implausibly large")
    with uow:
        uow.cadastre.lock(jurisdiction)
        g = _get(uow, jurisdiction, number)
        _open(g)
        members = _members(uow, g)
        rule = _rule(g, members)
        if rule.method != "sealed-bids":
            raise Conflict(f"competition group {g.ref} is decided by {rule.method} ({rule.legal_basis}); it takes no bids")
        app = next((a for a in members if a.number == application), None)
        if app is None:
            raise InvalidInput(f"application {jurisdiction}/A{application} is not a member of {g.ref}; members: "
                               + ", ".join(a.ref for a in members))
        deadline = _local_midnight(g, 1 + (rule.bid_days or 0))
        if now >= deadline:
            raise Conflict(f"bids for {g.ref} closed at {deadline.isoformat()} (the end of day {rule.bid_days} after "
                           f"{g.local_date}); this bid is too late", details={"deadline": deadline.isoformat()})
        cur = (currency or app.fee_currency or "PKR").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", cur):
            raise InvalidInput(f"currency must be an ISO 4217 code such as PKR, got {currency!r}")
        if any(b.application_number == application for b in uow.priority.bids(jurisdiction, number)):
            raise Conflict(f"{app.ref} has already bid in {g.ref}; a sealed bid cannot be changed or repeated")
        salt = secrets.token_hex(16)
        bid = SealedBid(id=None, jurisdiction=jurisdiction, group_number=number, application_number=application,
                        amount=round(float(amount), 2), currency=cur, salt=salt,
                        commitment=commitment(g.ref, application, round(float(amount), 2), cur, salt),
                        submitted_at=now, actor=actor)
        uow.priority.add_bid(bid)
        record(uow, actor, "competition.bid", g.ref, {"application": application, "commitment": bid.commitment,
                                                      "deadline": deadline.isoformat()}, at=now)
        uow.commit()
    return bid


# --- deciding ----------------------------------------------------------------------------------

def _order_officer(g: CompetitionGroup, members: list[Application], winner: int | None,
                   order: list[int] | None, reason: str | None) -> list[int]:
    numbers = [a.number for a in members]
    if not reason:
        raise InvalidInput(f"{g.ref} is decided by an officer with written reasons: give the reasons (--reason)")
    if order:
        if winner is not None and order[0] != winner:
            raise InvalidInput(f"--order must start with the winner A{winner}")
        if sorted(order) != sorted(numbers):
            raise InvalidInput(f"--order must rank every member of {g.ref} once: "
                               + ", ".join(f"A{n}" for n in numbers))
        return list(order)
    if winner is None:
        raise InvalidInput(f"name the winning application of {g.ref} (--winner), one of "
                           + ", ".join(f"A{n}" for n in numbers))
    if winner not in numbers:
        raise InvalidInput(f"application {g.jurisdiction}/A{winner} is not a member of {g.ref}; members: "
                           + ", ".join(f"A{n}" for n in numbers))
    return [winner] + [n for n in numbers if n != winner]


def _clean(geometry: Any) -> Any:
    """The polygonal part of a difference (GEOS may return lines or points along shared edges)."""
    if geometry.is_empty:
        return geometry
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    polys = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def decide_group(uow: AbstractUnitOfWork, jurisdiction: str, number: int, actor: str, *, winner: int | None = None,
                 order: list[int] | None = None, reason: str | None = None, documents: Iterable[Document] = (),
                 now: datetime | None = None) -> GroupView:
    """Resolve an open group by the method its rules give; refuse losers or offer them their remainder."""
    now = now or datetime.now(timezone.utc)
    reason = (reason or "").strip() or None
    documents = tuple(documents)
    with uow:
        uow.cadastre.lock(jurisdiction)
        g = _get(uow, jurisdiction, number)
        _open(g)
        decidable = _local_midnight(g, 1)
        if now < decidable:
            raise Conflict(f"{g.ref} is still open to filings received on {g.local_date} ({g.timezone}), which would "
                           f"be simultaneous with its members (rule 10); decide it from {decidable.isoformat()}",
                           details={"decidable_from": decidable.isoformat()})
        members = _members(uow, g)
        if len(members) < 2 or any(a.state not in lc.PENDING for a in members):
            raise Conflict(f"{g.ref} no longer has two pending members; nothing to decide")
        rule = _rule(g, members)
        outcome: dict[str, Any] = {"rule": {"method": rule.method, "losers": rule.losers,
                                            "legal_basis": rule.legal_basis, "verified": rule.verified,
                                            "bid_days": rule.bid_days, "note": rule.note},
                                   "rules_version": _rules(g).version, "members": [a.number for a in members]}
        excluded: dict[int, str] = {}  # member -> why it cannot win at all
        if rule.method != "officer-decision" and (winner is not None or order):
            raise InvalidInput(f"{g.ref} is decided by {rule.method} ({rule.legal_basis}); a winner or an order "
                               "cannot be chosen")
        if rule.method == "officer-decision":
            ranking = _order_officer(g, members, winner, order, reason)
        else:
            seed = ballot_seed(uow, g, now)
            if seed is None:
                raise Conflict(f"the ballot seed of {g.ref} does not exist yet: it is fixed at {seed_time(g).isoformat()} "
                               f"(the end of the day after {g.local_date}) as "
                               + ("the root of the first register checkpoint signed after then; draw once it is signed"
                                  if signs_checkpoints(uow) else "the register head then; draw after that"),
                               details={"seed_time": seed_time(g).isoformat()})
            drawn = draw(seed.value, g.ref, [a.number for a in members])
            outcome["draw"] = {"seed": seed.value, "seed_source": seed.source, "seed_ref": seed.ref,
                               "seed_fixed_at": seed.fixed_at.isoformat(), "members": [a.number for a in members],
                               "order": drawn, "tickets": {str(n): ticket(seed.value, g.ref, n) for n in drawn},
                               "formula": "order by SHA-256(seed|group|application number), lowest first"}
            ranking = drawn
            if rule.method == "sealed-bids":
                deadline = _local_midnight(g, 1 + (rule.bid_days or 0))
                if now < deadline:
                    raise Conflict(f"bids for {g.ref} stay sealed until {deadline.isoformat()}; decide after that",
                                   details={"deadline": deadline.isoformat()})
                bids = {b.application_number: b for b in uow.priority.bids(jurisdiction, number)}
                outcome["bids"] = [{"application": b.application_number, "amount": b.amount, "currency": b.currency,
                                    "salt": b.salt, "commitment": b.commitment,
                                    "submitted_at": b.submitted_at.isoformat()} for b in bids.values()]
                outcome["bid_deadline"] = deadline.isoformat()
                position = {n: i for i, n in enumerate(drawn)}
                ranking = sorted(bids, key=lambda n: (-bids[n].amount, position[n]))  # ties: the draw
                excluded = {a.number: "no bid by the deadline" for a in members if a.number not in bids}
                ranking += [n for n in drawn if n in excluded]
        results = _resolve(uow, g, members, ranking, excluded, rule, actor, now)
        outcome["ranking"] = ranking
        outcome["results"] = results
        outcome["winner"] = next((r["application"] for r in results if r["result"] == "won"), None)
        if reason:
            outcome["reason"] = reason
        g.state, g.method, g.outcome, g.decided_by, g.closed_at = DECIDED, rule.method, outcome, actor, now
        uow.priority.update_group(g)
        ev = record(uow, actor, "competition.decided", g.ref, outcome, reason, documents, at=now)
        _notify_results(uow, g, members, results, rule, ev.seq, now)
        changed = [r["application"] for r in results if r["result"] == "remainder-offered"]
        refresh(uow, jurisdiction, now=now, actor=actor, cause=f"competition {g.ref} decided", recheck=changed)
        uow.cadastre.bump_spatial(jurisdiction)
        uow.commit()
        return _view(uow, g, now)


def _resolve(uow: AbstractUnitOfWork, g: CompetitionGroup, members: list[Application], ranking: list[int],
             excluded: dict[int, str], rule: CompetitionRule, actor: str, now: datetime) -> list[dict[str, Any]]:
    by_number = {a.number: a for a in members}
    results: list[dict[str, Any]] = []
    taken = None
    method = rule.method.replace("-", " ")
    for rank, n in enumerate(ranking, 1):
        a = by_number[n]
        line: dict[str, Any] = {"application": n, "rank": rank, "area_before_km2": a.area_km2}
        if taken is None and n not in excluded:
            line["result"] = "won"
            taken = a.geometry
            results.append(line)
            continue
        why = excluded.get(n) or f"ranked {rank} of {len(ranking)}"
        rest = _clean(shapely.difference(a.geometry, taken)) if taken is not None and n not in excluded else None
        tt = rules_for(a.jurisdiction, a.received_at).title_type(a.title_type)
        minimum = max(MIN_OVERLAP_KM2, float(tt.min_area_km2.value) if tt.min_area_km2 else 0.0)
        rest_km2 = float(area_km2(rest)) if rest is not None and not rest.is_empty else 0.0
        if rule.losers == "remainder" and rest is not None and rest_km2 > minimum:
            uow.cadastre.set_application_area(a.id, rest, round(rest_km2, 6))
            line |= {"result": "remainder-offered", "area_after_km2": round(rest_km2, 6),
                     "geometry_sha256": hashlib.sha256(shapely.to_wkb(rest)).hexdigest()}
            taken = shapely.union(taken, rest)
            record(uow, actor, "application.remainder-offered", a.ref, {
                "group": g.ref, "area_before_km2": a.area_km2, "area_after_km2": round(rest_km2, 6),
                "geometry_sha256": line["geometry_sha256"]}, at=now)
        else:
            note = ("" if rule.losers == "refused" or n in excluded else
                    "; no usable area is left outside the winner's")
            text = f"lost competition {g.ref} ({method}: {why}){note}"
            uow.cadastre.set_application_state(a.id, lc.REFUSED)
            record(uow, actor, "application.refuse", a.ref, {"from": a.state, "to": lc.REFUSED, "group": g.ref}, text, at=now)
            line |= {"result": "refused", "why": text}
        results.append(line)
    return results


def _notify_results(uow: AbstractUnitOfWork, g: CompetitionGroup, members: list[Application], results: list[dict[str, Any]],
                    rule: CompetitionRule, seq: int, now: datetime) -> None:
    by_number = {a.number: a for a in members}
    for line in results:
        a = by_number[line["application"]]
        if line["result"] == "won":
            msg, action = f"Application {a.ref} won competition {g.ref} ({rule.method}); it goes on to review and offer.", False
        elif line["result"] == "remainder-offered":
            msg = (f"Application {a.ref} lost competition {g.ref} ({rule.method}). The part of its area left free, "
                   f"{line['area_after_km2']:,.3f} km² of {line['area_before_km2']:,.3f} km², is offered: accept or "
                   f"decline it (maadan cadastre competition remainder {g.ref} {a.number} accept|decline).")
            action = True
        else:
            msg, action = f"Application {a.ref} was refused: {line['why']}.", False
        notify(uow, g.jurisdiction, f"competition-{line['result']}", msg, now=now, application_number=a.number,
               group_number=g.number, recipient_org=a.applicant_org, action_needed=action, event_seq=seq)


def answer_remainder(uow: AbstractUnitOfWork, jurisdiction: str, number: int, application: int, accept: bool, actor: str,
                     *, now: datetime | None = None) -> Application:
    """The applicant accepts the reduced area offered after losing a competition (it goes on), or
    declines it (the application is withdrawn and its ground freed)."""
    now = now or datetime.now(timezone.utc)
    with uow:
        uow.cadastre.lock(jurisdiction)
        g = _get(uow, jurisdiction, number)
        line = g.result_of(application)
        if g.state != DECIDED or line is None or line.get("result") != "remainder-offered":
            raise Conflict(f"no remainder offer awaits an answer for {jurisdiction}/A{application} in {g.ref}")
        app = uow.cadastre.application(jurisdiction, application)
        if app is None or app.state not in lc.PENDING:
            raise Conflict(f"{jurisdiction}/A{application} is no longer pending")
        outcome = dict(g.outcome or {})
        outcome["results"] = [dict(r, result="remainder-accepted" if accept else "remainder-declined",
                                   answered_at=now.isoformat(), answered_by=actor)
                              if r["application"] == application else r for r in outcome["results"]]
        g.outcome = outcome
        uow.priority.update_group(g)
        if accept:
            record(uow, actor, "application.remainder-accepted", app.ref,
                   {"group": g.ref, "area_km2": app.area_km2}, at=now)
            cause = f"{app.ref} accepted the remainder offered after {g.ref}"
        else:
            uow.cadastre.set_application_state(app.id, lc.WITHDRAWN)
            record(uow, actor, "application.withdraw", app.ref, {"from": app.state, "to": lc.WITHDRAWN, "group": g.ref},
                   f"declined the remainder offered after competition {g.ref}", at=now)
            app.state = lc.WITHDRAWN
            cause = f"{app.ref} declined the remainder offered after {g.ref} (withdrawn)"
        refresh(uow, jurisdiction, now=now, actor=actor, cause=cause)
        uow.cadastre.bump_spatial(jurisdiction)
        uow.commit()
    return app
