"""An agreement's status over time: dated status changes (announced, approved, signed, closed,
disbursed, deferred, ...), each with its own sources. The agreement's status is the latest change;
its "as of" date is the newest source that confirms it. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from maadan.evidence import fields
from maadan.evidence.model import Source, check_as_of, latest_date, parse_sources

STATUSES = ("announced", "signed", "approved", "closed", "disbursed", "stalled", "deferred", "cancelled", "expired",
            "completed")
FINAL_STATUSES = ("disbursed", "completed", "cancelled", "expired")  # nothing further is expected
DATED_STATUSES = {"announced": "announced", "signed": "signed"}  # status -> the date field it fills
HISTORY_KEYS = ("status", "date", "as_of", "sources", "note")


@dataclass(frozen=True)
class StatusChange:
    """The agreement reached `status` on `date` (at the precision the sources give), and was still in it
    `as_of` (default: the newest of its sources)."""

    status: str
    date: str
    sources: tuple[Source, ...]
    as_of: str | None = None
    note: str | None = None

    @property
    def confirmed(self) -> str | None:
        """The day up to which the sources confirm this status."""
        return self.as_of or latest_date(self.sources) or self.date

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "date": self.date, "as_of": self.as_of, "note": self.note,
                "sources": [s.as_dict() for s in self.sources]}


def parse_change(item: Any, where: str) -> StatusChange:
    item = fields.keys(item, where, HISTORY_KEYS)
    status = fields.choice(item.get("status"), f"{where}.status", STATUSES, required=True) or ""
    date = fields.partial_date(item.get("date"), f"{where}.date")
    if date is None:
        raise fields.bad(f"{where}.date", "is required (YYYY, YYYY-MM or YYYY-MM-DD, as precise as the sources)")
    sources = parse_sources(item.get("sources"), f"{where}.sources", required=True)
    as_of = fields.partial_date(item.get("as_of"), f"{where}.as_of")
    if as_of is not None and fields.before(as_of, date):
        raise fields.bad(f"{where}.as_of", f"{as_of} is before the change itself ({date})")
    check_as_of(as_of, sources, f"{where}.as_of")
    return StatusChange(status=status, date=date, sources=sources, as_of=as_of,
                        note=fields.text(item.get("note"), f"{where}.note", limit=4000))


def ordered(changes: Iterable[StatusChange]) -> tuple[StatusChange, ...]:
    """Oldest first. A change moves before another only when its date is certainly earlier: dates that
    overlap ('2025-11' and '2025-11-23') keep the order given, which is the order they were learnt."""
    out: list[StatusChange] = []
    for change in changes:
        pos = len(out)
        while pos > 0 and fields.period_end(change.date) < fields.period_start(out[pos - 1].date):
            pos -= 1
        out.insert(pos, change)
    return tuple(out)


def parse_history(value: Any, where: str = "history") -> tuple[StatusChange, ...]:
    return ordered(parse_change(c, f"{where}[{i}]") for i, c in enumerate(fields.listing(value, where)))


def same_change(a: StatusChange, b: StatusChange) -> bool:
    """Two reports of one change: the same status on dates that agree at their common precision."""
    return a.status == b.status and not fields.before(a.date, b.date) and not fields.before(b.date, a.date)


def conflicting(history: tuple[StatusChange, ...]) -> list[tuple[StatusChange, StatusChange]]:
    """Pairs of changes to the same status that sources date differently (kept side by side)."""
    out = []
    for i, a in enumerate(history):
        for b in history[i + 1:]:
            if a.status == b.status and not same_change(a, b):
                out.append((a, b))
    return out
