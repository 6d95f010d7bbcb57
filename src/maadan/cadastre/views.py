"""The read side of the cadastre: what the public, an applicant, an officer and an admin see of
titles, applications and checks, for every adapter (CLI, REST, OGC, web) alike.

- The public sees titles and pending applications (received, under review, offered: others may
  object to them): applicants' names, never beneficial owners, applicant accounts, fees or
  documents; a refused, withdrawn or decided application is not public.
- An applicant sees its own organisation's applications in full, and others' as the public does.
- Officers and admins see every application in full.
Whatever a viewer may not see does not exist for them: it answers as a missing one would (404), so
no one learns which numbers exist. This module is the one place that rule lives (`can_see`,
`full_view`): the REST API, the OGC API, the pages and the home page's decisions ask it.
Views are plain values (dicts of JSON-ready values; dates as date or datetime, which each renderer
writes its own way); the pages also get the register page, one title and the officers' queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Protocol

import shapely.geometry

from maadan import actors
from maadan.auth.model import User
from maadan.cadastre import lifecycle as lc
from maadan.cadastre import rulebook
from maadan.cadastre import service as cadastre
from maadan.cadastre.applications import CheckReport
from maadan.cadastre.audit import Event
from maadan.cadastre.model import Application, Conflict, Holder, Invoice, Obligation, Title
from maadan.cadastre.queue import offer_blocker
from maadan.cadastre.queue_views import queue_fields
from maadan.cadastre.register import actor_roles
from maadan.errors import InvalidInput, NotFound
from maadan.serialize import to_jsonable
from maadan.unit_of_work import AbstractUnitOfWork

if TYPE_CHECKING:
    from maadan.cadastre.competition import GroupView

Audience = Literal["public", "applicant", "officer", "admin"]


def audience(user: User | None) -> Audience:
    return "public" if user is None else user.role  # type: ignore[return-value]


# --- one view of each thing --------------------------------------------------------------------

def _geometry(g: Any) -> dict[str, Any]:
    return shapely.geometry.mapping(g)


def conflict_view(c: Conflict) -> dict[str, Any]:
    return {"kind": c.kind, "ref": c.ref, "overlap_km2": c.overlap_km2, "note": c.note}


def holder_view(h: Holder) -> dict[str, Any]:
    """A holder as the public register shows it."""
    return {"name": h.name, "share_pct": h.share_pct, "country": h.country, "kind": h.kind}


def title_view(t: Title, *, geometry: bool = False) -> dict[str, Any]:
    """A title as anyone may see it (titles are public)."""
    out: dict[str, Any] = {
        "number": t.number, "jurisdiction": t.jurisdiction, "type": t.title_type, "state": t.state,
        "area_km2": t.area_km2, "granted_on": t.granted_on, "expires_on": t.expires_on, "renewals": t.renewals,
        "holders": [holder_view(h) for h in t.holders], "minerals": list(t.minerals),
        "rules_version": t.rules_version, "rules_basis": t.rules_basis, "synthetic": t.synthetic}
    if geometry:
        out["geometry"] = _geometry(t.geometry)
    return out


def application_view(a: Application, full: bool = False, *, geometry: bool = False) -> dict[str, Any]:
    """An application as the public register shows it, or `full` (its applicant, officers, admins):
    with its holders and their owners, the filing organisation, the fee, the rules and the conflicts."""
    out: dict[str, Any] = {
        "ref": a.ref, "number": a.number, "jurisdiction": a.jurisdiction, "type": a.title_type, "state": a.state,
        **queue_fields(a), "received_at": a.received_at, "area_km2": a.area_km2,
        "applicants": [h.name for h in a.holders], "minerals": list(a.minerals), "synthetic": a.synthetic,
        "rules_basis": a.rules_basis}
    if full:
        out |= {"holders": [{"name": h.name, "share_pct": h.share_pct, "country": h.country, "kind": h.kind,
                             "organisation_id": h.organisation_id, "body_corporate": h.body_corporate,
                             "beneficial_owners": list(h.beneficial_owners),
                             "shareholders": None if h.shareholders is None else
                             [{"name": n, "share_pct": p} for n, p in h.shareholders],
                             "local_to": None if h.local_to is None else list(h.local_to)} for h in a.holders],
                "applicant_org": a.applicant_org, "rules_version": a.rules_version,
                "fee": {"amount": a.fee_amount, "currency": a.fee_currency, "verified": a.fee_verified},
                "conflicts": [conflict_view(c) for c in a.conflicts]}
    if geometry:
        out["geometry"] = _geometry(a.geometry)
    return out


def check_view(r: CheckReport, *, geometry: bool = True) -> dict[str, Any]:
    """The report of every check an area gets, the same for the CLI and the API."""
    out: dict[str, Any] = {
        "ok": r.ok, "jurisdiction": r.jurisdiction, "title_type": r.title_type, "rules_version": r.rules_version,
        "area_km2": r.area_km2, "vertex_count": r.vertex_count,
        "fee": {"amount": r.fee_amount, "currency": r.fee_currency, "verified": r.fee_verified},
        "unverified_rules": r.unverified, "problems": r.problems,
        "conflicts": [conflict_view(c) for c in r.conflicts], "rules": r.rules, "notes": r.notes}
    if geometry and r.geometry is not None:
        out["area"] = _geometry(r.geometry)
    return out


# --- who sees which applications ---------------------------------------------------------------

PUBLIC_STATES = lc.PENDING  # the applications the public register shows


class Viewer(Protocol):
    """Who is looking (an account; None for the public)."""

    role: str
    organisation_id: str | None


# What a public vector tile carries of a title or an application (ogc/tiles, both stores): the
# number (an application's ref), type, state, holders' names and the synthetic flag. Titles are
# public; of the applications only those in PUBLIC_STATES, and of them only the applicants'
# names the public register shows. The PostGIS tile query (store/tiles_repository.py) reads the
# same columns; tests/integration/api/test_ogc_tiles.py decodes both encoders and compares them.
TILE_FIELDS = ("number", "type", "state", "holder", "synthetic")
TILE_APPLICATION_STATES = PUBLIC_STATES
HOLDER_SEPARATOR = "; "


def tile_properties(number: str, title_type: str, state: str, holder_names: list[str],
                    synthetic: bool) -> dict[str, Any]:
    """A title's or a public application's properties in a vector tile (holders by name, in order)."""
    return {"number": number, "type": title_type, "state": state,
            "holder": HOLDER_SEPARATOR.join(holder_names) or None, "synthetic": bool(synthetic)}


def map_bounds(uow: AbstractUnitOfWork) -> tuple[float, float, float, float] | None:
    """Where the map opens: the envelope of every title (None when there is none), so the page
    asks for the tiles of that view at once instead of a first view and then another."""
    with uow:
        return uow.tiles.titles_bounds()


def sees_all(viewer: Viewer | None) -> bool:
    """Officers and admins see every application."""
    return viewer is not None and viewer.role in ("officer", "admin")


def owns(app: Application, viewer: Viewer | None) -> bool:
    """An applicant sees everything of its own organisation's applications."""
    return (viewer is not None and viewer.role == "applicant" and app.applicant_org is not None
            and app.applicant_org == viewer.organisation_id)


def can_see(app: Application, viewer: Viewer | None) -> bool:
    """Whether the application exists for this viewer (None: the public)."""
    return sees_all(viewer) or owns(app, viewer) or app.state in PUBLIC_STATES


def full_view(app: Application, viewer: Viewer | None) -> bool:
    """Whether the viewer sees the holders' details, the fee and the applicant organisation."""
    return sees_all(viewer) or owns(app, viewer)


def parse_ref(ref: str) -> tuple[str, int] | None:
    """("PK-BA", 12) for the reference "PK-BA/A12" (as audit events name applications), else None."""
    jurisdiction, sep, number = ref.rpartition("/A")
    if not sep or not jurisdiction or not number.isdigit() or len(number) > 10:
        return None
    return jurisdiction, int(number)


def visible_applications(uow: AbstractUnitOfWork, user: Viewer | None, jurisdiction: str | None = None,
                         state: str | None = None, *, everything: bool = False) -> list[Application]:
    """The applications `user` may list: all for officers (and for the command line's operator,
    `everything`), its organisation's for an applicant, public ones for the public."""
    if state and state not in lc.APPLICATION_MOVES:
        raise InvalidInput(f"state must be one of {', '.join(lc.APPLICATION_MOVES)}")
    with uow:
        if everything or sees_all(user):
            return uow.cadastre.applications(jurisdiction, [state] if state else None)
        if user is not None and user.role == "applicant":
            return uow.cadastre.applications(jurisdiction, [state] if state else None,
                                             applicant_org=user.organisation_id)
        states = [state] if state in PUBLIC_STATES else (PUBLIC_STATES if not state else [])
        return uow.cadastre.applications(jurisdiction, states)


def visible_application(uow: AbstractUnitOfWork, user: Viewer | None, jurisdiction: str, number: int) -> Application:
    """The application if it exists for `user`; NotFound when it does not exist or `user` may not
    see it (the same answer, so that no one learns which numbers exist)."""
    with uow:
        app = uow.cadastre.application(jurisdiction, number)
    if app is None or not can_see(app, user):
        raise NotFound("application", f"{jurisdiction}/A{number}")
    return app


def application_for(uow: AbstractUnitOfWork, user: Viewer | None, jurisdiction: str, number: int) -> dict[str, Any]:
    """One application as `user` may see it, with its geometry (NotFound as `visible_application`)."""
    app = visible_application(uow, user, jurisdiction, number)
    return application_view(app, full=full_view(app, user), geometry=True)


def titles_page(uow: AbstractUnitOfWork, jurisdiction: str | None = None, state: str | None = None,
                title_type: str | None = None, *, limit: int, offset: int = 0) -> tuple[list[Title], int]:
    """One page of the register of titles (titles are public) and how many match, filtered and paged in SQL."""
    if state and state not in lc.TITLE_MOVES:
        raise InvalidInput(f"state must be one of {', '.join(lc.TITLE_MOVES)}")
    title_type = title_type.strip().upper() if title_type else None
    states = [state] if state else None
    with uow:
        total = uow.cadastre.count_titles(jurisdiction, states=states, title_type=title_type)
        return uow.cadastre.titles(jurisdiction, states, limit=limit, offset=offset, title_type=title_type), total


def title_detail(uow: AbstractUnitOfWork, number: str) -> dict[str, Any]:
    """One title with its geometry, obligations and invoices (what is outstanding on each)."""
    page = title_page(uow, number)
    return title_view(page.title, geometry=True) | {
        "obligations": [to_jsonable(o) for o in page.obligations],
        "invoices": [to_jsonable(i) | {"outstanding": i.outstanding} for i in page.invoices]}


def events_page(uow: AbstractUnitOfWork, subject: str | None = None, *, limit: int | None = None,
                offset: int = 0) -> tuple[list[Event], int]:
    """A page of the register of changes, oldest first, and how many events it holds (paged in SQL:
    the register only grows)."""
    with uow:
        return uow.cadastre.events(subject, limit=limit, offset=offset), uow.cadastre.count_events(subject)


def public_register(uow: AbstractUnitOfWork, jurisdiction: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every title and pending application as the public may see them, with their geometry."""
    with uow:
        titles = uow.cadastre.titles(jurisdiction)
        apps = uow.cadastre.applications(jurisdiction, PUBLIC_STATES)
    return {"titles": [title_view(t, geometry=True) for t in titles],
            "applications": [application_view(a, geometry=True) for a in apps]}


# --- the pages: the register with its filters, one title, the officers' queue -------------------

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


def register_page(uow: AbstractUnitOfWork, f: RegisterFilter) -> RegisterPage:
    """One page of titles and every pending application that pass the filters."""
    title_states = [f.state] if f.state in lc.TITLE_MOVES else (None if not f.state else [])
    app_states = [f.state] if f.state in PUBLIC_STATES else (PUBLIC_STATES if not f.state else [])
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


def title_page(uow: AbstractUnitOfWork, number: str) -> TitlePage:
    with uow:
        found = uow.cadastre.title_with_dues(number)
    if found is None:
        raise NotFound("title", number)
    return TitlePage(*found)


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
    return [HistoryLine(e.at, e.kind.removeprefix("application."), actors.name_of(e.actor), roles[e.actor],
                        e.reason, e.data) for e in events]


def queue(uow: AbstractUnitOfWork, recent: int = 15) -> Queue:
    """Pending applications in priority (number) order with their legal moves and who did what;
    and the latest decided applications."""
    now = datetime.now(timezone.utc)
    with uow:
        apps = uow.cadastre.applications(states=lc.PENDING)
        events = uow.cadastre.events_of([a.ref for a in apps], "application.")  # by subject: not the whole register
        latest = uow.cadastre.latest_events("application.", recent, exclude=["application.received"])
        roles = actor_roles(uow, events + latest)
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
    decided = [(e.subject, _history([e], roles)[0]) for e in latest]
    return Queue(items, decided)


def decide(uow: AbstractUnitOfWork, jurisdiction: str, number: int, action: str, actor: str, reason: str | None):
    """An officer's decision from the queue form: the reason is required where the rules ask for one."""
    reason = (reason or "").strip() or None
    if action in NEEDS_REASON and not reason:
        raise InvalidInput(f"{action}: give the reason for the decision")
    return cadastre.decide(uow, jurisdiction, number, action, actor, reason)


# --- the rules for people: versions, status, every value with its basis, differences -------------

def _jurisdiction_code(jurisdiction: str) -> str:
    code = (jurisdiction or "").strip().upper()
    if code not in cadastre.jurisdictions():
        raise NotFound("jurisdiction", code or jurisdiction, cadastre.jurisdictions())
    return code


def rules_index(at: date) -> dict[str, Any]:
    """Every jurisdiction with the version applied on `at` and the share of its values verified."""
    return {"at": at.isoformat(), "jurisdictions": rulebook.census_table(cadastre.CACHES.rules(), at)}


def rules_of(jurisdiction: str, at: date, *, values: bool = True) -> dict[str, Any]:
    """A jurisdiction's rule versions as of `at` (rulebook.jurisdiction_view)."""
    return rulebook.jurisdiction_view(cadastre.CACHES.rules(), _jurisdiction_code(jurisdiction), at, values=values)


def rules_diff(jurisdiction: str, version_a: str, version_b: str) -> dict[str, Any]:
    """What changes from one rule version of a jurisdiction to another (rulebook.diff_view)."""
    return rulebook.diff_view(cadastre.CACHES.rules(), _jurisdiction_code(jurisdiction), version_a.strip(),
                              version_b.strip())


# --- competition groups ------------------------------------------------------------------------

def _member(a: Application, viewer: Viewer | None, everything: bool) -> dict[str, Any]:
    """A member as the viewer may see it. An application the viewer may not see (refused, withdrawn
    or decided, and not its own) keeps only its number, which the decision's draw and ranking need
    so that anyone can re-run them: its applicants, area and dates are withheld."""
    if not everything and not can_see(a, viewer):
        return {"ref": a.ref, "number": a.number, "withheld": True}
    full = everything or full_view(a, viewer)
    out = {"ref": a.ref, "number": a.number, "type": a.title_type, "state": a.state, "priority": a.priority,
           "received_at": a.received_at.isoformat(), "area_km2": a.area_km2,
           "applicants": [h.name for h in a.holders], "synthetic": a.synthetic}
    if full:
        out["applicant_org"] = a.applicant_org
    return out


def group_json(v: GroupView, viewer: Viewer | None = None, *, everything: bool = False) -> dict[str, Any]:
    """A group as `viewer` may see it (None: the public; `everything`: the operator's CLI). Members
    follow the applications' visibility (officers and the applicant's organisation also see the
    applicant organisation). Sealed bid amounts appear only once the group is decided (then with
    their salts, so commitments can be checked)."""
    g = v.group
    out: dict[str, Any] = {
        "ref": g.ref, "jurisdiction": g.jurisdiction, "number": g.number, "state": g.state,
        "local_date": g.local_date.isoformat(), "timezone": g.timezone, "formed_at": g.formed_at.isoformat(),
        "members": [_member(a, viewer, everything) for a in v.members],
        "method": {"method": v.rule.method, "losers": v.rule.losers, "legal_basis": v.rule.legal_basis,
                   "verified": v.rule.verified, "bid_days": v.rule.bid_days, "note": v.rule.note,
                   "rules": f"{v.rules_name} {v.rules_version}"},
        "decidable_from": v.decidable_from.isoformat(), "seed_time": v.seed_time.isoformat(),
        "seed": {"value": v.seed.value, "source": v.seed.source, "ref": v.seed.ref,
                 "fixed_at": v.seed.fixed_at.isoformat()} if v.seed else None,
    }
    if v.bid_deadline is not None:
        out["bid_deadline"] = v.bid_deadline.isoformat()
        out["bids"] = {"received": len(v.bid_commitments), "commitments": v.bid_commitments}
    if g.state == "merged":
        out["merged_into"] = f"{g.jurisdiction}/G{g.merged_into}"
    if g.closed_at:
        out["closed_at"] = g.closed_at.isoformat()
    if g.state == "decided" and g.outcome:
        out["decision"] = {k: g.outcome.get(k) for k in ("winner", "ranking", "results", "reason", "draw", "bids",
                                                           "bid_deadline", "rules_version") if k in g.outcome}
        out["decision"]["decided_by"] = g.decided_by
        out["decision"]["method"] = g.method
        if v.draw_check is not None:
            out["decision"]["draw_reproduced"] = v.draw_check
    return out
