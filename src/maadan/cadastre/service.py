"""Cadastre use cases: check an area, file an application, decide it, manage titles, money,
obligations and the audit register. Each function runs in the unit of work it is given and
commits once, so nothing is half-written."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable
from zoneinfo import ZoneInfo

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.audit import GENESIS, Document, Event, Verification, seal, verify
from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.geometry import Area, geometry_from_cells, parse_area
from maadan.cadastre.model import Application, Conflict, Holder, Invoice, Obligation, Title, validate_holders
from maadan.cadastre.rules import HolderFacts, RuleSet, TitleType, annual_rent, check_eligibility, load_rulesets, ruleset_in_force, unverified
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.errors import Conflict as ConflictError
from maadan.errors import InvalidInput, NotFound
from maadan.minerals.service import mineral_index
from maadan.store.uow import UnitOfWork

AUDIT_LOCK = "__audit__"


# --- rules and spatial caches ------------------------------------------------------------------

class _Caches:
    """Per-process caches: rule files (read once) and one spatial index per jurisdiction and
    database, rebuilt when the stored spatial version changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rulesets: list[RuleSet] | None = None
        self.indexes: dict[tuple[str, str], tuple[int, SpatialIndex]] = {}

    def rules(self) -> list[RuleSet]:
        with self.lock:
            if self.rulesets is None:
                self.rulesets = load_rulesets()
            return self.rulesets


CACHES = _Caches()


def rules_for(jurisdiction: str, at: datetime | date) -> RuleSet:
    return ruleset_in_force(CACHES.rules(), jurisdiction, at)


def jurisdictions() -> list[str]:
    return sorted({r.jurisdiction for r in CACHES.rules()})


def _spatial_index(uow: UnitOfWork, jurisdiction: str) -> SpatialIndex:
    repo = uow.cadastre
    version = repo.spatial_version(jurisdiction)
    key = (str(uow.session.bind.url) if uow.session and uow.session.bind else "", jurisdiction)
    cached = CACHES.indexes.get(key)
    if cached and cached[0] == version and version > 0:
        return cached[1]
    rows = repo.spatial_rows(jurisdiction, lc.PENDING)
    geoms = shapely.from_wkb([r[2] for r in rows]) if rows else []
    index = SpatialIndex([(f"{kind}:{ref}", g) for (kind, ref, _), g in zip(rows, geoms)])
    CACHES.indexes[key] = (version, index)
    return index


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

    @property
    def blocking(self) -> list[Conflict]:
        """Conflicts with ground that is not free: active titles and reserved areas."""
        return [c for c in self.conflicts if c.kind in ("title", "reserved")]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts


def _parse(area: AreaInput, ruleset: RuleSet) -> Area:
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


def _area_problems(tt: TitleType, area_km2: float) -> list[str]:
    problems = []
    if tt.max_area_km2 is not None and area_km2 > float(tt.max_area_km2.value):
        problems.append(f"area {area_km2:,.2f} km² is above the {tt.name} limit of {tt.max_area_km2.value:,} km²"
                        + ("" if tt.max_area_km2.verified else " (limit unverified)"))
    if tt.min_area_km2 is not None and area_km2 < float(tt.min_area_km2.value):
        problems.append(f"area {area_km2:,.2f} km² is below the {tt.name} minimum of {tt.min_area_km2.value:,} km²"
                        + ("" if tt.min_area_km2.verified else " (limit unverified)"))
    return problems


def _conflicts(index: SpatialIndex, geometry: Any, skip: str | None = None) -> list[Conflict]:
    out = []
    for ov in index.conflicts(geometry):
        kind, ref = ov.key.split(":", 1)
        if ov.key == skip:
            continue
        out.append(Conflict(kind=kind, ref=ref, overlap_km2=round(ov.overlap_km2, 4)))
    order = {"title": 0, "reserved": 1, "application": 2}
    out.sort(key=lambda c: (order[c.kind], int(c.ref) if c.kind == "application" else 0, c.ref))
    return out


def _holder_facts(holders: Iterable[Holder]) -> list[HolderFacts]:
    return [HolderFacts(name=h.name, country=h.country, kind=h.kind, share_pct=h.share_pct,
                        is_body_corporate=h.body_corporate) for h in holders]


def check(uow: UnitOfWork, jurisdiction: str, title_type: str, area: AreaInput,
          holders: Iterable[Holder] | None = None, at: datetime | None = None) -> CheckReport:
    """Everything `apply` would check, without filing: geometry, boundary, limits, conflicts."""
    at = at or datetime.now(timezone.utc)
    ruleset = rules_for(jurisdiction, at)
    tt = ruleset.title_type(title_type)
    parsed = _parse(area, ruleset)
    fee = tt.application_fee
    report = CheckReport(
        jurisdiction=jurisdiction, title_type=tt.code, rules_version=ruleset.version, area_km2=round(parsed.area_km2, 4),
        vertex_count=parsed.vertex_count, fee_amount=fee.value.amount if fee else None,
        fee_currency=fee.value.currency if fee else None, fee_verified=bool(fee and fee.verified),
        unverified=unverified(tt), problems=_area_problems(tt, parsed.area_km2), geometry=parsed.geometry,
    )
    if holders:
        report.problems += check_eligibility(ruleset, tt, _holder_facts(validate_holders(list(holders))))
    with uow:
        report.conflicts = _conflicts(_spatial_index(uow, jurisdiction), parsed.geometry)
    return report


# --- the audit chain ---------------------------------------------------------------------------

def _record(uow: UnitOfWork, actor: str, kind: str, subject: str, data: dict[str, Any] | None = None,
            reason: str | None = None, documents: Iterable[Document] = (), at: datetime | None = None) -> Event:
    uow.cadastre.lock(AUDIT_LOCK)
    last = uow.cadastre.last_event()
    ev = seal(Event(seq=(last.seq + 1) if last else 1,
                    at=(at or datetime.now(timezone.utc)).isoformat(timespec="microseconds"),
                    actor=actor, kind=kind, subject=subject, data=data or {}, documents=tuple(documents),
                    reason=reason, prev_hash=last.hash if last else GENESIS))
    uow.cadastre.append_event(ev)
    return ev


def verify_audit(uow: UnitOfWork) -> Verification:
    with uow:
        return verify(uow.cadastre.events())


# --- applications ------------------------------------------------------------------------------

@dataclass
class Receipt:
    application: Application
    report: CheckReport

    @property
    def holds_priority(self) -> bool:
        return self.application.priority == "clear"


def _local_date(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def _priority(app_at: datetime, ruleset: RuleSet, earlier: list[Application]) -> str:
    """clear: no earlier pending application overlaps; competing: every overlapping one was
    received the same day (rule 10: simultaneous); behind: one was received on an earlier day."""
    if not earlier:
        return "clear"
    if not ruleset.same_date_simultaneous.value:
        return "behind"
    today = _local_date(app_at, ruleset.timezone)
    if all(_local_date(e.received_at, ruleset.timezone) == today for e in earlier):
        return "competing"
    return "behind"


def apply(uow: UnitOfWork, inp: ApplicationInput, actor: str, now: datetime | None = None) -> Receipt:
    """File an application: validate, number it (gapless), decide its priority, invoice the fee,
    record the event. Ground held by an active title or a reserved area is refused (409)."""
    now = now or datetime.now(timezone.utc)
    ruleset = rules_for(inp.jurisdiction, now)
    tt = ruleset.title_type(inp.title_type)
    holders = validate_holders(list(inp.holders))
    problems = check_eligibility(ruleset, tt, _holder_facts(holders))
    if problems:
        raise InvalidInput("not eligible: " + "; ".join(problems))
    if not inp.minerals:
        raise InvalidInput("minerals: name at least one mineral")
    parsed = _parse(inp.area, ruleset)
    limits = _area_problems(tt, parsed.area_km2)
    if limits:
        raise InvalidInput("; ".join(limits))
    with uow:
        index = mineral_index(uow)
        minerals = [index.resolve(m) for m in inp.minerals]
        last = uow.cadastre.lock(inp.jurisdiction)  # serialises filings in this jurisdiction
        conflicts = _conflicts(_spatial_index(uow, inp.jurisdiction), parsed.geometry)
        blocking = [c for c in conflicts if c.kind != "application"]
        if blocking:
            raise ConflictError(
                "the area is not free: " + "; ".join(f"{c.kind} {c.ref} overlaps by {c.overlap_km2:,.3f} km²"
                                                      for c in blocking),
                details={"conflicts": [c.__dict__ for c in blocking]})
        pending = {a.number: a for a in uow.cadastre.applications(inp.jurisdiction, lc.PENDING)}
        earlier = [pending[int(c.ref)] for c in conflicts if c.kind == "application" and int(c.ref) in pending]
        fee = tt.application_fee
        app = Application(
            id=None, jurisdiction=inp.jurisdiction, number=last + 1, title_type=tt.code,
            rules_version=ruleset.version, minerals=minerals, holders=holders, geometry=parsed.geometry,
            area_km2=round(parsed.area_km2, 6), received_at=now, state=lc.RECEIVED,
            priority=_priority(now, ruleset, earlier), fee_amount=fee.value.amount if fee else None,
            fee_currency=fee.value.currency if fee else None, fee_verified=bool(fee and fee.verified),
            conflicts=conflicts, applicant_org=inp.applicant_org,
        )
        uow.cadastre.add_application(app)
        uow.cadastre.set_last_application(inp.jurisdiction, app.number)
        uow.cadastre.bump_spatial(inp.jurisdiction)
        if fee:
            uow.cadastre.add_invoice(inp.jurisdiction, Invoice(
                id=None, title_number=None, application_number=app.number, kind="application-fee",
                period="application", due_on=now.date(), amount=fee.value.amount, currency=fee.value.currency,
                verified=fee.verified))
        _record(uow, actor, "application.received", app.ref, {
            "title_type": tt.code, "area_km2": app.area_km2, "priority": app.priority,
            "holders": [[h.name, h.share_pct] for h in holders], "rules_version": ruleset.version,
            "conflicts": [[c.kind, c.ref] for c in conflicts],
            "geometry_sha256": hashlib.sha256(shapely.to_wkb(parsed.geometry)).hexdigest(),
        }, at=now)
        uow.commit()
    report = CheckReport(
        jurisdiction=inp.jurisdiction, title_type=tt.code, rules_version=ruleset.version, area_km2=app.area_km2,
        vertex_count=parsed.vertex_count, fee_amount=app.fee_amount, fee_currency=app.fee_currency,
        fee_verified=app.fee_verified, unverified=unverified(tt), conflicts=conflicts, geometry=parsed.geometry)
    return Receipt(app, report)


def _get_application(uow: UnitOfWork, jurisdiction: str, number: int) -> Application:
    app = uow.cadastre.application(jurisdiction, number)
    if app is None:
        raise NotFound("application", f"{jurisdiction}/A{number}")
    return app


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def decide(uow: UnitOfWork, jurisdiction: str, number: int, action: str, actor: str, reason: str | None = None,
           documents: Iterable[Document] = (), today: date | None = None) -> tuple[Application, Title | None]:
    """Move an application through its lifecycle; `grant` issues the title, its obligations
    and its first rent invoice. Illegal moves raise Conflict naming the current state."""
    today = today or date.today()
    with uow:
        uow.cadastre.lock(jurisdiction)
        app = _get_application(uow, jurisdiction, number)
        new_state = lc.next_state(lc.APPLICATION_MOVES, "application", app.state, action)
        if action in ("refuse", "reject-incomplete") and not reason:
            raise InvalidInput(f"{action}: a reason is required")
        title = None
        if action == "grant":
            title = _grant(uow, app, actor, today)
        uow.cadastre.set_application_state(app.id, new_state)
        uow.cadastre.bump_spatial(jurisdiction)
        data: dict[str, Any] = {"from": app.state, "to": new_state}
        if title:
            data["title"] = title.number
        _record(uow, actor, f"application.{action}", app.ref, data, reason, documents)
        uow.commit()
    app.state = new_state
    return app, title


def _grant(uow: UnitOfWork, app: Application, actor: str, today: date) -> Title:
    ruleset = rules_for(app.jurisdiction, app.received_at)  # judged under the rules in force at receipt
    tt = ruleset.title_type(app.title_type)
    index = _spatial_index(uow, app.jurisdiction)
    taken = [c for c in _conflicts(index, app.geometry) if c.kind in ("title", "reserved")]
    if taken:
        raise ConflictError("cannot grant: the area now overlaps " +
                            "; ".join(f"{c.kind} {c.ref} ({c.overlap_km2:,.3f} km²)" for c in taken))
    seq = uow.cadastre.next_title_seq(app.jurisdiction, tt.code, today.year)
    term = int(tt.term_years.value) if tt.term_years else None
    title = Title(
        id=None, jurisdiction=app.jurisdiction, number=f"{app.jurisdiction}/{tt.code}/{today.year}/{seq:04d}",
        title_type=tt.code, rules_version=ruleset.version, holders=app.holders, geometry=app.geometry,
        area_km2=app.area_km2, granted_on=today, expires_on=_add_years(today, term) if term else None,
        state=lc.ACTIVE, minerals=app.minerals, application_number=app.number, synthetic=app.synthetic,
    )
    uow.cadastre.add_title(title)
    for ob in tt.obligations:
        if ob.after != "grant":
            continue  # due after an event (e.g. a discovery), recorded when that event is reported
        uow.cadastre.add_obligation(Obligation(
            id=None, title_number=title.number, code=ob.code, description=ob.description,
            due_on=today + timedelta(days=ob.due_days), legal_basis=ob.legal_basis, verified=ob.verified))
    _invoice_rent(uow, title, tt, year_held=1, due_on=today)
    return title


def _invoice_rent(uow: UnitOfWork, title: Title, tt: TitleType, year_held: int, due_on: date) -> Invoice | None:
    if not tt.rent_schedule:
        return None
    money, verified = annual_rent(tt, title.area_km2, year_held)
    inv = Invoice(id=None, title_number=title.number, application_number=None, kind="rent",
                  period=str(due_on.year), due_on=due_on, amount=round(money.amount, 2), currency=money.currency,
                  verified=verified)
    existing = uow.cadastre.invoices(title_number=title.number)
    if any(i.kind == "rent" and i.period == inv.period for i in existing):
        return None
    inv.id = uow.cadastre.add_invoice(title.jurisdiction, inv)
    return inv


# --- titles ------------------------------------------------------------------------------------

def _get_title(uow: UnitOfWork, number: str) -> Title:
    title = uow.cadastre.title(number)
    if title is None:
        raise NotFound("title", number)
    return title


def title_action(uow: UnitOfWork, number: str, action: str, actor: str, *, reason: str | None = None,
                 documents: Iterable[Document] = (), holders: Iterable[Holder] | None = None,
                 area: AreaInput | None = None, today: date | None = None) -> Title:
    """renew | transfer (new holders, whole or a share) | relinquish (a smaller area inside the
    old one; the freed ground becomes available) | surrender | expire | revoke."""
    today = today or date.today()
    with uow:
        title = _get_title(uow, number)
        uow.cadastre.lock(title.jurisdiction)
        new_state = lc.next_state(lc.TITLE_MOVES, "title", title.state, action)
        ruleset = rules_for(title.jurisdiction, title.granted_on)
        tt = ruleset.title_type(title.title_type)
        data: dict[str, Any] = {"from": title.state, "to": new_state}
        if action == "renew":
            limit = int(tt.max_renewals.value) if tt.max_renewals else 0
            if title.renewals >= limit:
                raise ConflictError(f"{title.number} has been renewed {title.renewals} time(s); "
                                    f"a {tt.name} allows {limit}")
            years = int(tt.renewal_term_years.value) if tt.renewal_term_years else None
            if years is None or title.expires_on is None:
                raise ConflictError(f"a {tt.name} has no renewal term in the rules")
            title.expires_on = _add_years(title.expires_on, years)
            title.renewals += 1
            data |= {"expires_on": title.expires_on.isoformat(), "renewals": title.renewals}
        elif action == "transfer":
            if holders is None:
                raise InvalidInput("transfer: give the holders after the transfer")
            new = validate_holders(list(holders))
            problems = check_eligibility(ruleset, tt, _holder_facts(new))
            if problems:
                raise InvalidInput("transfer refused, not eligible: " + "; ".join(problems))
            data |= {"holders_before": [[h.name, h.share_pct] for h in title.holders],
                     "holders_after": [[h.name, h.share_pct] for h in new]}
            title.holders = new
        elif action == "relinquish":
            if area is None:
                raise InvalidInput("relinquish: give the area the title keeps")
            kept = _parse(area, ruleset)
            if not shapely.covered_by(kept.geometry, title.geometry.buffer(1e-9)):
                raise InvalidInput("relinquish: the area kept must lie inside the title's current area")
            if kept.area_km2 >= title.area_km2:
                raise InvalidInput("relinquish: the area kept must be smaller than the current area")
            data |= {"area_before_km2": title.area_km2, "area_after_km2": round(kept.area_km2, 6),
                     "freed_km2": round(title.area_km2 - kept.area_km2, 6)}
            title.geometry, title.area_km2 = kept.geometry, round(kept.area_km2, 6)
        elif action == "revoke" and not reason:
            raise InvalidInput("revoke: a reason is required")
        title.state = new_state
        uow.cadastre.update_title(title)
        uow.cadastre.bump_spatial(title.jurisdiction)
        _record(uow, actor, f"title.{action}", f"title {title.number}", data, reason, documents)
        uow.commit()
    return title


# --- money and obligations ---------------------------------------------------------------------

def record_payment(uow: UnitOfWork, invoice_id: int, amount: float, actor: str, reference: str,
                   paid_on: date | None = None) -> Invoice:
    """Record a payment against an invoice; overpayment and non-positive amounts are refused."""
    paid_on = paid_on or date.today()
    if not amount or amount <= 0 or amount != amount:
        raise InvalidInput("amount must be a positive number")
    if not reference.strip():
        raise InvalidInput("reference: give the bank or receipt reference of the payment")
    with uow:
        found = uow.cadastre.invoices(invoice_id=invoice_id)
        if not found:
            raise NotFound("invoice", str(invoice_id))
        inv = found[0]
        if amount > inv.outstanding + 0.005:
            raise InvalidInput(f"amount {amount:,.2f} is more than the {inv.outstanding:,.2f} {inv.currency} outstanding")
        uow.cadastre.lock(AUDIT_LOCK)
        uow.cadastre.record_payment(invoice_id, amount, paid_on, reference, actor)
        subject = f"title {inv.title_number}" if inv.title_number else f"invoice {inv.id}"
        _record(uow, actor, "payment.recorded", subject,
                {"invoice": inv.id, "amount": amount, "currency": inv.currency, "reference": reference,
                 "paid_on": paid_on.isoformat()})
        uow.commit()
    inv.paid += amount
    return inv


def issue_rent(uow: UnitOfWork, jurisdiction: str, year: int, actor: str, due_on: date | None = None) -> list[Invoice]:
    """Annual rent invoices for every active title (area × rate × escalation for its year held);
    a title already invoiced for `year` is skipped."""
    due_on = due_on or date(year, 1, 1)
    out = []
    with uow:
        for title in uow.cadastre.titles(jurisdiction, states=[lc.ACTIVE]):
            tt = rules_for(title.jurisdiction, title.granted_on).title_type(title.title_type)
            held = max(1, year - title.granted_on.year + 1)
            inv = _invoice_rent(uow, title, tt, held, due_on)
            if inv:
                out.append(inv)
        if out:
            _record(uow, actor, "rent.invoiced", f"jurisdiction {jurisdiction}",
                    {"year": year, "invoices": len(out)})
        uow.commit()
    return out


@dataclass
class DueItem:
    kind: str  # rent | fee | obligation | expiry
    ref: str
    due_on: date
    amount: float | None = None
    currency: str | None = None
    overdue_days: int = 0
    flag_revocation: bool = False
    verified: bool = True
    note: str | None = None


def due(uow: UnitOfWork, within_days: int, today: date | None = None,
        jurisdiction: str | None = None) -> list[DueItem]:
    """Rent and fees outstanding, obligations and expiries falling due by today + within_days,
    and everything overdue; titles in arrears beyond the grace period are flagged for revocation."""
    if within_days < 0:
        raise InvalidInput("--within must not be negative")
    today = today or date.today()
    horizon = today + timedelta(days=within_days)
    items: list[DueItem] = []
    with uow:
        titles = {t.number: t for t in uow.cadastre.titles(jurisdiction)}
        for inv in uow.cadastre.invoices(jurisdiction):
            if inv.outstanding <= 0 or inv.due_on > horizon:
                continue
            overdue = max(0, (today - inv.due_on).days)
            flag = False
            if inv.title_number and inv.kind == "rent" and inv.title_number in titles:
                t = titles[inv.title_number]
                tt = rules_for(t.jurisdiction, t.granted_on).title_type(t.title_type)
                grace = int(tt.rent_grace_days.value) if tt.rent_grace_days else 0
                flag = t.state == lc.ACTIVE and overdue > grace
            ref = inv.title_number or f"{jurisdiction or ''}/A{inv.application_number}".lstrip("/")
            items.append(DueItem(kind="rent" if inv.kind == "rent" else "fee", ref=ref, due_on=inv.due_on,
                                 amount=inv.outstanding, currency=inv.currency, overdue_days=overdue,
                                 flag_revocation=flag, verified=inv.verified,
                                 note=f"invoice {inv.id}" + ("" if inv.verified else "; amount from unverified rules")))
        for ob in uow.cadastre.obligations():
            t = titles.get(ob.title_number)
            if ob.met_on is None and ob.due_on <= horizon and t and t.state == lc.ACTIVE:
                items.append(DueItem(kind="obligation", ref=ob.title_number, due_on=ob.due_on,
                                     overdue_days=max(0, (today - ob.due_on).days), verified=ob.verified,
                                     note=f"{ob.code}: {ob.description} ({ob.legal_basis})"))
        for t in titles.values():
            if t.state == lc.ACTIVE and t.expires_on and t.expires_on <= horizon:
                items.append(DueItem(kind="expiry", ref=t.number, due_on=t.expires_on,
                                     overdue_days=max(0, (today - t.expires_on).days)))
    items.sort(key=lambda i: (i.due_on, i.kind, i.ref))
    return items


# --- the public register -----------------------------------------------------------------------

def public_register(uow: UnitOfWork, jurisdiction: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Titles and pending applications as the public may see them: no beneficial owners, no
    documents, no applicant account."""
    with uow:
        titles = uow.cadastre.titles(jurisdiction)
        apps = uow.cadastre.applications(jurisdiction, lc.PENDING)
    return {
        "titles": [{
            "number": t.number, "type": t.title_type, "state": t.state, "area_km2": t.area_km2,
            "granted_on": t.granted_on.isoformat(), "expires_on": t.expires_on.isoformat() if t.expires_on else None,
            "holders": [{"name": h.name, "share_pct": h.share_pct, "country": h.country} for h in t.holders],
            "minerals": t.minerals, "synthetic": t.synthetic, "geometry": shapely.geometry.mapping(t.geometry),
        } for t in titles],
        "applications": [{
            "number": a.number, "ref": a.ref, "type": a.title_type, "state": a.state, "priority": a.priority,
            "received_at": a.received_at.isoformat(), "area_km2": a.area_km2,
            "applicants": [h.name for h in a.holders], "minerals": a.minerals, "synthetic": a.synthetic,
            "geometry": shapely.geometry.mapping(a.geometry),
        } for a in apps],
    }


# --- the synthetic demo cadastre ---------------------------------------------------------------

def load_demo_cadastre(uow: UnitOfWork, titles: int, seed: int, actor: str,
                       jurisdiction: str = "PK-BA") -> list[Title]:
    """Replace the jurisdiction's synthetic titles with a freshly generated, deterministic set."""
    from maadan.cadastre.demo import DemoSpec, generate

    if titles < 1 or titles > 500_000:
        raise InvalidInput("--titles must be between 1 and 500,000")
    made = generate(DemoSpec(titles=titles, seed=seed, jurisdiction=jurisdiction), load_boundary(jurisdiction).geometry)
    with uow:
        uow.cadastre.lock(jurisdiction)
        removed = uow.cadastre.delete_synthetic_titles(jurisdiction)
        uow.cadastre.add_titles_bulk(made)
        uow.cadastre.bump_spatial(jurisdiction)
        _record(uow, actor, "demo.cadastre-loaded", f"jurisdiction {jurisdiction}",
                {"titles": len(made), "seed": seed, "replaced": removed, "synthetic": True})
        uow.commit()
    return made


# --- reserved and no-go areas ------------------------------------------------------------------

RESERVED_KINDS = ("protected-area", "no-go", "reserved", "existing-lease")


def add_reserved_areas(uow: UnitOfWork, jurisdiction: str, features: list[tuple[str, Any]], kind: str,
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
        _record(uow, actor, "reserved.added", f"jurisdiction {jurisdiction}",
                {"kind": kind, "names": [n for n, _ in parsed], "source": source})
        uow.commit()
    return len(parsed)
