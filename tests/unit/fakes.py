"""An in-memory unit of work for fast tests of the use cases (cosmicpython's FakeUnitOfWork): the
repositories the cadastre, agreements and news services use, on plain lists and dicts. Changes are
kept by commit() and dropped when the block is left without it, as with the real one."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable

import shapely

from maadan.agreements.model import Agreement
from maadan.audit.model import StoredCheckpoint
from maadan.cadastre.audit import Event
from maadan.cadastre.model import Application, Invoice, Obligation, Title
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

    def spatial_rows(self, jurisdiction: str, pending_states: Iterable[str]) -> list[tuple[str, str, bytes]]:
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

    def application(self, jurisdiction: str, number: int) -> Application | None:
        return next((copy.deepcopy(a) for a in self.apps if a.jurisdiction == jurisdiction and a.number == number), None)

    def applications(self, jurisdiction: str | None = None, states: Iterable[str] | None = None,
                     applicant_org: str | None = None) -> list[Application]:
        states = set(states) if states is not None else None
        return [copy.deepcopy(a) for a in sorted(self.apps, key=lambda a: (a.jurisdiction, a.number))
                if (not jurisdiction or a.jurisdiction == jurisdiction) and (states is None or a.state in states)
                and (applicant_org is None or a.applicant_org == applicant_org)]

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

    def titles(self, jurisdiction: str | None = None, states: Iterable[str] | None = None, **_: Any) -> list[Title]:
        states = set(states) if states is not None else None
        return [copy.deepcopy(t) for t in self.titles_
                if (not jurisdiction or t.jurisdiction == jurisdiction) and (states is None or t.state in states)]

    def next_title_seq(self, jurisdiction: str, title_type: str, year: int) -> int:
        return sum(1 for t in self.titles_ if t.number.startswith(f"{jurisdiction}/{title_type}/{year}/")) + 1

    def add_invoice(self, jurisdiction: str, inv: Invoice) -> int:
        inv = replace(inv, id=next(_ids))
        self.invoices_.append(inv)
        return inv.id

    def invoices(self, jurisdiction: str | None = None, title_number: str | None = None,
                 application_number: int | None = None, invoice_id: int | None = None) -> list[Invoice]:
        return [i for i in self.invoices_ if (title_number is None or i.title_number == title_number)
                and (application_number is None or i.application_number == application_number)
                and (invoice_id is None or i.id == invoice_id)]

    def add_obligation(self, ob: Obligation) -> None:
        self.obligations_.append(replace(ob, id=next(_ids)))

    def obligations(self, title_number: str | None = None) -> list[Obligation]:
        return [o for o in self.obligations_ if title_number is None or o.title_number == title_number]

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


class FakeMinerals:
    def __init__(self, minerals: list[Mineral]):
        self.minerals = minerals

    def all(self) -> list[Mineral]:
        return list(self.minerals)


class FakeOrganisations:
    def __init__(self, organisations: list[Organisation]):
        self.organisations = organisations

    def all(self) -> list[Organisation]:
        return list(self.organisations)


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

    def __post_init__(self) -> None:
        self.audit = FakeAudit(self.cadastre)  # deepcopy keeps the two sharing one list of events


class FakeUnitOfWork:
    """Satisfies maadan.unit_of_work.AbstractUnitOfWork."""

    REPOSITORIES = ("cadastre", "audit", "agreements", "news", "minerals", "organisations", "projects")

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
