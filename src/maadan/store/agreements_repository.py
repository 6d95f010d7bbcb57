"""Persistence of the agreements registry. No commits here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from maadan.agreements.history import StatusChange
from maadan.agreements.model import Agreement, Party, Reading
from maadan.evidence.model import Correction, Source
from maadan.errors import Conflict
from maadan.store import agreements_tables as t
from maadan.store import tables as core
from maadan.store.repositories import correction_of, sources_of
from maadan.unit_of_work import SyncCounts

LINK_FIELDS = {"country": "countries", "mineral": "minerals", "stage": "stages", "project": "projects",
               "title": "titles", "replaces": "replaces"}
SEED_ACTOR = "seed"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# The agreement's own values, each in the column of its name: a field added to Agreement and to the
# agreement table is stored and read with no change here. `withdrawn` (a correction, stored as JSON)
# is converted both ways by hand.
SCALARS = tuple(c.name for c in t.agreement.columns
                if c.name in {f.name for f in fields(Agreement)} and c.name not in ("id", "withdrawn"))


def _main_row(a: Agreement) -> dict[str, Any]:
    return ({name: getattr(a, name) for name in SCALARS} | {"timeline_date": a.date}
            | {"withdrawn": None if a.withdrawn is None else a.withdrawn.as_dict()})


class AgreementRepository:
    def __init__(self, session: Session):
        self.s = session

    # --- reading -------------------------------------------------------------------------------
    def ids(self) -> set[str]:
        return set(self.s.execute(select(t.agreement.c.id)).scalars())

    def count(self) -> int:
        """How many agreements the registry lists (withdrawn records left out)."""
        return int(self.s.execute(select(func.count()).select_from(t.agreement)
                                  .where(t.agreement.c.withdrawn.is_(None))).scalar_one())

    def get(self, agreement_id: str) -> Agreement | None:
        """The agreement with this id, or the one it was merged into (see `replaces`)."""
        found = self._load(select(t.agreement).where(t.agreement.c.id == agreement_id))
        if not found:
            merged = select(t.agreement_link.c.agreement_id).where(t.agreement_link.c.kind == "replaces",
                                                                  t.agreement_link.c.value == agreement_id)
            found = self._load(select(t.agreement).where(t.agreement.c.id.in_(merged)))
        return found[0] if found else None

    def all(self, *, withdrawn: bool = False) -> list[Agreement]:
        """Every agreement, in timeline order (undated last), then by id; withdrawn records (retracted
        as a whole, still shown on their own page) only when asked for."""
        q = select(t.agreement)
        return self._load(q if withdrawn else q.where(t.agreement.c.withdrawn.is_(None)))

    def origins(self) -> dict[str, tuple[str, str]]:
        """id -> (origin, updated_by)."""
        return {r.id: (r.origin, r.updated_by)
                for r in self.s.execute(select(t.agreement.c.id, t.agreement.c.origin, t.agreement.c.updated_by))}

    def _load(self, query) -> list[Agreement]:
        rows = self.s.execute(query).all()
        if not rows:
            return []
        ids = [r.id for r in rows]

        def children(table) -> dict[str, list[Any]]:
            out: dict[str, list[Any]] = defaultdict(list)
            order = [table.c.agreement_id, table.c.position]
            for c in self.s.execute(select(table).where(table.c.agreement_id.in_(ids)).order_by(*order)):
                out[c.agreement_id].append(c)
            return out

        parties, sources, links, readings = (children(t.agreement_party), children(t.agreement_source),
                                             children(t.agreement_link), children(t.agreement_reading))
        changes, corrections = children(t.agreement_status), children(t.agreement_correction)
        out = []
        for r in rows:
            linked: dict[str, list[str]] = {name: [] for name in LINK_FIELDS.values()}
            for link in links[r.id]:
                linked[LINK_FIELDS[link.kind]].append(link.value)
            out.append(Agreement(
                id=r.id, **{name: getattr(r, name) for name in SCALARS},
                parties=tuple(Party(name=p.name, role=p.role, organisation_id=p.organisation_id, share=p.share)
                              for p in parties[r.id]),
                sources=tuple(Source(publisher=s.publisher, url=s.url, date=s.date, evidence=s.evidence,
                                     supports=tuple(s.supports or ())) for s in sources[r.id]),
                readings=tuple(Reading(field=x.field, value=x.value, source=x.source, note=x.note, url=x.url,
                                       date=x.date, evidence=x.evidence) for x in readings[r.id]),
                history=tuple(StatusChange(status=c.status, date=c.date, as_of=c.as_of, note=c.note,
                                           sources=sources_of(c.sources)) for c in changes[r.id]),
                corrections=tuple(Correction(claim=c.claim, old=c.old, new=c.new, why=c.why, by=c.by, at=c.at,
                                             sources=sources_of(c.sources)) for c in corrections[r.id]),
                withdrawn=None if r.withdrawn is None else correction_of(r.withdrawn),
                **{name: tuple(values) for name, values in linked.items()},
            ))
        out.sort(key=lambda a: (a.date is None, a.date or "", a.id))
        return out

    def linked_to(self, kind: str, value: str) -> list[Agreement]:
        """Agreements linked to a project, title, mineral, country or stage, in timeline order."""
        ids = select(t.agreement_link.c.agreement_id).where(t.agreement_link.c.kind == kind,
                                                            t.agreement_link.c.value == value)
        return self._load(select(t.agreement).where(t.agreement.c.id.in_(ids), t.agreement.c.withdrawn.is_(None)))

    def for_organisation(self, organisation_id: str) -> list[str]:
        q = (select(t.agreement_party.c.agreement_id)
             .join(t.agreement, t.agreement.c.id == t.agreement_party.c.agreement_id)
             .where(t.agreement_party.c.organisation_id == organisation_id, t.agreement.c.withdrawn.is_(None)))
        return sorted(set(self.s.execute(q).scalars()))

    def titles_held_by(self, organisation_id: str) -> list[str]:
        """Numbers of the cadastre titles one of whose holders is `organisation_id`."""
        q = (select(core.title.c.number).join(core.holder, core.holder.c.title_id == core.title.c.id)
             .where(core.holder.c.organisation_id == organisation_id).order_by(core.title.c.number))
        return list(dict.fromkeys(self.s.execute(q).scalars()))

    # --- writing -------------------------------------------------------------------------------
    def _children(self, a: Agreement) -> None:
        for table in (t.agreement_party, t.agreement_source, t.agreement_link, t.agreement_reading,
                      t.agreement_status, t.agreement_correction):
            self.s.execute(delete(table).where(table.c.agreement_id == a.id))
        if a.parties:
            self.s.execute(insert(t.agreement_party), [
                {"agreement_id": a.id, "position": i, "name": p.name, "organisation_id": p.organisation_id,
                 "role": p.role, "share": p.share} for i, p in enumerate(a.parties)])
        if a.sources:
            self.s.execute(insert(t.agreement_source), [
                {"agreement_id": a.id, "position": i, "publisher": s.publisher, "url": s.url, "date": s.date,
                 "evidence": s.evidence, "supports": list(s.supports)} for i, s in enumerate(a.sources)])
        links = [{"agreement_id": a.id, "kind": kind, "value": v, "position": i}
                 for kind, name in LINK_FIELDS.items() for i, v in enumerate(getattr(a, name))]
        if links:
            self.s.execute(insert(t.agreement_link), links)
        if a.readings:
            self.s.execute(insert(t.agreement_reading), [
                {"agreement_id": a.id, "position": i, "field": x.field, "value": x.value, "source": x.source,
                 "note": x.note, "url": x.url, "date": x.date, "evidence": x.evidence}
                for i, x in enumerate(a.readings)])
        if a.history:
            self.s.execute(insert(t.agreement_status), [
                {"agreement_id": a.id, "position": i, "status": c.status, "date": c.date, "as_of": c.as_of,
                 "note": c.note, "sources": [s.as_dict() for s in c.sources]} for i, c in enumerate(a.history)])
        if a.corrections:
            self.s.execute(insert(t.agreement_correction), [
                {"agreement_id": a.id, "position": i, "claim": c.claim, "old": c.old, "new": c.new, "why": c.why,
                 "by": c.by, "at": c.at, "sources": [s.as_dict() for s in c.sources]}
                for i, c in enumerate(a.corrections)])

    def add(self, a: Agreement, *, actor: str, origin: str = "user") -> None:
        """Insert a new agreement; Conflict when its id is taken."""
        if self.s.execute(select(t.agreement.c.id).where(t.agreement.c.id == a.id)).first():
            raise Conflict(f"agreement {a.id!r} already exists", details={"field": "id", "id": a.id})
        now = _now()
        try:
            self.s.execute(insert(t.agreement).values(
                id=a.id, origin=origin, created_by=actor, created_at=now, updated_by=actor, updated_at=now,
                **_main_row(a)))
        except IntegrityError:  # a concurrent add took the id between the check and the insert
            raise Conflict(f"agreement {a.id!r} already exists", details={"field": "id", "id": a.id}) from None
        self._children(a)

    def replace(self, a: Agreement, *, actor: str) -> None:
        """Overwrite a stored agreement (same id) with `a`."""
        self.s.execute(update(t.agreement).where(t.agreement.c.id == a.id).values(
            updated_by=actor, updated_at=_now(), **_main_row(a)))
        self._children(a)

    def sync_seed(self, agreements: Iterable[Agreement]) -> SyncCounts:
        """Insert bundled agreements that are missing and refresh those that differ, unless a person
        has edited them since; agreements added by people are left alone. A bundled agreement that
        `replaces` others (a merge) removes them, unless a person has edited them since."""
        agreements = list(agreements)
        origins = self.origins()
        merged = {old for a in agreements for old in a.replaces}
        for old in merged:
            if origins.get(old) == ("seed", SEED_ACTOR):
                self.s.execute(delete(t.agreement).where(t.agreement.c.id == old))
        origins = self.origins()
        inserted = updated = unchanged = 0
        for a in agreements:
            if a.id not in origins:
                self.add(a, actor=SEED_ACTOR, origin="seed")
                inserted += 1
            elif origins[a.id] != ("seed", SEED_ACTOR) or self.get(a.id) == a:
                unchanged += 1
            else:
                self.replace(a, actor=SEED_ACTOR)
                updated += 1
        return SyncCounts(inserted, updated, unchanged)


REPOSITORIES = {"agreements": AgreementRepository}  # collected by store/uow.py
