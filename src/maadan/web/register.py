"""The cadastre as the pages show it: the public register with its filters, one title, and the
officers' queue of pending applications with their legal next moves and decision history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service as cadastre
from maadan.cadastre.audit import Event
from maadan.cadastre.model import Application, Invoice, Obligation, Title
from maadan.cadastre.queue import offer_blocker
from maadan.errors import InvalidInput, NotFound
from maadan.store.uow import UnitOfWork
from maadan.web.overview import actor_roles

PAGE_SIZE = 50
NEEDS_REASON = frozenset({"refuse", "reject-incomplete"})


@dataclass(frozen=True)
class RegisterFilter:
    """The register's filters, checked once: unknown states and types say what is allowed."""

    jurisdiction: str | None = None
    title_type: str | None = None
    state: str | None = None
    page: int = 1

    @classmethod
    def parse(cls, jurisdiction: str | None, title_type: str | None, state: str | None, page: str | None,
              types: list[str]) -> "RegisterFilter":
        jurisdiction = (jurisdiction or "").strip().upper() or None
        if jurisdiction and jurisdiction not in cadastre.jurisdictions():
            raise InvalidInput(f"jurisdiction must be one of {', '.join(cadastre.jurisdictions())}")
        title_type = (title_type or "").strip().upper() or None
        if title_type and title_type not in types:
            raise InvalidInput(f"type must be one of {', '.join(types)}")
        state = (state or "").strip().lower() or None
        if state and state not in lc.TITLE_MOVES and state not in lc.PENDING:
            raise InvalidInput(f"state must be one of {', '.join([*lc.TITLE_MOVES, *sorted(lc.PENDING)])}")
        try:
            n = int(page or 1)
        except ValueError:
            raise InvalidInput("page must be a whole number") from None
        return cls(jurisdiction, title_type, state, max(1, min(n, 100_000)))

    def query(self, **changes: Any) -> dict[str, str]:
        values = {"jurisdiction": self.jurisdiction, "type": self.title_type, "state": self.state, "page": self.page}
        values |= changes
        return {k: str(v) for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


def title_types() -> list[str]:
    """Every title type code in the rules of any jurisdiction, plus the synthetic demo's."""
    today = date.today()
    codes = {code for j in cadastre.jurisdictions() for code in cadastre.rules_for(j, today).title_types}
    return sorted(codes | {"EL", "ML", "SSML", "SSPL"})


@dataclass
class RegisterPage:
    filters: RegisterFilter
    titles: list[Title]
    titles_total: int
    applications: list[Application]
    synthetic_titles: int
    pages: int


def register_page(uow: UnitOfWork, f: RegisterFilter) -> RegisterPage:
    """One page of titles and every pending application that pass the filters."""
    title_states = [f.state] if f.state in lc.TITLE_MOVES else (None if not f.state else [])
    app_states = [f.state] if f.state in lc.PENDING else (lc.PENDING if not f.state else [])
    offset = (f.page - 1) * PAGE_SIZE
    with uow:
        if title_states == []:
            titles, total = [], 0
        else:  # filtered, counted and paged in SQL
            total = uow.cadastre.count_titles(f.jurisdiction, states=title_states, title_type=f.title_type)
            titles = uow.cadastre.titles(f.jurisdiction, title_states, limit=PAGE_SIZE, offset=offset,
                                         title_type=f.title_type)
        apps = [a for a in uow.cadastre.applications(f.jurisdiction, app_states)
                if f.title_type is None or a.title_type == f.title_type] if app_states else []
        synthetic = uow.cadastre.count_titles(f.jurisdiction, synthetic=True)
    return RegisterPage(f, titles, total, apps, synthetic, max(1, -(-total // PAGE_SIZE)))


@dataclass
class TitlePage:
    title: Title
    obligations: list[Obligation]
    invoices: list[Invoice]


def title_page(uow: UnitOfWork, number: str) -> TitlePage:
    with uow:
        t = uow.cadastre.title(number)
        if t is None:
            raise NotFound("title", number)
        return TitlePage(t, uow.cadastre.obligations(number), uow.cadastre.invoices(title_number=number))


# --- the officers' queue -----------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryLine:
    at: str
    kind: str
    actor: str
    role: str
    reason: str | None
    data: dict[str, Any]


@dataclass
class QueueItem:
    application: Application
    moves: list[str]  # legal next actions, in the lifecycle's order
    history: list[HistoryLine] = field(default_factory=list)
    blocked: dict[str, str] = field(default_factory=dict)  # move -> why the queue does not allow it yet

    @property
    def waits_on(self) -> list[str]:
        """Earlier claims on its ground (titles, reserved areas, groups, applications)."""
        return [f"{kind} {ref}" for kind, ref in self.application.waits_on]


@dataclass
class Queue:
    items: list[QueueItem]
    decided: list[tuple[str, HistoryLine]]  # (application ref, a decision on it), newest first


def _history(events: list[Event], roles: dict[str, str]) -> list[HistoryLine]:
    return [HistoryLine(e.at, e.kind.removeprefix("application."), e.actor.removeprefix("user:"), roles[e.actor],
                        e.reason, e.data) for e in events]


def queue(uow: UnitOfWork, recent: int = 15) -> Queue:
    """Pending applications in priority (number) order with their legal moves and who did what;
    and the latest decided applications."""
    now = datetime.now(timezone.utc)
    with uow:
        apps = uow.cadastre.applications(states=lc.PENDING)
        events = [e for e in uow.cadastre.events() if e.kind.startswith("application.")]
        roles = actor_roles(uow, events)
        blocked = {}
        for a in apps:
            if {"offer", "grant"} & set(lc.APPLICATION_MOVES[a.state]):
                why = offer_blocker(uow, a, now)
                if why:
                    blocked[a.ref] = why
    by_subject: dict[str, list[Event]] = {}
    for e in events:
        by_subject.setdefault(e.subject, []).append(e)
    items = [QueueItem(a, list(lc.APPLICATION_MOVES[a.state]), _history(by_subject.get(a.ref, []), roles),
                       {m: blocked[a.ref] for m in ("offer", "grant") if a.ref in blocked})
             for a in sorted(apps, key=lambda a: (a.jurisdiction, a.number))]
    decided = [(e.subject, _history([e], roles)[0]) for e in reversed(events)
               if e.kind != "application.received"][:recent]
    return Queue(items, decided)


def decide(uow: UnitOfWork, jurisdiction: str, number: int, action: str, actor: str, reason: str | None):
    """An officer's decision from the queue form: the reason is required where the rules ask for one."""
    reason = (reason or "").strip() or None
    if action in NEEDS_REASON and not reason:
        raise InvalidInput(f"{action}: give the reason for the decision")
    return cadastre.decide(uow, jurisdiction, number, action, actor, reason)
