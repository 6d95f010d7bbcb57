"""Agreements: MoUs, joint ventures, leases, offtakes, loans, trade deals and the events around them,
each with its parties, dates at the precision the sources give, amounts as given and its sources.
Plain Python: `parse_agreement` turns a draft dict into an `Agreement` or raises InvalidInput naming
the field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any, Iterable

from maadan.errors import InvalidInput

KINDS = ("mou", "framework", "joint_venture", "concession", "offtake", "loan", "guarantee", "equity", "shipment",
         "trade_deal", "policy", "event")
KIND_LABELS = {"mou": "MoU", "framework": "framework", "joint_venture": "joint venture",
               "concession": "concession or lease", "offtake": "offtake", "loan": "loan", "guarantee": "guarantee",
               "equity": "equity", "shipment": "shipment", "trade_deal": "trade deal", "policy": "policy",
               "event": "event"}
STATUSES = ("announced", "signed", "approved", "closed", "disbursed", "stalled")
ROLES = ("government", "state_owned_enterprise", "company", "lender", "offtaker", "guarantor", "witness", "other")
STAGES = ("exploration", "mining", "processing", "refining", "recycling", "logistics")
AMOUNT_BASES = ("committed", "approved", "disbursed", "reported")
CONFIDENCE = ("high", "medium", "low")
MINERAL_CLASS = "critical-minerals"  # "critical minerals" in a text that names none
DATE_FIELDS = ("announced", "signed", "effective", "expiry")
SHARE_KINDS = ("equity", "joint_venture")  # kinds whose party shares must not sum above 100
SHARE_TOLERANCE = 0.01

KEYS = ("id", "title", "kind", "binding", "announced", "signed", "effective", "expiry", "status", "parties",
        "countries", "minerals", "stages", "projects", "titles", "amount", "currency", "amount_basis", "place",
        "sources", "confidence", "readings", "notes")
PARTY_KEYS = ("name", "organisation_id", "role", "share")
SOURCE_KEYS = ("publisher", "url", "date", "evidence")
READING_KEYS = ("field", "value", "source", "note")

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class Party:
    name: str
    role: str
    organisation_id: str | None = None
    share: float | None = None


@dataclass(frozen=True)
class Source:
    publisher: str
    url: str | None = None
    date: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class Reading:
    """One source's value for a field where sources disagree; readings are shown side by side."""

    field: str
    value: str
    source: str
    note: str | None = None


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

    def readings_of(self, name: str) -> list[Reading]:
        return [r for r in self.readings if r.field == name]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the draft fields plus the timeline date and year."""
        return self.to_draft() | {"date": self.date, "year": self.year}

    def to_draft(self) -> dict[str, Any]:
        """The agreement as a draft dict (what `parse_agreement` reads), e.g. to apply an edit to."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("parties", "sources", "readings"):
                value = [{k: getattr(item, k) for k in (PARTY_KEYS if f.name == "parties" else SOURCE_KEYS
                                                         if f.name == "sources" else READING_KEYS)} for item in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


@dataclass(frozen=True)
class References:
    """What a draft may refer to; None skips that check (e.g. unit tests of the shape alone)."""

    minerals: frozenset[str] | None = None
    organisations: frozenset[str] | None = None
    projects: frozenset[str] | None = None


# --- partial dates -------------------------------------------------------------------------------

def parse_partial_date(value: Any, where: str) -> str | None:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a real calendar date) or None; anything else is InvalidInput."""
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):  # a date that YAML parsed for us
        value = value.isoformat()[:10]
    if isinstance(value, int) and 1000 <= value <= 9999:
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", details={"field": where})
    m = _PARTIAL_DATE.match(value.strip())
    if not m:
        raise InvalidInput(f"{where}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", details={"field": where})
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is not None and not 1 <= int(month) <= 12:
        raise InvalidInput(f"{where}: month {month} of {value!r} is not 01-12", details={"field": where})
    if day is not None:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = _MONTH_DAYS[int(month) - 1] - (1 if int(month) == 2 and not leap else 0)
        if not 1 <= int(day) <= last:
            raise InvalidInput(f"{where}: day {day} of {value!r} does not exist", details={"field": where})
    return value.strip()


def before(a: str, b: str) -> bool:
    """True when partial date `a` is certainly before `b`, compared at their common precision
    ('2025-09' is not before '2025-09-08': at month precision they are equal)."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


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

def _bad(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}", details={"field": where})


def _text(value: Any, where: str, *, required: bool = False, limit: int = 2000) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _bad(where, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _bad(where, f"must be text, not {type(value).__name__}")
    text = str(value).strip()
    bad = next((ch for ch in text if (ord(ch) < 32 and ch not in "\n\t\r") or 0xD800 <= ord(ch) <= 0xDFFF
                or ord(ch) == 0x7F), None)
    if bad is not None:
        raise _bad(where, f"contains the control character U+{ord(bad):04X}")
    if len(text) > limit:
        raise _bad(where, f"is longer than {limit} characters")
    return text


def _choice(value: Any, where: str, choices: Iterable[str], *, required: bool = False) -> str | None:
    text = _text(value, where, required=required, limit=100)
    if text is None:
        return None
    text = text.lower().replace("-", "_").replace(" ", "_") if where.endswith(("kind", "role")) else text.lower()
    if text not in choices:
        raise _bad(where, f"{value!r} is not one of {', '.join(choices)}")
    return text


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, dict)) or not isinstance(value, (list, tuple)):
        raise _bad(where, "must be a list")
    return list(value)


def _keys(item: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _bad(where, "must be a mapping")
    unknown = sorted(str(k) for k in item if k not in allowed)
    if unknown:
        raise _bad(where, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    return item


def _number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _bad(where, f"{value!r} is not a number")
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise _bad(where, f"{value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _bad(where, f"{value!r} is not a finite number")
    return number


def _party(item: Any, i: int, refs: References) -> Party:
    where = f"parties[{i}]"
    item = _keys(item, where, PARTY_KEYS)
    org = _text(item.get("organisation_id"), f"{where}.organisation_id", limit=80)
    if org and refs.organisations is not None and org not in refs.organisations:
        raise _bad(f"{where}.organisation_id", f"unknown organisation id {org!r}")
    share = _number(item.get("share"), f"{where}.share")
    if share is not None and share < 0:
        raise _bad(f"{where}.share", f"{share:g} is below 0")
    if share is not None and share > 100:
        raise _bad(f"{where}.share", f"{share:g} is above 100")
    return Party(name=_text(item.get("name"), f"{where}.name", required=True, limit=300) or "",
                 role=_choice(item.get("role") or "other", f"{where}.role", ROLES) or "other",
                 organisation_id=org, share=share)


def _source(item: Any, i: int) -> Source:
    where = f"sources[{i}]"
    if isinstance(item, str):  # a bare citation is its publisher
        item = {"publisher": item}
    item = _keys(item, where, SOURCE_KEYS)
    url = _text(item.get("url"), f"{where}.url", limit=1000)
    if url and not re.match(r"^https?://", url):
        raise _bad(f"{where}.url", f"{url!r} must start with http:// or https://")
    return Source(publisher=_text(item.get("publisher"), f"{where}.publisher", required=True, limit=300) or "",
                  url=url, date=parse_partial_date(item.get("date"), f"{where}.date"),
                  evidence=_text(item.get("evidence"), f"{where}.evidence", limit=4000))


def _reading(item: Any, i: int) -> Reading:
    where = f"readings[{i}]"
    item = _keys(item, where, READING_KEYS)
    name = _text(item.get("field"), f"{where}.field", required=True, limit=100) or ""
    return Reading(field=name, value=_text(item.get("value"), f"{where}.value", required=True) or "",
                   source=_text(item.get("source"), f"{where}.source", required=True, limit=500) or "",
                   note=_text(item.get("note"), f"{where}.note"))


def _codes(value: Any, where: str, pattern: str, describe: str, upper: bool = False) -> tuple[str, ...]:
    out: list[str] = []
    for i, raw in enumerate(_list(value, where)):
        text = _text(raw, f"{where}[{i}]", required=True, limit=120) or ""
        text = text.upper() if upper else text
        if not re.fullmatch(pattern, text):
            raise _bad(f"{where}[{i}]", f"{raw!r} is not {describe}")
        if text not in out:
            out.append(text)
    return tuple(out)


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
    title = _text(draft.get("title"), "title", required=True, limit=500) or ""
    kind = _choice(draft.get("kind"), "kind", KINDS, required=True) or ""
    binding = draft.get("binding")
    if binding is not None and not isinstance(binding, bool):
        raise _bad("binding", f"{binding!r} must be true, false or null (unknown)")
    dates = {name: parse_partial_date(draft.get(name), name) for name in DATE_FIELDS}
    if dates["signed"] and dates["effective"] and before(dates["effective"], dates["signed"]):
        raise _bad("effective", f"{dates['effective']} is before signed {dates['signed']}")
    if dates["effective"] and dates["expiry"] and before(dates["expiry"], dates["effective"]):
        raise _bad("expiry", f"{dates['expiry']} is before effective {dates['effective']}")
    start = dates["signed"] or dates["effective"]
    if start and dates["expiry"] and before(dates["expiry"], start):
        raise _bad("expiry", f"{dates['expiry']} is before signed {start}")

    parties = tuple(_party(p, i, refs) for i, p in enumerate(_list(draft.get("parties"), "parties")))
    shares = [p.share for p in parties if p.share is not None]
    if sum(shares) > 100 + SHARE_TOLERANCE:
        raise _bad("parties", f"shares sum to {sum(shares):g}, above 100")

    minerals = _codes(draft.get("minerals"), "minerals", r"[a-z0-9][a-z0-9-]*", "a mineral id")
    if refs.minerals is not None:
        for i, m in enumerate(minerals):
            if m != MINERAL_CLASS and m not in refs.minerals:
                raise _bad(f"minerals[{i}]", f"unknown mineral id {m!r}")
    stages = tuple(_choice(s, f"stages[{i}]", STAGES, required=True) or ""
                   for i, s in enumerate(_list(draft.get("stages"), "stages")))
    projects = _codes(draft.get("projects"), "projects", r"[a-z0-9][a-z0-9-]*", "a project id")
    if refs.projects is not None:
        for i, p in enumerate(projects):
            if p not in refs.projects:
                raise _bad(f"projects[{i}]", f"unknown project id {p!r}")

    amount = _number(draft.get("amount"), "amount")
    if amount is not None and amount < 0:
        raise _bad("amount", f"{amount:g} is negative")
    currency = _text(draft.get("currency"), "currency", limit=10)
    if currency is not None:
        currency = currency.upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise _bad("currency", f"{draft.get('currency')!r} is not an ISO 4217 code such as USD")
    if amount is not None and currency is None:
        raise _bad("currency", "is required when an amount is given")
    basis = _choice(draft.get("amount_basis"), "amount_basis", AMOUNT_BASES)
    if basis is not None and amount is None:
        raise _bad("amount_basis", "is given without an amount")

    sources = tuple(_source(s, i) for i, s in enumerate(_list(draft.get("sources"), "sources")))
    if not sources:
        raise _bad("sources", "at least one source is required")

    ident = _text(draft.get("id"), "id", limit=120)
    if ident is not None:
        ident = ident.lower()
        if not _SLUG.match(ident):
            raise _bad("id", f"{draft.get('id')!r} must be lower-case letters, digits and hyphens")
    else:
        ident = make_id(title, dates["signed"] or dates["announced"] or dates["effective"])

    return Agreement(
        id=ident, title=title, kind=kind, binding=binding, **dates,
        status=_choice(draft.get("status"), "status", STATUSES), parties=parties,
        countries=_codes(draft.get("countries"), "countries", r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code", upper=True),
        minerals=minerals, stages=tuple(dict.fromkeys(stages)), projects=projects,
        titles=_codes(draft.get("titles"), "titles", r"[A-Za-z0-9][A-Za-z0-9/ ._()-]*", "a title number"),
        amount=amount, currency=currency, amount_basis=basis, place=_text(draft.get("place"), "place", limit=300),
        sources=sources, confidence=_choice(draft.get("confidence"), "confidence", CONFIDENCE),
        readings=tuple(_reading(r, i) for i, r in enumerate(_list(draft.get("readings"), "readings"))),
        notes=_text(draft.get("notes"), "notes", limit=8000),
    )


def apply_changes(current: Agreement, changes: Any, refs: References | None = None) -> Agreement:
    """`current` with the fields in `changes` replaced, validated like a new agreement. The id
    cannot change."""
    if not isinstance(changes, dict):
        raise InvalidInput("an edit must be a mapping of the fields to change")
    if "id" in changes and changes["id"] != current.id:
        raise _bad("id", "cannot be changed by an edit")
    draft = current.to_draft() | dict(changes)
    draft["id"] = current.id
    return parse_agreement(draft, refs)

