"""Agreements: MoUs, joint ventures, leases, offtakes, loans, trade deals and the events around them,
each with its parties, dates at the precision the sources give, amounts as given, a dated status
history and its sources, each source naming the claims it supports. Plain Python: `parse_agreement`
turns a draft dict into an `Agreement` or raises InvalidInput naming the field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields as dataclass_fields
from typing import Any

from maadan.agreements.history import (
    DATED_STATUSES,
    FINAL_STATUSES,
    STATUSES,
    StatusChange,
    parse_history,
)
from maadan.errors import InvalidInput
from maadan.evidence import fields as f
from maadan.evidence.fields import before, partial_date as parse_partial_date  # noqa: F401 (public names)
from maadan.evidence.model import Claim, Correction, Source, latest_date, parse_correction, parse_sources
from maadan.minerals.names import normalise

KINDS = ("mou", "framework", "joint_venture", "concession", "offtake", "loan", "guarantee", "equity", "shipment",
         "trade_deal", "policy", "event")
KIND_LABELS = {"mou": "MoU", "framework": "framework", "joint_venture": "joint venture",
               "concession": "concession or lease", "offtake": "offtake", "loan": "loan", "guarantee": "guarantee",
               "equity": "equity", "shipment": "shipment", "trade_deal": "trade deal", "policy": "policy",
               "event": "event"}
ROLES = ("government", "state_owned_enterprise", "company", "lender", "offtaker", "guarantor", "witness", "other")
STAGES = ("exploration", "mining", "processing", "refining", "recycling", "logistics")
AMOUNT_BASES = ("committed", "approved", "disbursed", "reported")
CONFIDENCE = ("high", "medium", "low")
MINERAL_CLASS = "critical-minerals"  # "critical minerals" in a text that names none
DATE_FIELDS = ("announced", "signed", "effective", "expiry")
SHARE_KINDS = ("equity", "joint_venture")  # kinds whose party shares must not sum above 100
SHARE_TOLERANCE = 0.01
# The claims a source can support ("supports: [amount, parties]"); one party is "party:<name or id>".
CLAIMS = ("kind", "binding", "announced", "signed", "effective", "expiry", "status", "parties", "amount", "place",
          "minerals", "projects")
CLAIM_LABELS = {"kind": "Kind", "binding": "Binding", "announced": "Announced", "signed": "Signed",
                "effective": "Effective", "expiry": "Expiry", "status": "Status", "amount": "Amount",
                "place": "Place", "minerals": "Minerals", "projects": "Projects"}

KEYS = ("id", "title", "kind", "binding", "announced", "signed", "effective", "expiry", "status", "parties",
        "countries", "minerals", "stages", "projects", "titles", "amount", "currency", "amount_basis", "place",
        "sources", "confidence", "readings", "notes", "history", "corrections", "replaces", "withdrawn")
WITHDRAWN_KEYS = ("why", "by", "at", "sources")
PARTY_KEYS = ("name", "organisation_id", "role", "share")
READING_KEYS = ("field", "value", "source", "note", "url", "date", "evidence")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


@dataclass(frozen=True)
class Party:
    name: str
    role: str
    organisation_id: str | None = None
    share: float | None = None


@dataclass(frozen=True)
class Reading:
    """One source's value for a field where sources disagree; readings are shown side by side.
    `source` names the publication; url, date and evidence cite it when known."""

    field: str
    value: str
    source: str
    note: str | None = None
    url: str | None = None
    date: str | None = None
    evidence: str | None = None

    @property
    def cited(self) -> bool:
        return bool(self.url and self.date and self.evidence)


@dataclass(frozen=True)
class Agreement:
    id: str
    title: str
    kind: str
    sources: tuple[Source, ...]
    binding: bool | None = None
    announced: str | None = None
    signed: str | None = None
    effective: str | None = None
    expiry: str | None = None
    status: str | None = None
    parties: tuple[Party, ...] = ()
    countries: tuple[str, ...] = ()
    minerals: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    amount: float | None = None
    currency: str | None = None
    amount_basis: str | None = None
    place: str | None = None
    confidence: str | None = None
    readings: tuple[Reading, ...] = ()
    notes: str | None = None
    history: tuple[StatusChange, ...] = ()
    corrections: tuple[Correction, ...] = ()
    replaces: tuple[str, ...] = ()  # ids of records merged into this one
    withdrawn: Correction | None = None  # the record as a whole retracted: no source supports it


    @property
    def date(self) -> str | None:
        """The date it is placed at on the timeline: signed, else announced, else effective."""
        return self.signed or self.announced or self.effective

    @property
    def year(self) -> int | None:
        d = self.date
        return int(d[:4]) if d else None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def organisation_ids(self) -> list[str]:
        return [p.organisation_id for p in self.parties if p.organisation_id]

    @property
    def status_as_of(self) -> str | None:
        """The day up to which the sources confirm the current status (None without a status history)."""
        return self.history[-1].confirmed if self.history else None

    @property
    def final(self) -> bool:
        """Nothing further is expected: a one-off event, a delivered shipment, a loan disbursed or cancelled."""
        return (self.kind == "event" or self.status in FINAL_STATUSES or self.withdrawn is not None
                or (self.kind == "shipment" and self.status == "closed"))

    def all_sources(self) -> list[Source]:
        """Every source on the record: its own, its status changes', its corrections'."""
        out = list(self.sources)
        for change in self.history:
            out.extend(change.sources)
        for c in self.corrections:
            out.extend(c.sources)
        if self.withdrawn is not None:
            out.extend(self.withdrawn.sources)
        return out

    @property
    def latest_source_date(self) -> str | None:
        dates = [s.date for s in self.all_sources() if s.date] + [r.date for r in self.readings if r.date]
        return latest_date(Source(publisher="", date=d) for d in dates)

    def readings_of(self, name: str) -> list[Reading]:
        return [r for r in self.readings if r.field == name]

    def supporting(self, *keys: str) -> tuple[Source, ...]:
        """The sources that say they support any of `keys`."""
        return tuple(s for s in self.sources if any(k in s.supports for k in keys))

    def party_keys(self, party: Party) -> tuple[str, ...]:
        keys = ["parties", f"party:{party.name}"]
        if party.organisation_id:
            keys.append(f"party:{party.organisation_id}")
        return tuple(keys)

    def claims(self) -> list[Claim]:
        """Every claim the record makes, each with the sources that support it (empty: unsourced)."""
        out: list[Claim] = [Claim("kind", "Kind", self.kind_label, self.supporting("kind"))]
        if self.binding is not None:
            out.append(Claim("binding", "Binding", "binding" if self.binding else "non-binding",
                             self.supporting("binding")))
        for name in DATE_FIELDS:
            value = getattr(self, name)
            if value:
                extra = tuple(s for c in self.history if DATED_STATUSES.get(c.status) == name
                              and (c.date.startswith(value) or value.startswith(c.date)) for s in c.sources)
                out.append(Claim(name, CLAIM_LABELS[name], value, _unique(self.supporting(name) + extra)))
        if self.status:
            latest = self.history[-1].sources if self.history else ()
            out.append(Claim("status", "Status", self.status, _unique(latest + self.supporting("status")),
                             as_of=self.status_as_of))
        for p in self.parties:
            label = "Witness" if p.role == "witness" else "Party"
            value = p.name + (f" ({p.role.replace('_', ' ')}" + (f", {p.share:g}%" if p.share is not None else "")
                              + ")")
            out.append(Claim(f"party:{p.organisation_id or p.name}", label, value,
                             self.supporting(*self.party_keys(p))))
        if self.amount is not None:
            out.append(Claim("amount", "Amount", f"{self.currency} {self.amount:,.0f}"
                             + (f" ({self.amount_basis})" if self.amount_basis else ""), self.supporting("amount")))
        for name, values in (("place", [self.place] if self.place else []), ("minerals", self.minerals),
                             ("projects", self.projects)):
            if values:
                out.append(Claim(name, CLAIM_LABELS[name], ", ".join(values), self.supporting(name)))
        return out

    def unsourced(self) -> list[str]:
        return [c.key for c in self.claims() if not c.sourced]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the draft fields, the timeline date and year, the status "as of" and every claim
        with its sources beside it."""
        claims = self.claims()
        return self.to_draft() | {"date": self.date, "year": self.year, "status_as_of": self.status_as_of,
                                  "final": self.final, "latest_source_date": self.latest_source_date,
                                  "claims": [c.as_dict() for c in claims],
                                  "unsourced": [c.key for c in claims if not c.sourced]}

    def to_draft(self) -> dict[str, Any]:
        """The agreement as a draft dict (what `parse_agreement` reads), e.g. to apply an edit to."""
        out: dict[str, Any] = {}
        for fld in dataclass_fields(self):
            value = getattr(self, fld.name)
            if fld.name == "parties":
                value = [{k: getattr(p, k) for k in PARTY_KEYS} for p in value]
            elif fld.name == "readings":
                value = [{k: getattr(r, k) for k in READING_KEYS} for r in value]
            elif fld.name in ("sources", "history", "corrections"):
                value = [item.as_dict() for item in value]
            elif fld.name == "withdrawn":
                value = None if value is None else {k: v for k, v in value.as_dict().items() if k in WITHDRAWN_KEYS}
            elif isinstance(value, tuple):
                value = list(value)
            out[fld.name] = value
        return out


def _unique(sources: tuple[Source, ...]) -> tuple[Source, ...]:
    return tuple(dict.fromkeys(sources))


@dataclass(frozen=True)
class References:
    """What a draft may refer to; None skips that check (e.g. unit tests of the shape alone)."""

    minerals: frozenset[str] | None = None
    organisations: frozenset[str] | None = None
    projects: frozenset[str] | None = None


# --- identifiers ---------------------------------------------------------------------------------

def slugify(text: str, limit: int = 80) -> str:
    # Accents are dropped (é -> e); any other non-alphanumeric character (dashes too) separates words.
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug[:limit].rstrip("-") or "agreement"


def make_id(title: str, date: str | None) -> str:
    """A readable id from the timeline date and the title, e.g. '2025-09-08-ussm-fwo-mou'."""
    return f"{date}-{slugify(title, 80)}" if date else slugify(title, 90)


# --- parsing a draft -----------------------------------------------------------------------------

def _party(item: Any, i: int, refs: References) -> Party:
    where = f"parties[{i}]"
    item = f.keys(item, where, PARTY_KEYS)
    org = f.text(item.get("organisation_id"), f"{where}.organisation_id", limit=80)
    if org and refs.organisations is not None and org not in refs.organisations:
        raise f.bad(f"{where}.organisation_id", f"unknown organisation id {org!r}")
    share = f.number(item.get("share"), f"{where}.share")
    if share is not None and share < 0:
        raise f.bad(f"{where}.share", f"{share:g} is below 0")
    if share is not None and share > 100:
        raise f.bad(f"{where}.share", f"{share:g} is above 100")
    return Party(name=f.text(item.get("name"), f"{where}.name", required=True, limit=300) or "",
                 role=f.choice(item.get("role") or "other", f"{where}.role", ROLES, words=True) or "other",
                 organisation_id=org, share=share)


def _reading(item: Any, i: int) -> Reading:
    where = f"readings[{i}]"
    item = f.keys(item, where, READING_KEYS)
    cite = {k: item.get(k) for k in ("url", "date", "evidence")}
    if isinstance(item.get("source"), dict):  # a full citation in place of a bare publisher
        source = parse_sources([item["source"]], f"{where}.source")[0]
        label, cite = source.publisher, {"url": source.url, "date": source.date, "evidence": source.evidence}
    else:
        label = f.text(item.get("source"), f"{where}.source", required=True, limit=500) or ""
    url = f.text(cite["url"], f"{where}.url", limit=1000)
    if url and not re.match(r"^https?://", url):
        raise f.bad(f"{where}.url", f"{url!r} must start with http:// or https://")
    return Reading(field=f.text(item.get("field"), f"{where}.field", required=True, limit=100) or "",
                   value=f.text(item.get("value"), f"{where}.value", required=True) or "", source=label,
                   note=f.text(item.get("note"), f"{where}.note"), url=url,
                   date=f.partial_date(cite["date"], f"{where}.date"),
                   evidence=f.text(cite["evidence"], f"{where}.evidence", limit=4000))


def _codes(value: Any, where: str, pattern: str, describe: str, upper: bool = False) -> tuple[str, ...]:
    out: list[str] = []
    for i, raw in enumerate(f.listing(value, where)):
        text = f.text(raw, f"{where}[{i}]", required=True, limit=120) or ""
        text = text.upper() if upper else text
        if not re.fullmatch(pattern, text):
            raise f.bad(f"{where}[{i}]", f"{raw!r} is not {describe}")
        if text not in out:
            out.append(text)
    return tuple(out)


def _claim_checker(parties: tuple[Party, ...]):
    """Whether a name is a claim a source may support: a field in CLAIMS or "party:" one of the parties."""
    names = {normalise(n) for p in parties for n in (p.name, p.organisation_id) if n}

    def check(name: str) -> bool:
        if name in CLAIMS:
            return True
        return name.startswith("party:") and normalise(name[len("party:"):]) in names

    return check


def _dates_from_history(dates: dict[str, str | None], history: tuple[StatusChange, ...]) -> None:
    """Fill the announced and signed dates from the status history; refuse a date the history contradicts."""
    for status, name in DATED_STATUSES.items():
        changes = [c for c in history if c.status == status]
        if not changes:
            continue
        given = dates[name]
        if given is None:
            dates[name] = changes[0].date
        elif not any(c.date.startswith(given) or given.startswith(c.date) for c in changes):
            raise f.bad(name, f"{given} disagrees with the {status!r} status change of {changes[0].date}; "
                              f"keep both as readings or correct one")


def parse_agreement(draft: Any, refs: References | None = None) -> Agreement:
    """A validated Agreement from a draft dict (see docs/agreements.md); every problem is an
    InvalidInput naming the field, e.g. "parties[1].share: 120 is above 100"."""
    refs = refs or References()
    if not isinstance(draft, dict):
        raise InvalidInput("an agreement must be a mapping of fields")
    unknown = sorted(str(k) for k in draft if k not in KEYS)
    if unknown:
        raise InvalidInput(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(KEYS)})",
                           details={"field": unknown[0]})
    title = f.text(draft.get("title"), "title", required=True, limit=500) or ""
    kind = f.choice(draft.get("kind"), "kind", KINDS, required=True, words=True) or ""
    binding = draft.get("binding")
    if binding is not None and not isinstance(binding, bool):
        raise f.bad("binding", f"{binding!r} must be true, false or null (unknown)")
    history = parse_history(draft.get("history"))
    dates = {name: parse_partial_date(draft.get(name), name) for name in DATE_FIELDS}
    _dates_from_history(dates, history)
    if dates["signed"] and dates["effective"] and before(dates["effective"], dates["signed"]):
        raise f.bad("effective", f"{dates['effective']} is before signed {dates['signed']}")
    if dates["effective"] and dates["expiry"] and before(dates["expiry"], dates["effective"]):
        raise f.bad("expiry", f"{dates['expiry']} is before effective {dates['effective']}")
    start = dates["signed"] or dates["effective"]
    if start and dates["expiry"] and before(dates["expiry"], start):
        raise f.bad("expiry", f"{dates['expiry']} is before signed {start}")

    status = f.choice(draft.get("status"), "status", STATUSES)
    if history:
        latest = history[-1].status
        if status is not None and status != latest:
            raise f.bad("status", f"{status!r} disagrees with the latest status change ({latest!r} on "
                                  f"{history[-1].date}): the status follows the history; add a status change")
        status = latest

    parties = tuple(_party(p, i, refs) for i, p in enumerate(f.listing(draft.get("parties"), "parties")))
    shares = [p.share for p in parties if p.share is not None]
    if sum(shares) > 100 + SHARE_TOLERANCE:
        raise f.bad("parties", f"shares sum to {sum(shares):g}, above 100")

    minerals = _codes(draft.get("minerals"), "minerals", r"[a-z0-9][a-z0-9-]*", "a mineral id")
    if refs.minerals is not None:
        for i, m in enumerate(minerals):
            if m != MINERAL_CLASS and m not in refs.minerals:
                raise f.bad(f"minerals[{i}]", f"unknown mineral id {m!r}")
    stages = tuple(f.choice(s, f"stages[{i}]", STAGES, required=True) or ""
                   for i, s in enumerate(f.listing(draft.get("stages"), "stages")))
    projects = _codes(draft.get("projects"), "projects", r"[a-z0-9][a-z0-9-]*", "a project id")
    if refs.projects is not None:
        for i, p in enumerate(projects):
            if p not in refs.projects:
                raise f.bad(f"projects[{i}]", f"unknown project id {p!r}")

    amount = f.number(draft.get("amount"), "amount")
    if amount is not None and amount < 0:
        raise f.bad("amount", f"{amount:g} is negative")
    currency = f.text(draft.get("currency"), "currency", limit=10)
    if currency is not None:
        currency = currency.upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise f.bad("currency", f"{draft.get('currency')!r} is not an ISO 4217 code such as USD")
    if amount is not None and currency is None:
        raise f.bad("currency", "is required when an amount is given")
    basis = f.choice(draft.get("amount_basis"), "amount_basis", AMOUNT_BASES)
    if basis is not None and amount is None:
        raise f.bad("amount_basis", "is given without an amount")

    withdrawn = None
    if draft.get("withdrawn") is not None:
        item = f.keys(draft["withdrawn"], "withdrawn", WITHDRAWN_KEYS)
        withdrawn = parse_correction({"claim": "record", "old": title} | item, "withdrawn")
    sources = parse_sources(draft.get("sources"), "sources", required=withdrawn is None,
                            claims=_claim_checker(parties))

    ident = f.text(draft.get("id"), "id", limit=120)
    if ident is not None:
        ident = ident.lower()
        if not _SLUG.match(ident):
            raise f.bad("id", f"{draft.get('id')!r} must be lower-case letters, digits and hyphens")
    else:
        ident = make_id(title, dates["signed"] or dates["announced"] or dates["effective"])
    replaces = _codes(draft.get("replaces"), "replaces", r"[a-z0-9][a-z0-9-]{0,119}", "an agreement id")
    if ident in replaces:
        raise f.bad("replaces", f"{ident!r} cannot replace itself")

    return Agreement(
        id=ident, title=title, kind=kind, binding=binding, **dates, status=status, parties=parties,
        countries=_codes(draft.get("countries"), "countries", r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code", upper=True),
        minerals=minerals, stages=tuple(dict.fromkeys(stages)), projects=projects,
        titles=_codes(draft.get("titles"), "titles", r"[A-Za-z0-9][A-Za-z0-9/ ._()-]*", "a title number"),
        amount=amount, currency=currency, amount_basis=basis, place=f.text(draft.get("place"), "place", limit=300),
        sources=sources, confidence=f.choice(draft.get("confidence"), "confidence", CONFIDENCE),
        readings=tuple(_reading(r, i) for i, r in enumerate(f.listing(draft.get("readings"), "readings"))),
        notes=f.text(draft.get("notes"), "notes", limit=8000), history=history,
        corrections=tuple(parse_correction(c, f"corrections[{i}]")
                          for i, c in enumerate(f.listing(draft.get("corrections"), "corrections"))),
        replaces=replaces, withdrawn=withdrawn,
    )


def apply_changes(current: Agreement, changes: Any, refs: References | None = None) -> Agreement:
    """`current` with the fields in `changes` replaced, validated like a new agreement. The id
    cannot change."""
    if not isinstance(changes, dict):
        raise InvalidInput("an edit must be a mapping of the fields to change")
    if "id" in changes and changes["id"] != current.id:
        raise f.bad("id", "cannot be changed by an edit")
    draft = current.to_draft() | dict(changes)
    if "history" in changes and "status" not in changes:
        draft.pop("status", None)  # the status follows the new history
    draft["id"] = current.id
    return parse_agreement(draft, refs)
