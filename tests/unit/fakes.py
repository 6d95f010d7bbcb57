"""An in-memory unit of work for fast tests of the use cases (cosmicpython's FakeUnitOfWork): the
repositories the cadastre, agreements and news services use, on plain lists and dicts. Changes are
kept by commit() and dropped when the block is left without it, as with the real one."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import Any, Iterable

import shapely

from maadan.agreements.model import Agreement
from maadan.audit.model import StoredCheckpoint
from maadan.cadastre.audit import Event
from maadan.cadastre.lifecycle import PENDING
from maadan.cadastre.model import Application, Invoice, Obligation, Title, TitleStanding
from maadan.cadastre.queue_model import CompetitionGroup, Notice, SealedBid
from maadan.errors import Conflict
from maadan.minerals.model import Mineral
from maadan.news.review import NewsDocument, Proposal
from maadan.organisations.model import Organisation

_ids = itertools.count(1)


class FakeCadastre:
    def __init__(self) -> None:
        self.counters: dict[str, dict[str, int]] = {}
        self.apps: list[Application] = []
        self.titles_: list[Title] = []
        self.invoices_: list[Invoice] = []
        self.obligations_: list[Obligation] = []
        self.events_: list[Event] = []
        self.reserved_: list[dict[str, Any]] = []

    def lock(self, jurisdiction: str) -> int:
        return self.counters.setdefault(jurisdiction, {"last": 0, "spatial": 0})["last"]

    def set_last_application(self, jurisdiction: str, number: int) -> None:
        self.counters[jurisdiction]["last"] = number

    def bump_spatial(self, jurisdiction: str) -> None:
        self.lock(jurisdiction)
        self.counters[jurisdiction]["spatial"] += 1

    def spatial_version(self, jurisdiction: str) -> int:
        return self.counters.get(jurisdiction, {}).get("spatial", 0)

    def spatial_changes(self, jurisdiction: str, after: int, upto: int) -> None:
        return None  # no change log kept here: an index rebuilds, which is always correct

    def spatial_change_boxes(self, jurisdiction: str, after: int, upto: int) -> None:
        return None  # likewise: a tile cache builds its tiles again

    def spatial_rows(self, jurisdiction: str, pending_states: Iterable[str], keys=None) -> list[tuple[str, str, bytes]]:
        states = set(pending_states)
        return ([("title", t.number, shapely.to_wkb(t.geometry)) for t in self.titles_
                 if t.jurisdiction == jurisdiction and t.state == "active"]
                + [("application", str(a.number), shapely.to_wkb(a.geometry)) for a in self.apps
                   if a.jurisdiction == jurisdiction and a.state in states]
                + [("reserved", r["name"], shapely.to_wkb(r["geometry"])) for r in self.reserved_
                   if r["jurisdiction"] == jurisdiction])

    def add_application(self, app: Application) -> int:
        app.id = next(_ids)
        self.apps.append(copy.deepcopy(app))
        return app.id

    def _with_competitors(self, a: Application) -> Application:
        out = copy.deepcopy(a)
        out.competing_with = [o.number for o in self.apps if o.jurisdiction == a.jurisdiction and o.number != a.number
                              and a.competition_group is not None and o.competition_group == a.competition_group
                              and o.state in PENDING]
        return out

    def application(self, jurisdiction: str, number: int) -> Application | None:
        return next((self._with_competitors(a) for a in self.apps if a.jurisdiction == jurisdiction
                     and a.number == number), None)

    def applications(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
                     applicant_org: str | None = None, numbers: Iterable[int] | None = None) -> list[Application]:
        states = set(states) if states is not None else None
        wanted = None if numbers is None else set(numbers)
        return [self._with_competitors(a) for a in sorted(self.apps, key=lambda a: (a.jurisdiction, a.number))
                if (not jurisdiction or a.jurisdiction == jurisdiction) and (states is None or a.state in states)
                and (applicant_org is None or a.applicant_org == applicant_org)
                and (wanted is None or a.number in wanted)]

    def application_keys(self, jurisdiction: str | None = None,
                         states: Iterable[str] | None = None) -> list[tuple[str, int]]:
        return [(a.jurisdiction, a.number) for a in self.applications(jurisdiction, states)]

    def last_received_at(self, jurisdiction: str) -> datetime | None:
        return max((a.received_at for a in self.apps if a.jurisdiction == jurisdiction), default=None)

    def set_queue_state(self, app_id: int, priority: str, competition_group: int | None,
                        waits_on: list[tuple[str, str]]) -> None:
        for a in self.apps:
            if a.id == app_id:
                a.priority, a.competition_group, a.waits_on = priority, competition_group, list(waits_on)

    def set_application_area(self, app_id: int, geometry: Any, area_km2: float) -> None:
        for a in self.apps:
            if a.id == app_id:
                a.geometry, a.area_km2 = geometry, area_km2

    def update_title(self, title: Title) -> None:
        self.titles_ = [copy.deepcopy(title) if t.id == title.id else t for t in self.titles_]

    def set_application_state(self, app_id: int, state: str, priority: str | None = None) -> None:
        for a in self.apps:
            if a.id == app_id:
                a.state = state
                a.priority = priority or a.priority

    def add_title(self, title: Title) -> int:
        title.id = next(_ids)
        self.titles_.append(copy.deepcopy(title))
        return title.id

    def title(self, number: str) -> Title | None:
        return next((copy.deepcopy(t) for t in self.titles_ if t.number == number), None)

    def titles(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
               limit: int | None = None, after_id: int | None = None, application_number: int | None = None,
               expiring_by: date | None = None, **_: Any) -> list[Title]:
        states = set(states) if states is not None else None
        found = [copy.deepcopy(t) for t in self.titles_
                 if (not jurisdiction or t.jurisdiction == jurisdiction) and (states is None or t.state in states)
                 and (after_id is None or (t.id or 0) > after_id)
                 and (application_number is None or t.application_number == application_number)
                 and (expiring_by is None or (t.expires_on is not None and t.expires_on <= expiring_by))]
        return found[:limit] if limit is not None else found

    def titles_numbered(self, numbers: Iterable[str]) -> list[Title]:
        wanted = set(numbers)
        return [copy.deepcopy(t) for t in self.titles_ if t.number in wanted]

    def title_standings(self, numbers: Iterable[str] | None = None, *, jurisdiction: str | None = None,
                        states: Iterable[str] | None = None) -> dict[str, TitleStanding]:
        wanted = None if numbers is None else set(numbers)
        return {t.number: TitleStanding(t.number, t.jurisdiction, t.title_type, t.state, t.area_km2, t.granted_on)
                for t in self.titles(jurisdiction, states) if wanted is None or t.number in wanted}

    def next_title_seq(self, jurisdiction: str, title_type: str, year: int) -> int:
        return sum(1 for t in self.titles_ if t.number.startswith(f"{jurisdiction}/{title_type}/{year}/")) + 1

    def add_invoice(self, jurisdiction: str, inv: Invoice) -> int:
        inv = replace(inv, id=next(_ids))
        self.invoices_.append(inv)
        return inv.id

    def add_invoices(self, jurisdiction: str, invoices: list[Invoice]) -> None:
        for inv in invoices:
            inv.id = self.add_invoice(jurisdiction, inv)

    def invoiced_titles(self, jurisdiction: str, kind: str, period: str) -> set[str]:
        return {i.title_number for i in self.invoices_ if i.kind == kind and i.period == period and i.title_number}

    def invoices(self, jurisdiction: str | None = None, title_number: str | None = None,
                 application_number: int | None = None, invoice_id: int | None = None,
                 outstanding_by: date | None = None) -> list[Invoice]:
        return [i for i in self.invoices_ if (title_number is None or i.title_number == title_number)
                and (application_number is None or i.application_number == application_number)
                and (invoice_id is None or i.id == invoice_id)
                and (outstanding_by is None or (i.paid < i.amount and i.due_on <= outstanding_by))]

    def add_obligation(self, ob: Obligation) -> None:
        self.obligations_.append(replace(ob, id=next(_ids)))

    def obligations(self, title_number: str | None = None, open_by: date | None = None) -> list[Obligation]:
        return [o for o in self.obligations_ if (title_number is None or o.title_number == title_number)
                and (open_by is None or (o.met_on is None and o.due_on <= open_by))]

    def last_event(self) -> Event | None:
        return self.events_[-1] if self.events_ else None

    def append_event(self, ev: Event) -> None:
        self.events_.append(ev)

    def events(self, subject: str | None = None, limit: int | None = None, offset: int = 0) -> list[Event]:
        found = [e for e in self.events_ if subject is None or e.subject == subject][offset:]
        return found[:limit] if limit is not None else found


class FakeAudit:
    """The register's tree and checkpoints; its events are the cadastre fake's list (one table)."""

    def __init__(self, cadastre: FakeCadastre) -> None:
        self.cadastre = cadastre
        self.nodes_: dict[tuple[int, int], bytes] = {}
        self.checkpoints_: list[StoredCheckpoint] = []
        self.keys_: list[tuple[str, str, datetime]] = []

    def lock(self, name: str) -> None:
        self.cadastre.lock(name)

    def last_event(self) -> Event | None:
        return self.cadastre.last_event()

    def append_event(self, ev: Event) -> None:
        self.cadastre.append_event(ev)

    def size(self) -> int:
        return len(self.cadastre.events_)

    def event_rows(self, seq: int, limit: int, until: int | None = None) -> list[tuple]:
        return [(e.seq, e.at, e.actor, e.kind, e.subject, copy.deepcopy(e.data), [[d.name, d.sha256] for d in e.documents],
                 e.reason, e.prev_hash, e.hash, e.salt, e.leaf_hash)
                for e in self.cadastre.events_ if e.seq > seq and (until is None or e.seq <= until)][:limit]

    def events_after(self, seq: int, limit: int, until: int | None = None) -> list[Event]:
        return [e for e in self.cadastre.events_ if e.seq > seq and (until is None or e.seq <= until)][:limit]

    def event(self, seq: int) -> Event | None:
        return next((e for e in self.cadastre.events_ if e.seq == seq), None)

    def hashes(self, level: int, first: int, last: int) -> list[bytes]:
        if level == 0:
            return [bytes.fromhex(e.leaf_hash) for e in self.cadastre.events_ if first < e.seq <= last]
        return [self.nodes_[(level, i)] for i in range(first, last) if (level, i) in self.nodes_]

    def add_nodes(self, nodes: list[tuple[int, int, bytes]]) -> None:
        self.nodes_.update({(level, index): h for level, index, h in nodes})

    def nodes(self) -> dict[tuple[int, int], bytes]:
        return dict(self.nodes_)

    def add_checkpoint(self, tree_size: int, root_hash: str, signed_at: datetime, origin: str, key_id: str,
                       note: str) -> int:
        cid = len(self.checkpoints_) + 1
        self.checkpoints_.append(StoredCheckpoint(cid, tree_size, root_hash, signed_at, origin, key_id, note))
        return cid

    def checkpoints(self, limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[StoredCheckpoint]:
        found = (self.checkpoints_[::-1] if newest_first else list(self.checkpoints_))[offset:]
        return found[:limit] if limit is not None else found

    def count_checkpoints(self) -> int:
        return len(self.checkpoints_)

    def checkpoint(self, checkpoint_id: int) -> StoredCheckpoint | None:
        return next((c for c in self.checkpoints_ if c.id == checkpoint_id), None)

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        return self.checkpoints_[-1] if self.checkpoints_ else None

    def checkpoint_of_size(self, tree_size: int) -> StoredCheckpoint | None:
        return next((c for c in reversed(self.checkpoints_) if c.tree_size == tree_size), None)

    def first_checkpoint_after(self, moment: datetime) -> StoredCheckpoint | None:
        later = [c for c in self.checkpoints_ if c.signed_at > moment]
        return min(later, key=lambda c: (c.signed_at, c.id)) if later else None

    def add_key(self, vkey: str, key_id: str, first_used: datetime) -> None:
        if all(k[0] != vkey for k in self.keys_):
            self.keys_.append((vkey, key_id, first_used))

    def keys(self) -> list[tuple[str, str, datetime]]:
        return sorted(self.keys_, key=lambda k: (k[2], k[0]))


class FakePriority:
    """Competition groups, sealed bids and notices, and the queue's look-ups over the fake cadastre."""

    def __init__(self, cadastre: FakeCadastre) -> None:
        self.cad = cadastre
        self.groups_: list[CompetitionGroup] = []
        self.bids_: list[SealedBid] = []
        self.notices_: list[Notice] = []

    def groups(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
               numbers: Iterable[int] | None = None) -> list[CompetitionGroup]:
        states = set(states) if states is not None else None
        numbers = set(numbers) if numbers is not None else None
        return [copy.deepcopy(g) for g in sorted(self.groups_, key=lambda g: (g.jurisdiction, g.number))
                if (not jurisdiction or g.jurisdiction == jurisdiction) and (states is None or g.state in states)
                and (numbers is None or g.number in numbers)]

    def group(self, jurisdiction: str, number: int) -> CompetitionGroup | None:
        found = self.groups(jurisdiction, numbers=[number])
        return found[0] if found else None

    def next_group_number(self, jurisdiction: str) -> int:
        return max((g.number for g in self.groups_ if g.jurisdiction == jurisdiction), default=0) + 1

    def add_group(self, g: CompetitionGroup) -> None:
        g.id = next(_ids)
        self.groups_.append(copy.deepcopy(g))

    def update_group(self, g: CompetitionGroup) -> None:
        self.groups_ = [copy.deepcopy(g) if o.id == g.id else o for o in self.groups_]

    def add_bid(self, b: SealedBid) -> None:
        b.id = next(_ids)
        self.bids_.append(copy.deepcopy(b))

    def bids(self, jurisdiction: str, group_number: int) -> list[SealedBid]:
        return sorted((copy.deepcopy(b) for b in self.bids_ if b.jurisdiction == jurisdiction
                       and b.group_number == group_number), key=lambda b: b.application_number)

    def add_notice(self, n: Notice) -> None:
        n.id = next(_ids)
        self.notices_.append(copy.deepcopy(n))

    def notices(self, *, jurisdiction: str | None = None, recipient_org: str | None = None, unread_only: bool = False,
                notice_id: int | None = None, application_number: int | None = None, **_: Any) -> list[Notice]:
        return [copy.deepcopy(n) for n in self.notices_
                if (not jurisdiction or n.jurisdiction == jurisdiction)
                and (recipient_org is None or n.recipient_org == recipient_org)
                and (not unread_only or n.read_at is None) and (notice_id is None or n.id == notice_id)
                and (application_number is None or n.application_number == application_number)]

    def mark_read(self, notice_id: int, at: datetime, actor: str) -> None:
        for n in self.notices_:
            if n.id == notice_id:
                n.read_at, n.read_by = at, actor

    def pending_shapes(self, jurisdiction: str, states: Iterable[str], *, numbers: Iterable[int] | None = None,
                       box: tuple[float, float, float, float] | None = None) -> list[tuple[int, bytes]]:
        rows = self.pending_rows(jurisdiction, states, numbers)
        if box is not None:
            rows = [r for r in rows if shapely.intersects(shapely.from_wkb(r.geometry), shapely.box(*box))]
        return [(r.number, r.geometry) for r in rows]

    def pending_rows(self, jurisdiction: str, states: Iterable[str], numbers: Iterable[int] | None = None) -> list[Any]:
        states = set(states)
        wanted = None if numbers is None else set(numbers)
        return [SimpleNamespace(id=a.id, number=a.number, received_at=a.received_at, rules_version=a.rules_version,
                                title_type=a.title_type, state=a.state, priority=a.priority,
                                competition_group=a.competition_group, waits_on=[list(w) for w in a.waits_on],
                                converts_title=a.converts_title, applicant_org=a.applicant_org,
                                geometry=shapely.to_wkb(a.geometry))
                for a in sorted(self.cad.apps, key=lambda a: a.number)
                if a.jurisdiction == jurisdiction and a.state in states and (wanted is None or a.number in wanted)]

    def ground_rows(self, jurisdiction: str, boxes: list[tuple[float, float, float, float]]) -> list[tuple[str, str, bytes]]:
        return [(kind, ref, wkb) for kind, ref, wkb in self.cad.spatial_rows(jurisdiction, ()) if boxes]

    def last_event_before(self, cutoff: datetime) -> tuple[int, str, str] | None:
        iso = cutoff.astimezone(timezone.utc).isoformat(timespec="microseconds")
        before = [e for e in self.cad.events_ if e.at < iso]
        return (before[-1].seq, before[-1].hash, before[-1].at) if before else None


class FakeMinerals:
    def __init__(self, minerals: list[Mineral]):
        self.minerals = minerals

    def all(self) -> list[Mineral]:
        return list(self.minerals)

    def names(self) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(m.id, m.name, (*sorted(m.aliases), *([m.symbol] if m.symbol else [])))
                for m in sorted(self.minerals, key=lambda m: (m.name, m.id))]


class FakeOrganisations:
    def __init__(self, organisations: list[Organisation]):
        self.organisations = organisations

    def all(self) -> list[Organisation]:
        return list(self.organisations)

    def names(self) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
        return [(o.id, o.name, o.short_name, tuple(o.aliases)) for o in self.organisations]


class FakeProjects:
    def __init__(self, names: list[tuple[str, str, tuple[str, ...]]]):
        self.names_ = names

    def names(self) -> list[tuple[str, str, tuple[str, ...]]]:
        return list(self.names_)


class FakeAgreements:
    def __init__(self) -> None:
        self.stored: dict[str, Agreement] = {}
        self.written_by: dict[str, str] = {}

    def ids(self) -> set[str]:
        return set(self.stored)

    def get(self, agreement_id: str) -> Agreement | None:
        return self.stored.get(agreement_id)

    def all(self) -> list[Agreement]:
        return sorted(self.stored.values(), key=lambda a: (a.date is None, a.date or "", a.id))

    def add(self, a: Agreement, *, actor: str, origin: str = "user") -> None:
        if a.id in self.stored:
            raise Conflict(f"an agreement with id {a.id!r} exists already")
        self.stored[a.id] = a
        self.written_by[a.id] = actor

    def replace(self, a: Agreement, *, actor: str) -> None:
        self.stored[a.id] = a
        self.written_by[a.id] = actor


class FakeNews:
    def __init__(self) -> None:
        self.docs: dict[str, NewsDocument] = {}

    def add(self, doc: NewsDocument) -> None:
        doc = copy.deepcopy(doc)
        doc.proposals = [replace(p, id=next(_ids), document_id=doc.id) for p in doc.proposals]
        self.docs[doc.id] = doc

    def ids_starting(self, prefix: str) -> list[str]:
        return [d for d in self.docs if d.startswith(prefix)][:3]

    def get(self, doc_id: str, *, with_text: bool = True) -> NewsDocument | None:
        return copy.deepcopy(self.docs.get(doc_id))

    def all(self) -> list[NewsDocument]:
        return [copy.deepcopy(d) for d in self.docs.values()]

    def proposal(self, proposal_id: int) -> Proposal | None:
        return next((p for d in self.docs.values() for p in d.proposals if p.id == proposal_id), None)

    def save_review(self, p: Proposal) -> None:
        doc = self.docs[p.document_id]
        doc.proposals = [p if q.id == p.id else q for q in doc.proposals]

    def record_agreements(self, doc_id: str, agreement_ids: dict[str, str]) -> None:
        self.docs[doc_id].agreement_ids = dict(agreement_ids)

    def mark_committed(self, doc_id: str, actor: str, at: datetime, agreement_ids: dict[str, str]) -> None:
        doc = self.docs[doc_id]
        doc.status, doc.committed_by, doc.committed_at, doc.agreement_ids = "committed", actor, at, dict(agreement_ids)


class FakePortal:
    """The portal's profiles, outbox and reminders (maadan.store.portal_repository)."""

    def __init__(self) -> None:
        self.profiles: dict[int, Any] = {}
        self.mails_: list[Any] = []
        self.reminders: set[str] = set()

    def profile(self, user_id: int):
        return self.profiles.get(user_id)

    def save_profile(self, p) -> None:
        self.profiles[p.user_id] = p

    def recipients(self, organisation_id: str) -> list[tuple[int, str]]:
        return []

    def pending_proposals(self) -> dict[str, str]:
        return {}

    def add_mail(self, m) -> int:
        m = copy.deepcopy(m)
        m.id = next(_ids)
        self.mails_.append(m)
        return m.id

    def reminded(self, key: str) -> bool:
        return key in self.reminders

    def add_reminder(self, key: str, at) -> None:
        self.reminders.add(key)


@dataclass
class Stored:
    """Everything the fake holds, as committed."""

    cadastre: FakeCadastre = field(default_factory=FakeCadastre)
    audit: FakeAudit = field(init=False)
    agreements: FakeAgreements = field(default_factory=FakeAgreements)
    news: FakeNews = field(default_factory=FakeNews)
    minerals: FakeMinerals = field(default_factory=lambda: FakeMinerals([
        Mineral("copper", "Copper", "element", symbol="Cu"), Mineral("gold", "Gold", "element", symbol="Au"),
        Mineral("antimony", "Antimony", "element", symbol="Sb")]))
    organisations: FakeOrganisations = field(default_factory=lambda: FakeOrganisations([
        Organisation("ussm", "US Strategic Metals", "company", "test", country="US"),
        Organisation("fwo", "Frontier Works Organisation", "state-enterprise", "test", country="PK")]))
    projects: FakeProjects = field(default_factory=lambda: FakeProjects([("reko-diq", "Reko Diq", ())]))
    priority: FakePriority = field(init=False)
    portal: FakePortal = field(default_factory=FakePortal)

    def __post_init__(self) -> None:
        # the same cadastre, so deep copies keep them together (one list of events, one list of applications)
        self.priority = FakePriority(self.cadastre)
        self.audit = FakeAudit(self.cadastre)


class FakeUnitOfWork:
    """Satisfies maadan.unit_of_work.AbstractUnitOfWork."""

    REPOSITORIES = ("cadastre", "audit", "agreements", "news", "minerals", "organisations", "projects", "priority",
                   "portal")

    def __init__(self) -> None:
        self.committed = Stored()
        self.commits = 0
        self._key = f"fake:{next(_ids)}"  # per-process caches must not mix two fakes

    @property
    def key(self) -> str:
        return self._key

    def __enter__(self) -> "FakeUnitOfWork":
        working = copy.deepcopy(self.committed)
        for name in self.REPOSITORIES:
            setattr(self, name, getattr(working, name))
        self._working = working
        return self

    def __exit__(self, *exc: Any) -> None:
        for name in self.REPOSITORIES:
            delattr(self, name)

    def commit(self) -> None:
        self.committed = self._working
        self.commits += 1
