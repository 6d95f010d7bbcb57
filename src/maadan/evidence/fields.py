"""Parsing one field of a hostile mapping: text, choices, lists, numbers and partial dates, each
refused with an InvalidInput that names the field ("sources[2].date: ..."). Plain Python."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any, Iterable

from maadan.errors import InvalidInput

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def bad(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}", details={"field": where})


def text(value: Any, where: str, *, required: bool = False, limit: int = 2000) -> str | None:
    """Stripped text (numbers are accepted as their text); control characters and lone surrogates refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad(where, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise bad(where, f"must be text, not {type(value).__name__}")
    out = str(value).strip()
    wrong = next((ch for ch in out if (ord(ch) < 32 and ch not in "\n\t\r") or 0xD800 <= ord(ch) <= 0xDFFF
                  or ord(ch) == 0x7F), None)
    if wrong is not None:
        raise bad(where, f"contains the control character U+{ord(wrong):04X}")
    if len(out) > limit:
        raise bad(where, f"is longer than {limit} characters")
    return out


def choice(value: Any, where: str, choices: Iterable[str], *, required: bool = False,
           words: bool = False) -> str | None:
    """One of `choices`, lower-cased; with `words`, "joint venture" and "joint-venture" read as joint_venture."""
    found = text(value, where, required=required, limit=100)
    if found is None:
        return None
    found = found.lower().replace("-", "_").replace(" ", "_") if words else found.lower()
    choices = tuple(choices)
    if found not in choices:
        raise bad(where, f"{value!r} is not one of {', '.join(choices)}")
    return found


def listing(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, dict)) or not isinstance(value, (list, tuple)):
        raise bad(where, "must be a list")
    return list(value)


def keys(item: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise bad(where, "must be a mapping")
    unknown = sorted(str(k) for k in item if k not in allowed)
    if unknown:
        raise bad(where, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    return item


def number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad(where, f"{value!r} is not a number")
    try:
        found = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise bad(where, f"{value!r} is not a number") from None
    if found != found or found in (float("inf"), float("-inf")):
        raise bad(where, f"{value!r} is not a finite number")
    return found


def partial_date(value: Any, where: str) -> str | None:
    """'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (a real calendar date) or None; anything else is InvalidInput."""
    if value is None or value == "":
        return None
    if hasattr(value, "isoformat"):  # a date that YAML parsed for us
        value = value.isoformat()[:10]
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        value = str(value)
    if not isinstance(value, str):
        raise bad(where, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    m = _PARTIAL_DATE.match(value.strip())
    if not m:
        raise bad(where, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if month is not None and not 1 <= int(month) <= 12:
        raise bad(where, f"month {month} of {value!r} is not 01-12")
    if day is not None and not 1 <= int(day) <= calendar.monthrange(year, int(month))[1]:
        raise bad(where, f"day {day} of {value!r} does not exist")
    return value.strip()


def before(a: str, b: str) -> bool:
    """True when partial date `a` is certainly before `b`, compared at their common precision
    ('2025-09' is not before '2025-09-08': at month precision they are equal)."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def period_end(partial: str) -> date:
    """The last day a partial date can mean: '2025' -> 31 Dec 2025, '2025-04' -> 30 Apr 2025."""
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 12, 31)


def period_start(partial: str) -> date:
    """The first day a partial date can mean: '2025-04' -> 1 Apr 2025."""
    parts = [int(p) for p in partial.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])
