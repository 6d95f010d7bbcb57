"""Applications: check an area, file it (gapless number, rule-10 priority), decide it; a grant
issues the title, its obligations and its first rent invoice."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.audit import Document
from maadan.cadastre.boundaries import load_boundary, zones_touched
from maadan.cadastre.caches import applied_rules_for, rules_for, spatial_index
from maadan.cadastre.conversion import check_parent, relinquish_parent, tenure_refusal
from maadan.cadastre.geometry import Area, parse_area
from maadan.cadastre.grid import geometry_from_cells
from maadan.cadastre.model import (
    Application,
    Conflict,
    Holder,
    Invoice,
    Obligation,
    Title,
    add_years,
    validate_holders,
)
from maadan.cadastre.money import invoice_rent
from maadan.cadastre.notices import notify
from maadan.cadastre.queue import announce_changes, local_day, offer_blocker, refresh
from maadan.cadastre.register import record
from maadan.cadastre.rules import (
    AppliedRules,
    CompetitionRule,
    HolderFacts,
    RuleSet,
    TitleType,
    check_eligibility,
    restriction_problems,
    unverified,
    zone_label,
    zones_of,
)
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.errors import Conflict as ConflictError
from maadan.errors import InvalidInput, NotFound
from maadan.minerals.service import mineral_index
from maadan.organisations.model import slug
from maadan.portal import proposals
from maadan.unit_of_work import AbstractUnitOfWork

# --- inputs and reports ------------------------------------------------------------------------

@dataclass(frozen=True)
class AreaInput:
    """An area as GeoJSON (WGS 84 or UTM 41N/42N) or as cadastral grid cells."""

    geojson: str | bytes | dict | None = None
    crs: str | None = None
    cells: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ApplicationInput:
    jurisdiction: str
    title_type: str
    minerals: tuple[str, ...]
    holders: tuple[Holder, ...]
    area: AreaInput
    applicant_org: str | None = None
    # Exceptions the applicant claims, by the code a rule names (e.g. bona-fide-industrial-user for
    # Punjab's rock-salt embargo); the officer verifies them.
    declarations: tuple[str, ...] = ()
    converts: str | None = None  # the holder's title it converts (security of tenure)
    received_at: datetime | None = None  # a paper filing's receipt time, when an officer records it later

    def fingerprint(self) -> str:
        """A digest of everything this input says (every field, the area's bytes included): equal inputs,
        equal digests. An adapter that files an application at most once per key (the CLI's
        --idempotency-key) compares it, so a field added here is in it without a change there."""
        return hashlib.sha256(json.dumps(_canonical(self), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    """`value` as plain JSON values, for a digest: dataclasses by field name, bytes and text of an area by
    their SHA-256 (a file's bytes, not its name), datetimes as ISO 8601 with their offset."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@dataclass
class CheckReport:
    jurisdiction: str
    title_type: str
    rules_version: str
    area_km2: float
    vertex_count: int
    fee_amount: float | None
    fee_currency: str | None
    fee_verified: bool
    unverified: list[str]
    problems: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    geometry: Any = None
    # The rule version applied, why, and whether that is certain (rules.AppliedRules.as_dict()).
    rules: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the officer: exceptions claimed, zones touched

    @property
    def rules_certain(self) -> bool:
        return bool(self.rules.get("certain", True))

    @property
    def blocking(self) -> list[Conflict]:
        """Conflicts with ground that is not free: active titles and reserved areas."""
        return [c for c in self.conflicts if c.kind in ("title", "reserved")]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts


def parse_area_input(area: AreaInput, ruleset: RuleSet) -> Area:
    boundary = load_boundary(ruleset.jurisdiction)
    if area.cells:
        if ruleset.grid_cell_arcsec is None:
            raise InvalidInput(f"{ruleset.name} takes areas as polygons, not grid cells")
        result = geometry_from_cells(list(area.cells), int(ruleset.grid_cell_arcsec.value))
        return parse_area(shapely.geometry.mapping(result.geometry), boundary=boundary,
                          max_vertices=ruleset.max_vertices)
    if area.geojson is None:
        raise InvalidInput("area: give a GeoJSON Polygon or MultiPolygon, or grid cells")
    return parse_area(area.geojson, crs=area.crs, max_vertices=ruleset.max_vertices, boundary=boundary)


def area_problems(tt: TitleType, area_km2: float) -> list[str]:
    problems = []
    if tt.max_area_km2 is not None and area_km2 > float(tt.max_area_km2.value):
        problems.append(f"area {area_km2:,.2f} km² is above the {tt.name} limit of {tt.max_area_km2.value:,} km²"
                        + ("" if tt.max_area_km2.verified else " (limit unverified)"))
    if tt.min_area_km2 is not None and area_km2 < float(tt.min_area_km2.value):
        problems.append(f"area {area_km2:,.2f} km² is below the {tt.name} minimum of {tt.min_area_km2.value:,} km²"
                        + ("" if tt.min_area_km2.verified else " (limit unverified)"))
    return problems


_KIND_ORDER = {"title": 0, "reserved": 1, "application": 2}


def find_conflicts(index: SpatialIndex, geometry: Any, skip: str | None = None) -> list[Conflict]:
    """Titles first, then reserved areas, then applications by number; `skip` (a key) left out.
    Sorted as plain tuples, one Conflict made per item: at a million titles a check meets hundreds."""
    rows = []
    for key, km2 in zip(*index.overlaps(geometry)):
        if key == skip:
            continue
        kind, ref = key.split(":", 1)
        rows.append((_KIND_ORDER[kind], int(ref) if kind == "application" else 0, ref, kind, km2))
    rows.sort()  # (kind, ref) is unique, so no two rows compare further than the ref
    return [Conflict(kind=kind, ref=ref, overlap_km2=round(km2, 4)) for _, _, ref, kind, km2 in rows]


def holder_facts(holders: Iterable[Holder]) -> list[HolderFacts]:
    return [HolderFacts(name=h.name, country=h.country, kind=h.kind, share_pct=h.share_pct,
                        is_body_corporate=h.body_corporate, shareholders=h.shareholders, local_to=h.local_to)
            for h in holders]


def rules_basis(applied: AppliedRules) -> dict[str, Any]:
    """The rule version applied and why, as stored with an application and shown in every output."""
    return applied.as_dict()


def _zones(tt: TitleType, geometry: Any) -> set[str]:
    codes = zones_of(tt)
    return zones_touched(geometry, codes) if codes else set()


def _zone_notes(zones: set[str]) -> list[str]:
    return [f"the area lies partly or wholly in the {zone_label(z)} ({z})" for z in sorted(zones)]


def check(uow: AbstractUnitOfWork, jurisdiction: str, title_type: str, area: AreaInput,
          holders: Iterable[Holder] | None = None, at: datetime | None = None,
          minerals: Iterable[str] = (), declarations: Iterable[str] = (),
          index: SpatialIndex | None = None) -> CheckReport:
    """Everything `apply` would check, without filing: the rules in force (and whether that is
    certain), geometry, boundary, limits, eligibility, mineral restrictions, conflicts. `index`: the
    jurisdiction's spatial index at the stored version, when the caller has it (`caches.index_at`);
    then a check without minerals reads nothing from the store."""
    at = at or datetime.now(timezone.utc)
    applied = applied_rules_for(jurisdiction, at)
    ruleset = applied.ruleset
    tt = ruleset.title_type(title_type)
    parsed = parse_area_input(area, ruleset)
    fee = tt.application_fee
    zones = _zones(tt, parsed.geometry)
    report = CheckReport(
        jurisdiction=jurisdiction, title_type=tt.code, rules_version=ruleset.version, area_km2=round(parsed.area_km2, 4),
        vertex_count=parsed.vertex_count, fee_amount=fee.value.amount if fee else None,
        fee_currency=fee.value.currency if fee else None, fee_verified=bool(fee and fee.verified),
        unverified=unverified(tt), problems=area_problems(tt, parsed.area_km2), geometry=parsed.geometry,
        rules=rules_basis(applied), notes=_zone_notes(zones),
    )
    facts = holder_facts(validate_holders(list(holders))) if holders else []
    if facts:
        report.problems += check_eligibility(ruleset, tt, facts, zones)
    minerals = tuple(minerals)
    if index is not None and not minerals:
        report.conflicts = find_conflicts(index, parsed.geometry)
        return report
    with uow:
        if minerals:
            names = mineral_index(uow)
            resolved = [names.resolve(m) for m in minerals]
            problems, notes = restriction_problems(ruleset, tt, resolved, facts or _ANY_PRIVATE, applied.day,
                                                   tuple(declarations))
            report.problems += problems
            report.notes += notes
        report.conflicts = find_conflicts(index if index is not None else spatial_index(uow, jurisdiction),
                                          parsed.geometry)
    return report


# Without holders a restriction on private holders is reported, since most applicants are private.
_ANY_PRIVATE = [HolderFacts(name="(holders not given)", country=None, kind="private", share_pct=100.0,
                            is_body_corporate=True)]



# --- applications ------------------------------------------------------------------------------

@dataclass
class Receipt:
    application: Application
    report: CheckReport
    simultaneous_until: datetime | None = None  # same-day filings until then compete with it (rule 10)
    competition_rule: CompetitionRule | None = None  # how its group is decided, when it competes

    @property
    def holds_priority(self) -> bool:
        return self.application.priority == "clear"


def _received(received_at: datetime | None, now: datetime) -> datetime:
    """The receipt time: now, or a paper filing's own time (aware, not in the future)."""
    if received_at is None:
        return now
    if received_at.tzinfo is None:
        raise InvalidInput("received_at needs a time zone (e.g. 2026-12-01T10:30:00+05:00)")
    if received_at > now:
        raise InvalidInput(f"received_at {received_at.isoformat()} is in the future")
    return received_at.astimezone(timezone.utc)


def _next_local_midnight(at: datetime, tz: str) -> datetime:
    day = at.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def apply(uow: AbstractUnitOfWork, inp: ApplicationInput, actor: str, now: datetime | None = None, *,
          propose_unknown_holders: bool = False) -> Receipt:
    """File an application: validate, number it (gapless), place it in the queue (rule 10: same-day
    overlapping filings compete in one group), invoice the fee, record the event. Ground held by an
    active title or a reserved area is refused (409), naming the title whose holders alone may convert it.
    With `propose_unknown_holders` (filings on the web and the API), holders not in the directory are
    proposed for an officer to confirm, in the same transaction; a grant waits for that."""
    now = now or datetime.now(timezone.utc)
    received = _received(inp.received_at, now)
    applied = applied_rules_for(inp.jurisdiction, received)  # the version in force on the day received
    ruleset = applied.ruleset
    tt = ruleset.title_type(inp.title_type)
    holders = validate_holders(list(inp.holders))
    if not inp.minerals:
        raise InvalidInput("minerals: name at least one mineral")
    parsed = parse_area_input(inp.area, ruleset)
    zones = _zones(tt, parsed.geometry)
    facts = holder_facts(holders)
    problems = check_eligibility(ruleset, tt, facts, zones)
    if problems:
        raise InvalidInput("not eligible: " + "; ".join(problems), details={"rules": rules_basis(applied)})
    limits = area_problems(tt, parsed.area_km2)
    if limits:
        raise InvalidInput("; ".join(limits))
    with uow:
        index = mineral_index(uow)
        minerals = [index.resolve(m) for m in inp.minerals]
        restricted, notes = restriction_problems(ruleset, tt, minerals, facts, applied.day, tuple(inp.declarations))
        if restricted:
            raise InvalidInput("restricted: " + "; ".join(restricted), details={"rules": rules_basis(applied)})
        last = uow.cadastre.lock(inp.jurisdiction)  # serialises filings in this jurisdiction
        latest = uow.cadastre.last_received_at(inp.jurisdiction) if inp.received_at is not None else None
        if latest is not None and received < latest:
            raise InvalidInput(f"received_at {received.isoformat()} is before the latest application already numbered "
                               f"in {inp.jurisdiction} ({latest.isoformat()}): numbers follow the order of receipt")
        parent = None
        if inp.converts:
            parent = check_parent(uow, ruleset, tt, inp.converts, holders, inp.applicant_org, parsed.geometry)
        conflicts = find_conflicts(spatial_index(uow, inp.jurisdiction), parsed.geometry,
                                   skip=f"title:{parent.number}" if parent else None)
        blocking = [c for c in conflicts if c.kind != "application"]
        if blocking:
            tenure = tenure_refusal(uow, ruleset, tt, blocking)
            raise ConflictError(
                "the area is not free: " + "; ".join(f"{c.kind} {c.ref} overlaps by {c.overlap_km2:,.3f} km²"
                                                      for c in blocking) + (f". {tenure}" if tenure else ""),
                details={"conflicts": [c.__dict__ for c in blocking]})
        fee = tt.application_fee
        app = Application(
            id=None, jurisdiction=inp.jurisdiction, number=last + 1, title_type=tt.code,
            rules_version=ruleset.version, minerals=minerals, holders=holders, geometry=parsed.geometry,
            area_km2=round(parsed.area_km2, 6), received_at=received, state=lc.RECEIVED,
            priority="clear", fee_amount=fee.value.amount if fee else None,
            fee_currency=fee.value.currency if fee else None, fee_verified=bool(fee and fee.verified),
            conflicts=conflicts, applicant_org=inp.applicant_org, rules_basis=rules_basis(applied),
            converts_title=parent.number if parent else None,
        )
        uow.cadastre.add_application(app)
        uow.cadastre.set_last_application(inp.jurisdiction, app.number)
        uow.cadastre.bump_spatial(inp.jurisdiction)
        change = refresh(uow, inp.jurisdiction, now=now, actor=actor, cause=f"{app.ref} received",
                         recheck=[app.number], quiet=[app.number], announce=False,
                         around=[app.number])
        app = uow.cadastre.application(inp.jurisdiction, app.number)  # with its queue state
        if fee:
            uow.cadastre.add_invoice(inp.jurisdiction, Invoice(
                id=None, title_number=None, application_number=app.number, kind="application-fee",
                period="application", due_on=local_day(received, ruleset.timezone), amount=fee.value.amount,
                currency=fee.value.currency,
                verified=fee.verified))
        data: dict[str, Any] = {
            "title_type": tt.code, "area_km2": app.area_km2, "priority": app.priority,
            "holders": [[h.name, h.share_pct] for h in holders], "rules_version": ruleset.version,
            "rules": {k: v for k, v in app.rules_basis.items() if k != "summary"} if app.rules_basis else None,
            "declarations": list(inp.declarations), "zones": sorted(zones),
            "conflicts": [[c.kind, c.ref] for c in conflicts],
            "geometry_sha256": hashlib.sha256(shapely.to_wkb(parsed.geometry)).hexdigest(),
            # private (maadan.audit.leaf.PRIVATE_KEYS): kept behind the public leaf's commitment
            "beneficial_owners": {h.name: list(h.beneficial_owners) for h in holders if h.beneficial_owners},
            "applicant_org": inp.applicant_org,
        }
        if app.competition_group:
            data |= {"group": app.group_ref, "competing_with": app.competing_with}
        if app.waits_on:
            data["waits_on"] = [list(w) for w in app.waits_on]
        if parent:
            data["converts"] = parent.number
        if inp.received_at is not None:
            data["received_at"] = received.isoformat()  # a paper filing recorded later
        record(uow, actor, "application.received", app.ref, data, at=now)
        announce_changes(uow, inp.jurisdiction, change, actor, now)
        if propose_unknown_holders:
            proposals.propose_unknown_holders(uow, holders, actor, now)
        uow.commit()
    report = CheckReport(
        jurisdiction=inp.jurisdiction, title_type=tt.code, rules_version=ruleset.version, area_km2=app.area_km2,
        vertex_count=parsed.vertex_count, fee_amount=app.fee_amount, fee_currency=app.fee_currency,
        fee_verified=app.fee_verified, unverified=unverified(tt), conflicts=conflicts, geometry=parsed.geometry,
        rules=app.rules_basis or {}, notes=_zone_notes(zones) + notes)
    receipt = Receipt(app, report)
    if ruleset.same_date_simultaneous.value:
        receipt.simultaneous_until = _next_local_midnight(received, ruleset.timezone)
    if app.competition_group:
        receipt.competition_rule = ruleset.competition_rule({tt.code})
    return receipt


def _get_application(uow: AbstractUnitOfWork, jurisdiction: str, number: int) -> Application:
    app = uow.cadastre.application(jurisdiction, number)
    if app is None:
        raise NotFound("application", f"{jurisdiction}/A{number}")
    return app



def decide(uow: AbstractUnitOfWork, jurisdiction: str, number: int, action: str, actor: str, reason: str | None = None,
           documents: Iterable[Document] = (), today: date | None = None,
           now: datetime | None = None) -> tuple[Application, Title | None]:
    """Move an application through its lifecycle; `grant` issues the title, its obligations
    and its first rent invoice. Illegal moves raise Conflict naming the current state; an offer or
    a grant the queue does not allow yet (same day, competing, behind) raises Conflict saying why."""
    now = now or (datetime.combine(today, time(12), tzinfo=timezone.utc) if today else datetime.now(timezone.utc))
    today = today or now.date()
    with uow:
        uow.cadastre.lock(jurisdiction)
        app = _get_application(uow, jurisdiction, number)
        new_state = lc.next_state(lc.APPLICATION_MOVES, "application", app.state, action)
        if action in ("refuse", "reject-incomplete") and not reason:
            raise InvalidInput(f"{action}: a reason is required")
        if action in ("offer", "grant"):
            blocker = offer_blocker(uow, app, now)
            if blocker:
                raise ConflictError(f"cannot {action} {app.ref}: {blocker}",
                                    details={"group": app.group_ref, "waits_on": [list(w) for w in app.waits_on]})
        title = None
        if action == "grant":
            proposed = unconfirmed_holders(uow, app.holders)
            if proposed:
                raise ConflictError(f"cannot grant {app.ref}: holder {', '.join(repr(n) for n in proposed)} is a proposed "
                                    "organisation an officer has not confirmed yet; confirm it, or merge it into one "
                                    "of the directory, first (Applicants page, or `maadan accounts organisations`)",
                                    details={"proposed_holders": proposed})
            title = _grant(uow, app, actor, today, now)
        uow.cadastre.set_application_state(app.id, new_state)
        uow.cadastre.bump_spatial(jurisdiction)
        data: dict[str, Any] = {"from": app.state, "to": new_state}
        if title:
            data["title"] = title.number
        event = record(uow, actor, f"application.{action}", app.ref, data, reason, documents, at=now)
        if app.applicant_org:  # the applicant learns of every decision (inbox, and e-mail unless it opted out)
            notify(uow, jurisdiction, f"decision-{action}", decision_message(app, action, new_state, reason, title),
                   now=now, application_number=app.number, recipient_org=app.applicant_org, event_seq=event.seq)
        if new_state not in lc.PENDING or title:
            verb = {"grant": "granted", "refuse": "refused", "withdraw": "withdrawn",
                    "reject-incomplete": "rejected as incomplete"}.get(action, action)
            refresh(uow, jurisdiction, now=now, actor=actor, cause=f"{app.ref} {verb}",
                    ground=[app.geometry] if title else ())
        uow.commit()
    app.state = new_state
    return app, title


DECISION_WORDS = {"accept": "was accepted for review", "reject-incomplete": "was rejected as incomplete",
                  "review": "is under review", "offer": "is offered: the title can be granted",
                  "grant": "was granted", "refuse": "was refused", "withdraw": "was withdrawn"}


def decision_message(app: Application, action: str, new_state: str, reason: str | None, title: Title | None) -> str:
    text = f"Application {app.ref} {DECISION_WORDS.get(action, action)} (now {new_state})."
    if title is not None:
        text += f" Title {title.number} is issued; its first rent invoice is due."
    if reason:
        text += f" Reason: {reason}"
    return text


def unconfirmed_holders(uow: AbstractUnitOfWork, holders) -> list[str]:
    """Names of holders that are organisations proposed by an applicant and not yet confirmed (or
    merged) by an officer: a grant waits for that. Call inside `with uow`."""
    pending = uow.portal.pending_proposals()
    if not pending:
        return []
    return [h.name for h in holders if h.organisation_id in pending or slug(h.name) in pending]


def _grant(uow: AbstractUnitOfWork, app: Application, actor: str, today: date, now: datetime) -> Title:
    ruleset = rules_for(app.jurisdiction, app.received_at)  # judged under the rules in force at receipt
    tt = ruleset.title_type(app.title_type)
    index = spatial_index(uow, app.jurisdiction)
    parent = f"title:{app.converts_title}" if app.converts_title else None
    taken = [c for c in find_conflicts(index, app.geometry, skip=parent) if c.kind in ("title", "reserved")]
    if taken:
        raise ConflictError("cannot grant: the area now overlaps " +
                            "; ".join(f"{c.kind} {c.ref} ({c.overlap_km2:,.3f} km²)" for c in taken))
    seq = uow.cadastre.next_title_seq(app.jurisdiction, tt.code, today.year)
    term = int(tt.term_years.value) if tt.term_years else None
    title = Title(
        id=None, jurisdiction=app.jurisdiction, number=f"{app.jurisdiction}/{tt.code}/{today.year}/{seq:04d}",
        title_type=tt.code, rules_version=ruleset.version, holders=app.holders, geometry=app.geometry,
        area_km2=app.area_km2, granted_on=today, expires_on=add_years(today, term) if term else None,
        state=lc.ACTIVE, minerals=app.minerals, application_number=app.number, synthetic=app.synthetic,
        rules_basis=app.rules_basis,
    )
    uow.cadastre.add_title(title)
    for ob in tt.obligations:
        if ob.after != "grant":
            continue  # due after an event (e.g. a discovery), recorded when that event is reported
        uow.cadastre.add_obligation(Obligation(
            id=None, title_number=title.number, code=ob.code, description=ob.description,
            due_on=today + timedelta(days=ob.due_days), legal_basis=ob.legal_basis, verified=ob.verified))
    invoice_rent(uow, title, tt, year_held=1, due_on=today)
    relinquish_parent(uow, app, title, actor, now)
    return title
