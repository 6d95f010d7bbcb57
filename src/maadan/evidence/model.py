"""The source of a claim, a correction of a claim and a record's claims listed with their sources.

A claim is one statement a record makes (a party, a date, an amount, a stake, a reserve figure, a
status). It is sourced when at least one source supports it; a source names the publisher, the page
(URL), the publication date and the words that support the claim, quoted (a sentence or less). A
correction records a change to a claim: which, from what to what, why, who, when and on what source.
Plain Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from maadan.evidence import fields

SOURCE_KEYS = ("publisher", "url", "date", "evidence", "supports")
CORRECTION_KEYS = ("claim", "old", "new", "why", "by", "at", "sources")
QUOTE_LIMIT = 300  # a bundled quote: a sentence or less (fair use)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """A publication that supports claims: its publisher, page, publication date and the words quoted.
    `supports` names the claims of the record it supports (empty: the record as a whole)."""

    publisher: str
    url: str | None = None
    date: str | None = None
    evidence: str | None = None
    supports: tuple[str, ...] = ()

    @property
    def cited(self) -> bool:
        """A full citation: a link, a publication date and the supporting words."""
        return bool(self.url and self.date and self.evidence)

    @property
    def label(self) -> str:
        return f"{self.publisher}, {self.date}" if self.date else self.publisher

    @property
    def reference(self) -> str:
        """The label and the page without its scheme, e.g. `Dawn, 2025-02-07 (dawn.com/news/1890305/...)`:
        plain text for reports that must not link out."""
        if not self.url:
            return self.label
        page = re.sub(r"https?://(www\.)?", "", self.url, flags=re.IGNORECASE)  # also a mirror's embedded URL
        return f"{self.label} ({page})"

    def as_dict(self) -> dict[str, Any]:
        return {"publisher": self.publisher, "url": self.url, "date": self.date, "evidence": self.evidence,
                "supports": list(self.supports)}


@dataclass(frozen=True)
class Correction:
    """A recorded change to a claim, shown on the record the way a newspaper prints a correction."""

    claim: str
    why: str
    by: str
    at: str
    old: str | None = None
    new: str | None = None
    sources: tuple[Source, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "old": self.old, "new": self.new, "why": self.why, "by": self.by, "at": self.at,
                "sources": [s.as_dict() for s in self.sources]}


@dataclass(frozen=True)
class Claim:
    """One statement of a record with the sources that support it (none: unsourced)."""

    key: str
    label: str
    value: str
    sources: tuple[Source, ...] = ()
    as_of: str | None = None

    @property
    def sourced(self) -> bool:
        return bool(self.sources)

    @property
    def cited(self) -> bool:
        """Supported by at least one full citation (URL, date and quote)."""
        return any(s.cited for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {"claim": self.key, "label": self.label, "value": self.value, "as_of": self.as_of,
                "sourced": self.sourced, "sources": [s.as_dict() for s in self.sources]}


def latest_date(sources: Iterable[Source]) -> str | None:
    """The newest publication date among `sources` (compared by the last day each can mean)."""
    dated = [s.date for s in sources if s.date]
    return max(dated, key=fields.period_end) if dated else None


def check_as_of(as_of: str | None, sources: Iterable[Source], where: str) -> None:
    """An "as of" date may be no newer than the newest source behind it (a source cannot confirm a
    status on a day after it was published)."""
    if as_of is None:
        return
    newest = latest_date(sources)
    if newest is None:
        raise fields.bad(where, f"as of {as_of} needs a dated source")
    if fields.period_start(as_of) > fields.period_end(newest):
        raise fields.bad(where, f"as of {as_of} is newer than its latest source ({newest})")


def parse_source(item: Any, where: str, claims: Any = None) -> Source:
    """A Source from a mapping (or a bare publisher name). `claims(name) -> bool` checks the names in
    `supports`; None refuses any `supports` (a source on a single claim needs none)."""
    if isinstance(item, str):
        item = {"publisher": item}
    item = fields.keys(item, where, SOURCE_KEYS)
    url = fields.text(item.get("url"), f"{where}.url", limit=1000)
    if url and not _URL.match(url):
        raise fields.bad(f"{where}.url", f"{url!r} must be an http:// or https:// address")
    supports: list[str] = []
    for i, name in enumerate(fields.listing(item.get("supports"), f"{where}.supports")):
        key = fields.text(name, f"{where}.supports[{i}]", required=True, limit=200) or ""
        if claims is None:
            raise fields.bad(f"{where}.supports", "is not used here: this source supports the claim it is on")
        if not claims(key):
            raise fields.bad(f"{where}.supports[{i}]", f"{key!r} is not a claim of this record")
        if key not in supports:
            supports.append(key)
    return Source(publisher=fields.text(item.get("publisher"), f"{where}.publisher", required=True, limit=300) or "",
                  url=url, date=fields.partial_date(item.get("date"), f"{where}.date"),
                  evidence=fields.text(item.get("evidence"), f"{where}.evidence", limit=4000),
                  supports=tuple(supports))


def parse_sources(value: Any, where: str, *, required: bool = False, claims: Any = None) -> tuple[Source, ...]:
    out = tuple(parse_source(s, f"{where}[{i}]", claims) for i, s in enumerate(fields.listing(value, where)))
    if required and not out:
        raise fields.bad(where, "at least one source is required")
    return out


def parse_correction(item: Any, where: str) -> Correction:
    item = fields.keys(item, where, CORRECTION_KEYS)
    return Correction(
        claim=fields.text(item.get("claim"), f"{where}.claim", required=True, limit=200) or "",
        old=fields.text(item.get("old"), f"{where}.old", limit=4000),
        new=fields.text(item.get("new"), f"{where}.new", limit=4000),
        why=fields.text(item.get("why"), f"{where}.why", required=True, limit=4000) or "",
        by=fields.text(item.get("by"), f"{where}.by", required=True, limit=200) or "",
        at=_when(item.get("at"), f"{where}.at"),
        sources=parse_sources(item.get("sources"), f"{where}.sources"),
    )


def _when(value: Any, where: str) -> str:
    """A date (YYYY-MM-DD) or an ISO timestamp."""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    found = fields.text(value, where, required=True, limit=40) or ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]+)?", found):
        raise fields.bad(where, f"{found!r} is not a date (YYYY-MM-DD) or an ISO timestamp")
    fields.partial_date(found[:10], where)
    return found
