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
    agreements: FakeAgreements = field(default_factory=FakeAgreements)
    news: FakeNews = field(default_factory=FakeNews)
    minerals: FakeMinerals = field(default_factory=lambda: FakeMinerals([
        Mineral("copper", "Copper", "element", symbol="Cu"), Mineral("gold", "Gold", "element", symbol="Au"),
        Mineral("antimony", "Antimony", "element", symbol="Sb")]))
    organisations: FakeOrganisations = field(default_factory=lambda: FakeOrganisations([
        Organisation("ussm", "US Strategic Metals", "company", "test", country="US"),
        Organisation("fwo", "Frontier Works Organisation", "state-enterprise", "test", country="PK")]))
    projects: FakeProjects = field(default_factory=lambda: FakeProjects([("reko-diq", "Reko Diq", ())]))


class FakeUnitOfWork:
    """Satisfies maadan.unit_of_work.AbstractUnitOfWork."""

    REPOSITORIES = ("cadastre", "agreements", "news", "minerals", "organisations", "projects")

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
