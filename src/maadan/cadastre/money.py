"""Money and obligations: application fees, annual rent with escalation, payments, arrears,
and what falls due."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.caches import applied_rules_for, rules_for
from maadan.cadastre.model import Invoice, Title, TitleStanding
from maadan.cadastre.register import AUDIT_LOCK, record
from maadan.cadastre.rules import TitleType, annual_rent
from maadan.errors import InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

# --- money and obligations ---------------------------------------------------------------------

def record_payment(uow: AbstractUnitOfWork, invoice_id: int, amount: float, actor: str, reference: str,
                   paid_on: date | None = None, now: datetime | None = None) -> Invoice:
    """Record a payment against an invoice; overpayment and non-positive amounts are refused."""
    paid_on = paid_on or (now.date() if now else date.today())
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
        record(uow, actor, "payment.recorded", subject,
                {"invoice": inv.id, "amount": amount, "currency": inv.currency, "reference": reference,
                 "paid_on": paid_on.isoformat()}, at=now)
        uow.commit()
    inv.paid += amount
    return inv


@dataclass(frozen=True)
class NotPriced:
    title_number: str
    reason: str


@dataclass
class RentRun:
    """What one annual rent run did: invoices issued, titles already invoiced for the year, and
    titles it could not price (each with the reason), which are reported, not invoiced."""

    year: int
    issued: list[Invoice] = field(default_factory=list)
    already_invoiced: int = 0
    not_priced: list[NotPriced] = field(default_factory=list)
    rules: dict | None = None  # the rule version whose rates were charged, why, and whether that is certain


def rent_rules(title: Title | TitleStanding, due_on: date) -> TitleType:
    """The title type, as the rules in force on `due_on` (on the jurisdiction's calendar) define it:
    a year's rent is charged at that year's rates, whatever law the title was granted under.
    InvalidInput, saying why, when no rules are in force then or they have no rent for the type."""
    ruleset = rules_for(title.jurisdiction, due_on)
    tt = ruleset.title_types.get(title.title_type)
    if tt is None:
        raise InvalidInput(f"the {ruleset.name} rules {ruleset.version} have no title type {title.title_type!r}")
    if not tt.rent_schedule:
        raise InvalidInput(f"the {ruleset.name} rules {ruleset.version} set no rent for a {tt.name} ({tt.code})")
    return tt


def issue_rent(uow: AbstractUnitOfWork, jurisdiction: str, year: int, actor: str, due_on: date | None = None,
               now: datetime | None = None) -> RentRun:
    """Annual rent invoices for `year` for every title active and granted by then: area × the rate
    of the rules in force on the due date (1 January by default) for its year held, counted from the
    grant. A title already invoiced for the year is counted, not invoiced again; a title that cannot
    be priced (no rules in force, an unknown title type) is reported and the others are invoiced."""
    if not 1900 <= year <= 2200:
        raise InvalidInput(f"--year {year}: give a calendar year such as {date.today().year}")
    due_on = due_on or date(year, 1, 1)
    run = RentRun(year=year)
    try:
        run.rules = applied_rules_for(jurisdiction, due_on).as_dict()
    except InvalidInput:
        run.rules = None  # each title is then reported as not priced, with the reason
    types: dict[str, TitleType | str] = {}  # by title type: its rules on the due date, or why there are none
    with uow:
        uow.cadastre.lock(AUDIT_LOCK)  # one run at a time: the next sees this one's invoices
        invoiced = uow.cadastre.invoiced_titles(jurisdiction, "rent", str(due_on.year))
        for title in uow.cadastre.title_standings(jurisdiction=jurisdiction, states=[lc.ACTIVE]).values():
            if title.granted_on.year > year:
                continue  # not yet held that year
            if title.title_type not in types:
                try:
                    types[title.title_type] = rent_rules(title, due_on)
                except InvalidInput as exc:
                    types[title.title_type] = exc.message
            tt = types[title.title_type]
            if isinstance(tt, str):
                run.not_priced.append(NotPriced(title.number, tt))
            elif title.number in invoiced:
                run.already_invoiced += 1
            elif (inv := rent_invoice(title, tt, year - title.granted_on.year + 1, due_on)) is not None:
                run.issued.append(inv)
        uow.cadastre.add_invoices(jurisdiction, run.issued)
        if run.issued:
            record(uow, actor, "rent.invoiced", f"jurisdiction {jurisdiction}",
                   {"year": year, "invoices": len(run.issued), "not_priced": [n.title_number for n in run.not_priced],
                    "rules": {k: v for k, v in run.rules.items() if k != "summary"} if run.rules else None},
                   at=now)
        uow.commit()
    return run


@dataclass
class DueItem:
    kind: str  # rent | fee | obligation | expiry | notice
    ref: str
    due_on: date
    amount: float | None = None
    currency: str | None = None
    overdue_days: int = 0
    flag_revocation: bool = False
    verified: bool = True
    note: str | None = None
    invoice_id: int | None = None  # rent and fees: the invoice a payment is recorded against


def due(uow: AbstractUnitOfWork, within_days: int, today: date | None = None,
        jurisdiction: str | None = None, refs: set[str] | None = None) -> list[DueItem]:
    """Rent and fees outstanding, obligations and expiries falling due by today + within_days,
    and everything overdue; titles in arrears beyond the grace period are flagged for revocation.
    With `refs` (title numbers and application references), only what falls due on those, and
    only those titles are read."""
    if within_days < 0:
        raise InvalidInput("--within must not be negative")
    today = today or date.today()
    horizon = today + timedelta(days=within_days)
    items: list[DueItem] = []
    application_ref = lambda inv: f"{inv.jurisdiction or jurisdiction}/A{inv.application_number}"  # noqa: E731
    in_jurisdiction = lambda t: not jurisdiction or t.jurisdiction == jurisdiction  # noqa: E731
    with uow:
        # Only what is open by the horizon is read, each by an index that holds only that (a register
        # with its history has paid invoices and met obligations by the hundred thousand).
        invoices = [inv for inv in uow.cadastre.invoices(jurisdiction, outstanding_by=horizon)
                    if refs is None or (inv.title_number or application_ref(inv)) in refs]
        obligations = uow.cadastre.obligations(open_by=horizon)
        if refs is None:
            expiring = uow.cadastre.titles(jurisdiction, [lc.ACTIVE], expiring_by=horizon)
            wanted = {inv.title_number for inv in invoices if inv.title_number and inv.kind == "rent"}
            wanted |= {ob.title_number for ob in obligations}
        else:
            wanted = refs
            expiring = [t for t in uow.cadastre.titles_numbered(refs) if in_jurisdiction(t) and t.state == lc.ACTIVE
                        and t.expires_on and t.expires_on <= horizon]
        titles = {n: t for n, t in uow.cadastre.title_standings(wanted).items() if in_jurisdiction(t)}
        grace_of: dict[tuple[str, str, date], int | str] = {}  # the rules' grace, or why it is unknown
        for inv in invoices:
            if inv.outstanding <= 0:  # paid but for less than a cent
                continue
            overdue = max(0, (today - inv.due_on).days)
            flag, grace_note = False, ""
            if inv.title_number and inv.kind == "rent" and inv.title_number in titles:
                t = titles[inv.title_number]
                key = (t.jurisdiction, t.title_type, inv.due_on)
                if key not in grace_of:
                    try:
                        tt = rent_rules(t, inv.due_on)
                        grace_of[key] = int(tt.rent_grace_days.value) if tt.rent_grace_days else 0
                    except InvalidInput as exc:  # rent invoiced before the rules we hold: grace unknown
                        grace_of[key] = f"; grace period unknown ({exc.message})"
                grace = grace_of[key]
                if isinstance(grace, str):
                    grace_note = grace
                else:
                    flag = t.state == lc.ACTIVE and overdue > grace
            ref = inv.title_number or application_ref(inv)
            items.append(DueItem(kind="rent" if inv.kind == "rent" else "fee", ref=ref, due_on=inv.due_on,
                                 amount=inv.outstanding, currency=inv.currency, overdue_days=overdue,
                                 flag_revocation=flag, verified=inv.verified,
                                 note=f"invoice {inv.id}" + ("" if inv.verified else "; amount from unverified rules")
                                 + grace_note, invoice_id=inv.id))
        for ob in obligations:
            t = titles.get(ob.title_number)
            if t and t.state == lc.ACTIVE:
                items.append(DueItem(kind="obligation", ref=ob.title_number, due_on=ob.due_on,
                                     overdue_days=max(0, (today - ob.due_on).days), verified=ob.verified,
                                     note=f"{ob.code}: {ob.description} ({ob.legal_basis})"))
        for t in expiring:
            items.append(DueItem(kind="expiry", ref=t.number, due_on=t.expires_on,
                                 overdue_days=max(0, (today - t.expires_on).days)))
        for n in uow.priority.notices(jurisdiction=jurisdiction, unread_only=True):  # queue notices until read
            if refs is not None and n.subject not in refs:
                continue
            items.append(DueItem(kind="notice", ref=n.subject, due_on=n.created_at.date(),
                                 note=f"notice {n.id}{' (answer needed)' if n.action_needed else ''}: {n.message}"))
    items.sort(key=lambda i: (i.due_on, number_order(i.ref), i.kind))
    return items


def number_order(ref: str) -> tuple:
    """Sort key reading the digits in a reference as numbers: A2 before A10, 0009 before 0010."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", ref) if part)



def rent_invoice(title: Title | TitleStanding, tt: TitleType, year_held: int, due_on: date) -> Invoice | None:
    """A year's rent invoice for a title (not stored), or None when its type pays no rent."""
    if not tt.rent_schedule:
        return None
    money, verified = annual_rent(tt, title.area_km2, year_held)
    return Invoice(id=None, title_number=title.number, application_number=None, kind="rent",
                   period=str(due_on.year), due_on=due_on, amount=round(money.amount, 2), currency=money.currency,
                   verified=verified)


def invoice_rent(uow: AbstractUnitOfWork, title: Title, tt: TitleType, year_held: int, due_on: date) -> Invoice | None:
    """Invoice one title's rent for the year of `due_on` unless it is invoiced already (at grant)."""
    inv = rent_invoice(title, tt, year_held, due_on)
    if inv is None:
        return None
    existing = uow.cadastre.invoices(title_number=title.number)
    if any(i.kind == "rent" and i.period == inv.period for i in existing):
        return None
    inv.id = uow.cadastre.add_invoice(title.jurisdiction, inv)
    return inv
