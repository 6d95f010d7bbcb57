"""What the applicant's portal and the officer's workbench show of an application, and what each
may do with it: its status timeline (every register event on it, with reasons), its fee and
whether it is paid, its competition group, the title it became, the rules applied and which of
their values are unverified, the moves allowed to this viewer, and, before any move, the warnings
of what a grant would later refuse (ground already granted or reserved, the application fee unpaid
where the rules ask for one, the queue). Also "my applications and titles", the queue's and the
due list's filters. Read side only: every move goes through the service functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.applications import find_conflicts, unconfirmed_holders
from maadan.cadastre.caches import rules_for, spatial_index
from maadan.cadastre.competition import GroupView, show_group
from maadan.cadastre.model import Application, Invoice, Title
from maadan.cadastre.money import DueItem, due
from maadan.cadastre.queue import offer_blocker
from maadan.cadastre.queue_model import Notice
from maadan.cadastre.register import actor_roles
from maadan.cadastre.rules import unverified
from maadan.cadastre.views import (
    NEEDS_REASON,
    HistoryLine,
    QueueItem,
    Viewer,
    application_view,
    full_view,
    owns,
    sees_all,
    visible_application,
    visible_applications,
)
from maadan import actors
from maadan.errors import InvalidInput
from maadan.unit_of_work import AbstractUnitOfWork

GRANT_PATH = ("accept", "review", "offer", "grant")  # the moves a grant's refusals concern


@dataclass
class ApplicationPage:
    application: Application
    view: dict[str, Any]
    full: bool  # the viewer sees holders, fee, conflicts (its own organisation, officers)
    timeline: list[HistoryLine] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    group: GroupView | None = None
    title: Title | None = None
    moves: list[str] = field(default_factory=list)  # allowed to this viewer, in the lifecycle's order
    warnings: dict[str, list[str]] = field(default_factory=dict)  # move -> what a grant would refuse
    blocked: dict[str, str] = field(default_factory=dict)  # move -> why the queue does not allow it yet
    unverified_rules: list[str] = field(default_factory=list)
    documents: list[tuple[str, str, str, str]] = field(default_factory=list)  # (event, at, name, SHA-256)
    fee_rule: str | None = None  # the rule asking for the application fee, when there is one

    @property
    def decided(self) -> bool:
        return self.application.state not in lc.PENDING

    @property
    def fee_outstanding(self) -> float:
        return round(sum(i.outstanding for i in self.invoices), 2)


def _history(uow: AbstractUnitOfWork, subject: str) -> list[HistoryLine]:
    events = uow.cadastre.events(subject)
    roles = actor_roles(uow, events)
    return [HistoryLine(e.at, e.kind.split(".", 1)[-1], actors.name_of(e.actor), roles[e.actor], e.reason, e.data)
            for e in events]


def move_warnings(uow: AbstractUnitOfWork, app: Application, invoices: list[Invoice], now: datetime) -> tuple[
        dict[str, list[str]], dict[str, str], str | None]:
    """(warnings by move, queue blocks by move, the fee rule) for an application's next moves.
    Call inside `with uow`."""
    moves = [m for m in lc.APPLICATION_MOVES.get(app.state, {}) if m in GRANT_PATH]
    if not moves:
        return {}, {}, None
    found: list[str] = []
    parent = f"title:{app.converts_title}" if app.converts_title else None
    taken = [c for c in find_conflicts(spatial_index(uow, app.jurisdiction), app.geometry, skip=parent)
             if c.kind in ("title", "reserved")]
    for c in taken:
        what = "granted to title" if c.kind == "title" else "reserved as"
        found.append(f"the ground is already {what} {c.ref} (overlap {c.overlap_km2:,.3f} km²): a grant would be refused")
    fee_rule = None
    try:
        tt = rules_for(app.jurisdiction, app.received_at).title_type(app.title_type)
        fee = tt.application_fee
    except InvalidInput:
        fee = None
    if fee is not None:
        fee_rule = f"{fee.legal_basis or 'the rules'}" + ("" if fee.verified else " (unverified)")
        owed = round(sum(i.outstanding for i in invoices if i.kind == "application-fee"), 2)
        if owed > 0:
            found.append(f"the application fee is unpaid: {owed:,.2f} {fee.value.currency} outstanding; the rules "
                         f"ask for it with the application ({fee_rule})")
    for name in unconfirmed_holders(uow, app.holders):
        found.append(f"holder {name!r} is a proposed organisation an officer has not confirmed yet (Applicants "
                     "page): a grant would be refused until it is confirmed or merged into one of the directory")
    warnings = {m: list(found) for m in moves}
    blocked: dict[str, str] = {}
    if {"offer", "grant"} & set(moves):
        why = offer_blocker(uow, app, now)
        if why:
            blocked = {m: why for m in ("offer", "grant") if m in moves}
    return warnings, blocked, fee_rule


def application_page(uow: AbstractUnitOfWork, viewer: Viewer | None, jurisdiction: str, number: int,
                     now: datetime | None = None) -> ApplicationPage:
    """One application as `viewer` sees it (NotFound as for the register when it may not)."""
    now = now or datetime.now(timezone.utc)
    app = visible_application(uow, viewer, jurisdiction, number)
    full = full_view(app, viewer)
    page = ApplicationPage(app, application_view(app, full=full, geometry=True), full)
    with uow:
        page.timeline = _history(uow, app.ref)
        if full:
            page.documents = [(e.kind, e.at, d.name, d.sha256) for e in uow.cadastre.events(app.ref) for d in e.documents]
        if full:
            page.invoices = uow.cadastre.invoices(jurisdiction, application_number=number)
            org = None if sees_all(viewer) else app.applicant_org
            page.notices = [n for n in uow.priority.notices(jurisdiction=jurisdiction, application_number=number,
                                                            recipient_org=org)]
        if app.state == lc.GRANTED:
            page.title = next(iter(uow.cadastre.titles(jurisdiction, application_number=number)), None)
        if sees_all(viewer):
            page.moves = list(lc.APPLICATION_MOVES.get(app.state, {}))
            page.warnings, page.blocked, page.fee_rule = move_warnings(uow, app, page.invoices, now)
        elif owns(app, viewer) and "withdraw" in lc.APPLICATION_MOVES.get(app.state, {}):
            page.moves = ["withdraw"]
    if app.competition_group:
        page.group = show_group(uow, jurisdiction, app.competition_group, now=now)
    try:
        page.unverified_rules = unverified(rules_for(jurisdiction, app.received_at).title_type(app.title_type))
    except InvalidInput:
        page.unverified_rules = []
    return page


# --- an applicant's own ------------------------------------------------------------------------

@dataclass
class Mine:
    applications: list[Application]
    titles: list[Title]
    due: list[DueItem]
    unread: int


def mine(uow: AbstractUnitOfWork, viewer: Viewer, today: date | None = None) -> Mine:
    """An applicant organisation's applications (every state), its titles (held, or granted from
    its applications), what falls due on them in 90 days, and its unread notices."""
    org = viewer.organisation_id
    apps = sorted(visible_applications(uow, viewer), key=lambda a: a.received_at, reverse=True)
    numbers = {(a.jurisdiction, a.number) for a in apps if a.state == lc.GRANTED}
    with uow:  # only this organisation's titles are read: a national register holds a million
        held = {t.number: t for t in uow.cadastre.titles(holder_org=org)} if org else {}
        for t in uow.cadastre.titles_granted_from(numbers) if numbers else []:
            held.setdefault(t.number, t)
        unread = len(uow.priority.notices(recipient_org=org or "", unread_only=True))
    titles = sorted(held.values(), key=lambda t: t.number)
    refs = {t.number for t in titles} | {a.ref for a in apps}
    items = [i for i in due(uow, 90, today=today, refs=refs) if i.kind != "notice"]
    return Mine(apps, titles, items, unread)


# --- the queue's and the due list's filters --------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    state: str | None = None
    title_type: str | None = None
    since: date | None = None
    until: date | None = None
    competition: str | None = None  # "yes", "no", or a group ref such as PK-BA/G1

    @classmethod
    def parse(cls, state: str | None, title_type: str | None, since: str | None, until: str | None,
              competition: str | None) -> "QueueFilter":
        state = (state or "").strip().lower() or None
        if state and state not in lc.PENDING:
            raise InvalidInput(f"state must be one of {', '.join(sorted(lc.PENDING))}")
        days = []
        for name, raw in (("from", since), ("to", until)):
            try:
                days.append(date.fromisoformat(raw.strip()) if raw and raw.strip() else None)
            except ValueError:
                raise InvalidInput(f"{name}: give a date as YYYY-MM-DD, not {raw[:20]!r}") from None
        comp = (competition or "").strip() or None
        if comp and comp not in ("yes", "no") and "/G" not in comp:
            raise InvalidInput("competition must be yes, no or a group such as PK-BA/G1")
        return cls(state, (title_type or "").strip().upper() or None, days[0], days[1], comp)

    def keep(self, item: QueueItem, tz_day) -> bool:
        a = item.application
        day = tz_day(a)
        if self.state and a.state != self.state:
            return False
        if self.title_type and a.title_type != self.title_type:
            return False
        if self.since and day < self.since or self.until and day > self.until:
            return False
        if self.competition == "yes" and not a.competition_group:
            return False
        if self.competition == "no" and a.competition_group:
            return False
        if self.competition and self.competition not in ("yes", "no") and a.group_ref != self.competition:
            return False
        return True

    @property
    def active(self) -> bool:
        return any((self.state, self.title_type, self.since, self.until, self.competition))


def filter_queue(items: list[QueueItem], f: QueueFilter) -> list[QueueItem]:
    from maadan.cadastre.queue import local_day

    def day(a: Application) -> date:
        try:
            return local_day(a.received_at, rules_for(a.jurisdiction, a.received_at).timezone)
        except InvalidInput:
            return a.received_at.date()

    return [i for i in items if f.keep(i, day)]


DUE_KINDS = ("rent", "fee", "obligation", "expiry", "notice")


@dataclass(frozen=True)
class DueFilter:
    kind: str | None = None
    within: int = 30
    jurisdiction: str | None = None
    overdue: bool = False
    default: bool = False  # only titles in arrears beyond the grace period (before revocation)
    page: int = 1  # of DUE_PAGE items: a national register's list runs to thousands

    @classmethod
    def parse(cls, kind: str | None, within: str | None, jurisdiction: str | None, overdue: str | None,
              default: str | None, page: str | None = None) -> "DueFilter":
        kind = (kind or "").strip().lower() or None
        if kind and kind not in DUE_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(DUE_KINDS)}")
        try:
            days = int(within) if within not in (None, "") else 30
        except ValueError:
            raise InvalidInput("within: give a number of days") from None
        if not 0 <= days <= 3650:
            raise InvalidInput("within: between 0 and 3650 days")
        try:
            number = int(page) if page not in (None, "") else 1
        except ValueError:
            raise InvalidInput("page: give a page number") from None
        if not 1 <= number <= 10**6:
            raise InvalidInput("page: from 1")
        return cls(kind, days, (jurisdiction or "").strip().upper() or None, bool(overdue), bool(default), number)

    def query(self, **changes: Any) -> dict[str, str]:
        """The filter as query parameters (for the pages' links), with `changes`."""
        values = {"kind": self.kind, "within": self.within, "jurisdiction": self.jurisdiction,
                  "overdue": "1" if self.overdue else None, "default": "1" if self.default else None,
                  "page": self.page} | changes
        return {k: str(v) for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


DUE_PAGE = 100


def due_list(uow: AbstractUnitOfWork, f: DueFilter, today: date | None = None) -> list[DueItem]:
    items = due(uow, f.within, today=today, jurisdiction=f.jurisdiction)
    return [i for i in items if (not f.kind or i.kind == f.kind) and (not f.overdue or i.overdue_days > 0)
            and (not f.default or i.flag_revocation)]


MOVE_NEEDS_REASON = NEEDS_REASON | {"revoke"}


def queue_warnings(uow: AbstractUnitOfWork, apps: list[Application], now: datetime | None = None) -> dict[str, dict[str, list[str]]]:
    """ref -> move -> warnings, for the queue's confirmations (move_warnings of each application)."""
    now = now or datetime.now(timezone.utc)
    out: dict[str, dict[str, list[str]]] = {}
    with uow:
        for a in apps:
            invoices = uow.cadastre.invoices(a.jurisdiction, application_number=a.number)
            warnings, _, _ = move_warnings(uow, a, invoices, now)
            if any(warnings.values()):
                out[a.ref] = warnings
    return out
