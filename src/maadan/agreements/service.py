"""Use cases of the agreements registry: add, edit, get, find and the timeline. Writes go through
one unit of work each: an invalid draft or edit changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from maadan.agreements.history import StatusChange, ordered, parse_change, same_change
from maadan.agreements.model import (
    KINDS,
    MINERAL_CLASS,
    Agreement,
    References,
    apply_changes,
    parse_agreement,
)
from maadan.errors import Conflict, DataFileError, InvalidInput, NotFound
from maadan.evidence import fields
from maadan.evidence.model import Correction, parse_sources
from maadan.minerals.names import NameIndex, normalise
from maadan.minerals.service import mineral_index
from maadan.organisations.model import Organisation
from maadan.unit_of_work import AbstractUnitOfWork


def references(uow: AbstractUnitOfWork) -> References:
    """The ids a draft may refer to. Call inside `with uow`."""
    return References(minerals=frozenset(m.id for m in uow.minerals.all()),
                      organisations=frozenset(o.id for o in uow.organisations.all()),
                      projects=frozenset(p[0] for p in uow.projects.names()))


def organisation_index(organisations: list[Organisation]) -> NameIndex:
    """Organisation ids by id, name, short name and alias (first come first kept on a clash)."""
    entries, seen = [], set()
    for o in organisations:
        names = [n for n in (o.short_name, *o.aliases) if n and normalise(n) not in seen]
        seen.update(normalise(n) for n in (o.id, o.name, *names))
        entries.append((o.id, o.name, names))
    return NameIndex.build("organisation", entries)


def same_agreement(a: Agreement, b: Agreement) -> bool:
    """Whether two records describe one agreement: the same kind, at least two linked organisations
    in common (all of the smaller set), and dates that agree where both give one (compared at the
    common precision)."""
    if a.kind != b.kind:
        return False
    mine = {p.organisation_id for p in a.parties if p.organisation_id}
    theirs = {p.organisation_id for p in b.parties if p.organisation_id}
    shared = mine & theirs
    if len(shared) < 2 or shared != min(mine, theirs, key=len):
        return False
    for field in ("signed", "announced"):
        x, y = getattr(a, field), getattr(b, field)
        if x and y and not (x.startswith(y) or y.startswith(x)):
            return False
    return True


def find_duplicate(uow: AbstractUnitOfWork, agreement: Agreement) -> Agreement | None:
    """An agreement already in the registry that `agreement` would duplicate (see `same_agreement`)."""
    for other in uow.agreements.all():
        if other.id != agreement.id and same_agreement(agreement, other):
            return other
    return None


def _duplicate(existing: Agreement) -> Conflict:
    return Conflict(f"the registry already holds this agreement as {existing.id} ({existing.title}): same kind, "
                    f"parties and date; edit that one or add your source to it",
                    details={"existing": existing.id})


def add_agreement(uow: AbstractUnitOfWork, draft: dict[str, Any], *, actor: str) -> str:
    """Validate `draft` and store it; returns the id. A taken id, or an agreement the registry already
    holds (same kind, parties and date), → Conflict (409) naming it."""
    with uow:
        agreement = parse_agreement(draft, references(uow))
        existing = find_duplicate(uow, agreement)
        if existing is not None:
            raise _duplicate(existing)
        uow.agreements.add(agreement, actor=actor)
        uow.commit()
    return agreement.id


def add_or_corroborate(uow: AbstractUnitOfWork, draft: dict[str, Any], *, actor: str) -> str:
    """For reviewed news: add the agreement, or, when the registry already holds it, add the draft's
    sources to the existing record (a second report corroborates, it does not duplicate). Returns the id."""
    with uow:
        agreement = parse_agreement(draft, references(uow))
        existing = find_duplicate(uow, agreement)
        if existing is None:
            uow.agreements.add(agreement, actor=actor)
            uow.commit()
            return agreement.id
        new_sources = tuple(s for s in agreement.sources if s not in existing.sources)
        if new_sources:
            uow.agreements.replace(replace(existing, sources=existing.sources + new_sources), actor=actor)
            uow.commit()
        return existing.id


def add_agreements(uow: AbstractUnitOfWork, drafts: list[dict[str, Any]], *, actor: str) -> list[str]:
    """Add several agreements, all or none; an error names the draft it is in ("agreement 2 of 3: ...")."""
    ids: list[str] = []
    with uow:
        refs = references(uow)
        for i, draft in enumerate(drafts):
            try:
                agreement = parse_agreement(draft, refs)
                existing = find_duplicate(uow, agreement)
                if existing is not None:
                    raise _duplicate(existing)
                uow.agreements.add(agreement, actor=actor)
            except (InvalidInput, Conflict) as exc:
                if len(drafts) > 1:
                    exc.message = f"agreement {i + 1} of {len(drafts)}: {exc.message}; nothing was added"
                    exc.args = (exc.message,)
                raise
            ids.append(agreement.id)
        uow.commit()
    return ids


def _missing(uow: AbstractUnitOfWork, agreement_id: str) -> NotFound:
    import difflib

    ids = sorted(uow.agreements.ids())
    return NotFound("agreement", agreement_id, difflib.get_close_matches(agreement_id, ids, n=5, cutoff=0.5))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def changed_claims(old: Agreement, new: Agreement) -> list[tuple[str, str | None, str | None, bool]]:
    """(claim, old value, new value, was sourced) for every claim whose value differs. A status that
    moves on through a new status change is progress, not a change of claim."""
    before = {c.key: c for c in old.claims()}
    after = {c.key: c for c in new.claims()}
    out = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.value == b.value:
            continue
        if key == "status" and set(old.history) < set(new.history):
            continue
        out.append((key, a.value if a else None, b.value if b else None, bool(a and a.sourced)))
    return out


def _correction_input(value: Any) -> tuple[str | None, tuple]:
    if value is None:
        return None, ()
    item = fields.keys(value, "correction", ("why", "sources"))
    return (fields.text(item.get("why"), "correction.why", limit=4000),
            parse_sources(item.get("sources"), "correction.sources"))


def edit_agreement(uow: AbstractUnitOfWork, agreement_id: str, changes: dict[str, Any], *, actor: str) -> Agreement:
    """Apply the changed fields to a stored agreement, validated as a whole; on any error nothing
    changes. Every changed claim is recorded as a correction (who, when, old and new value); a claim
    that had a source is never rewritten silently: the edit must say why and give the source of the new
    value under `correction: {why, sources}`."""
    if not isinstance(changes, dict):
        raise InvalidInput("an edit must be a mapping of the fields to change")
    changes = dict(changes)
    why, new_sources = _correction_input(changes.pop("correction", None))
    with uow:
        current = uow.agreements.get(agreement_id)
        if current is None:
            raise _missing(uow, agreement_id)
        if "corrections" in changes:
            raise fields.bad("corrections", "are recorded by the registry, not edited; give correction: {why, sources}")
        updated = apply_changes(current, changes, references(uow))
        changed = changed_claims(current, updated)
        sourced = [c[0] for c in changed if c[3]]
        if sourced and not (why and new_sources):
            raise InvalidInput(f"{', '.join(sourced)}: a sourced claim is corrected, not overwritten; give "
                               f"correction: {{why: ..., sources: [...]}} with the source of the new value",
                               details={"field": "correction"})
        now = _now()
        records = tuple(Correction(claim=key, old=old, new=new, why=why or "edited (the claim had no source)",
                                   by=actor, at=now, sources=new_sources) for key, old, new, _ in changed)
        updated = replace(updated, corrections=updated.corrections + records)
        if updated != current:
            uow.agreements.replace(updated, actor=actor)
            uow.commit()
    return updated


def add_status_change(uow: AbstractUnitOfWork, agreement_id: str, change: dict[str, Any] | StatusChange, *,
                      actor: str) -> Agreement:
    """Record that agreement `agreement_id` reached a status (announced, approved, signed, closed,
    disbursed, deferred, ...) on a date, with the sources that say so: {status, date, sources, as_of?,
    note?}. A second report of a change already held (same status, dates that agree) adds its sources
    to it; a report that dates it differently is kept beside it as another reading. The agreement's
    status becomes the latest change. Returns the updated agreement; on any error nothing changes."""
    if not isinstance(change, StatusChange):
        change = parse_change(change, "change")
    with uow:
        current = uow.agreements.get(agreement_id)
        if current is None:
            raise _missing(uow, agreement_id)
        history = list(current.history)
        held = next((i for i, c in enumerate(history) if same_change(c, change)), None)
        if held is None:
            history.append(change)
        else:
            old = history[held]
            sources = old.sources + tuple(s for s in change.sources if s not in old.sources)
            as_of = max((d for d in (old.as_of, change.as_of) if d), key=fields.period_end, default=None)
            history[held] = replace(old, sources=sources, as_of=as_of, date=max(old.date, change.date, key=len),
                                    note=old.note or change.note)
        draft = current.to_draft() | {"history": [c.as_dict() for c in ordered(history)]}
        draft.pop("status", None)
        updated = parse_agreement(draft, references(uow))
        if updated != current:
            uow.agreements.replace(updated, actor=actor)
            uow.commit()
    return updated


@dataclass(frozen=True)
class StaleRecord:
    agreement: Agreement
    latest_source: str | None  # None: no dated source at all
    age_days: int | None


def stale_agreements(uow: AbstractUnitOfWork, *, older_than_days: int, today: date | None = None) -> list[StaleRecord]:
    """Agreements whose status is not final while their newest source is older than `older_than_days`
    (or undated): the records a curator should look at again, oldest source first."""
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or older_than_days < 0:
        raise InvalidInput(f"older than: {older_than_days!r} is not a number of days (0 or more)",
                           details={"field": "older_than"})
    today = today or datetime.now(timezone.utc).date()
    cutoff = today - timedelta(days=older_than_days)
    with uow:
        rows = uow.agreements.all()
    out = []
    for a in rows:
        if a.final:
            continue
        latest = a.latest_source_date
        if latest is None:
            out.append(StaleRecord(a, None, None))
        elif fields.period_end(latest) < cutoff:
            out.append(StaleRecord(a, latest, (today - fields.period_end(latest)).days))
    out.sort(key=lambda r: (r.latest_source is not None, fields.period_end(r.latest_source) if r.latest_source
                            else date.min, r.agreement.id))
    return out


def get_agreement(uow: AbstractUnitOfWork, agreement_id: str) -> Agreement:
    with uow:
        found = uow.agreements.get(agreement_id)
        if found is None:
            raise _missing(uow, agreement_id)
    return found


@dataclass
class AgreementDetail:
    agreement: Agreement
    organisations: dict[str, Organisation]
    project_names: dict[str, str]
    mineral_names: dict[str, str]
    known_titles: set[str]


def agreement_detail(uow: AbstractUnitOfWork, agreement_id: str) -> AgreementDetail:
    """One agreement with the names of what it links to (organisations, projects, minerals, titles)."""
    with uow:
        found = uow.agreements.get(agreement_id)
        if found is None:
            raise _missing(uow, agreement_id)
        orgs = {o.id: o for o in uow.organisations.all() if o.id in found.organisation_ids}
        projects = {pid: name for pid, name, _ in uow.projects.names() if pid in found.projects}
        minerals = {m.id: m.name for m in uow.minerals.all()}
        titles = {t for t in found.titles if uow.cadastre.title(t) is not None}
    minerals[MINERAL_CLASS] = "critical minerals (unspecified)"
    return AgreementDetail(found, orgs, projects, minerals, titles)


@dataclass(frozen=True)
class AgreementFilter:
    """Filters of a search, parsed once: every given filter must match."""

    party: str | None = None
    country: str | None = None
    mineral: str | None = None
    kind: str | None = None
    year: int | None = None
    project: str | None = None
    organisation: str | None = None

    @classmethod
    def parse(cls, *, party: str | None = None, country: str | None = None, mineral: str | None = None,
              kind: str | None = None, year: int | str | None = None, project: str | None = None,
              organisation: str | None = None) -> "AgreementFilter":
        def clean(v: str | None) -> str | None:
            return v.strip() or None if isinstance(v, str) else v

        party, country, mineral, kind, project, organisation = map(clean, (party, country, mineral, kind, project,
                                                                           organisation))
        if party is not None and not normalise(party):
            raise InvalidInput(f"party: {party!r} has no letters or digits to look for", details={"field": "party"})
        if kind is not None:
            kind = kind.lower().replace("-", "_").replace(" ", "_")
            if kind not in KINDS:
                raise InvalidInput(f"kind: {kind!r} is not one of {', '.join(KINDS)}", details={"field": "kind"})
        if country is not None:
            if len(country) != 2 or not country.isalpha():
                raise InvalidInput(f"country: {country!r} is not an ISO 3166-1 alpha-2 code such as PK",
                                   details={"field": "country"})
            country = country.upper()
        if isinstance(year, str):
            year = clean(year)
            if year is not None:
                if not year.isdigit():
                    raise InvalidInput(f"year: {year!r} is not a year", details={"field": "year"})
                year = int(year)
        if year is not None and not 1900 <= year <= 2100:
            raise InvalidInput(f"year: {year} is outside 1900-2100", details={"field": "year"})
        return cls(party, country, mineral, kind, year, project, organisation)


def _mineral_matcher(uow: AbstractUnitOfWork, name: str):
    """A predicate over an agreement's mineral ids: the mineral itself, or a member of the group named."""
    if normalise(name) in ("critical minerals", normalise(MINERAL_CLASS)):
        return lambda ids: MINERAL_CLASS in ids
    target = mineral_index(uow).resolve(name)
    groups = {m.id: m.group_id for m in uow.minerals.all()}

    def chain(mid: str) -> set[str]:
        out = {mid}
        while groups.get(mid):
            mid = groups[mid]
            if mid in out:
                break
            out.add(mid)
        return out

    return lambda ids: any(target in chain(m) for m in ids)


def find_agreements(uow: AbstractUnitOfWork, *, party: str | None = None, country: str | None = None,
                    mineral: str | None = None, kind: str | None = None, year: int | str | None = None,
                    project: str | None = None, organisation: str | None = None) -> list[Agreement]:
    """Agreements matching every filter given, in timeline order. A mineral, project or
    organisation that does not exist raises NotFound with suggestions; a party is free text
    (part of a party's name, or an organisation's name, short name or alias)."""
    f = AgreementFilter.parse(party=party, country=country, mineral=mineral, kind=kind, year=year,
                              project=project, organisation=organisation)
    with uow:
        orgs = uow.organisations.all()
        index = organisation_index(orgs)
        mineral_ok = _mineral_matcher(uow, f.mineral) if f.mineral else None
        project_id = NameIndex.build("project", uow.projects.names()).resolve(f.project) if f.project else None
        org_id = index.resolve(f.organisation) if f.organisation else None
        party_org = index.get(f.party) if f.party else None
        found = uow.agreements.all()
    needle = normalise(f.party) if f.party else ""
    out = []
    for a in found:
        if f.kind and a.kind != f.kind:
            continue
        if f.country and f.country not in a.countries:
            continue
        if f.year and a.year != f.year:
            continue
        if mineral_ok and not mineral_ok(a.minerals):
            continue
        if project_id and project_id not in a.projects:
            continue
        if org_id and org_id not in a.organisation_ids:
            continue
        if f.party and not (party_org in a.organisation_ids
                            or any(needle in normalise(p.name) for p in a.parties)):
            continue
        out.append(a)
    return out


def timeline(uow: AbstractUnitOfWork, **filters: Any) -> list[Agreement]:
    """Dated agreements matching the filters, oldest first (undated ones have no place on it)."""
    return [a for a in find_agreements(uow, **filters) if a.date]


def latest_agreements(uow: AbstractUnitOfWork, limit: int = 5) -> list[Agreement]:
    """The most recent dated agreements, newest first."""
    return timeline(uow)[::-1][:limit]


def silent_rewrites(stored: Agreement, bundled: Agreement) -> list[str]:
    """Claims that had a source in the stored record and that the bundled record changes without a
    correction for that claim (the registry never rewrites a sourced fact silently)."""
    if bundled.withdrawn is not None:
        return []  # the record as a whole is retracted, with the reason on it
    corrected = {c.claim for c in bundled.corrections}
    return [f"{key}: {old!r} -> {new!r}" for key, old, new, sourced in changed_claims(stored, bundled)
            if sourced and key not in corrected]


def seed_agreements(uow: AbstractUnitOfWork, agreements: list[Agreement]):
    """Store the bundled agreements (inside the caller's `with uow`); see AgreementRepository.sync_seed.
    A bundle that changes a sourced claim of a stored seed record without a correction is refused."""
    origins = uow.agreements.origins()
    for a in agreements:
        if origins.get(a.id) == ("seed", "seed"):
            stored = uow.agreements.get(a.id)
            problems = silent_rewrites(stored, a) if stored is not None else []
            if problems:
                raise DataFileError("data/agreements", f"{a.id}: sourced claim(s) changed without a correction: "
                                                       + "; ".join(problems))
    return uow.agreements.sync_seed(agreements)
