"""What the home page shows: key numbers, the latest decisions from the audit log as the public
may see them, and what needs an officer's attention. Reads only, through the unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field

from maadan.agreements.service import latest_agreements  # noqa: F401  (the home page's latest agreements)
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service as cadastre
from maadan.cadastre import visibility
from maadan.cadastre.audit import Event
from maadan.cadastre.money import DueItem
from maadan.cadastre.visibility import Viewer
from maadan.overview import KeyNumbers, key_numbers  # noqa: F401  (the home page's numbers)
from maadan.store.uow import UnitOfWork

DECISION_KINDS = ("application.", "title.", "reserved.", "demo.")


@dataclass(frozen=True)
class PublicDecision:
    at: str
    kind: str
    subject: str
    actor_role: str  # the role, never the account name
    synthetic: bool


def actor_roles(uow: UnitOfWork, events: list[Event]) -> dict[str, str]:
    """actor string -> a role the public may see: the account's role for "user:NAME", "operator
    (command line)" for "cli:…", else "system". Call inside `with uow`."""
    out: dict[str, str] = {}
    for ev in events:
        if ev.actor in out:
            continue
        kind, _, name = ev.actor.partition(":")
        if kind == "user":
            user = uow.auth.user(name)
            out[ev.actor] = user.role if user else "former account"
        elif kind == "cli":
            out[ev.actor] = "operator (command line)"
        else:
            out[ev.actor] = "system"
    return out


SCAN_PAGE = 200  # events read per query, newest first
SCAN_LIMIT = 2_000  # the home page looks this far back for decisions the viewer may see


def latest_decisions(uow: UnitOfWork, viewer: Viewer | None = None, limit: int = 10) -> list[PublicDecision]:
    """The newest register events that record a decision or a change, newest first, as `viewer`
    (None: the public) may see them: an event about an application the viewer may not see
    (`cadastre.visibility`, e.g. a refused or withdrawn one for the public) is left out."""
    events: list[Event] = []
    apps: dict[str, bool] = {}
    with uow:
        end = uow.cadastre.count_events()
        floor = max(0, end - SCAN_LIMIT)
        while end > floor and len(events) < limit:
            start = max(floor, end - SCAN_PAGE)
            for e in reversed(uow.cadastre.events(limit=end - start, offset=start)):
                if e.kind.startswith(DECISION_KINDS) and _visible(uow, e, viewer, apps):
                    events.append(e)
                    if len(events) == limit:
                        break
            end = start
        roles = actor_roles(uow, events)
    return [PublicDecision(e.at, e.kind, e.subject, roles[e.actor],
                           bool(e.data.get("synthetic")) or "SYN-" in e.subject) for e in events]


def _visible(uow: UnitOfWork, event: Event, viewer: Viewer | None, seen: dict[str, bool]) -> bool:
    if not event.kind.startswith("application."):
        return True
    if event.subject not in seen:
        ref = visibility.parse_ref(event.subject)
        app = uow.cadastre.application(*ref) if ref else None
        seen[event.subject] = app is not None and visibility.can_see(app, viewer)
    return seen[event.subject]


@dataclass
class Attention:
    pending_by_state: dict[str, int]
    queue: int
    competing: int
    due: list[DueItem] = field(default_factory=list)
    overdue: int = 0
    flagged: int = 0


def officer_attention(uow: UnitOfWork, within_days: int = 30) -> Attention:
    """The applications queue by state and what falls due within `within_days` (overdue flagged)."""
    with uow:
        apps = uow.cadastre.applications(states=lc.PENDING)
    by_state = {s: 0 for s in lc.APPLICATION_MOVES if s in lc.PENDING}
    for a in apps:
        by_state[a.state] += 1
    items = cadastre.due(uow, within_days)
    return Attention(pending_by_state=by_state, queue=len(apps),
                     competing=sum(1 for a in apps if a.priority != "clear"), due=items,
                     overdue=sum(1 for i in items if i.overdue_days > 0),
                     flagged=sum(1 for i in items if i.flag_revocation))
