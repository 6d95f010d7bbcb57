"""Dates in a news text, resolved against the publication date.

Absolute dates ("8 September 2025", "September 8, 2025", "2025-09-08", "September 2025") need nothing
else. Relative ones ("on Monday", "yesterday", "last month", "in May", "two weeks ago") are resolved
against the publication date: a weekday is the latest such day on or before publication (news reports
the past; "next Monday" looks forward), a bare month is the latest such month on or before publication.
Without a publication date, or for vague phrases ("in recent months", "soon"), the date is returned as
unresolved with its span, never guessed. Values are partial ISO strings at the precision the text gives."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from maadan.news.document import FULL_DATE_RE, MONTH_RE, month_number, parse_full_date
from maadan.news.model import Mention

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_FULL_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"

MONTH_YEAR_RE = re.compile(rf"\b(?P<mn>{MONTH_RE})\s+(?P<y>\d{{4}})\b", re.IGNORECASE)
WEEKDAY_RE = re.compile(r"\b(?:(?P<rel>last|this|next|on)\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|"
                        r"Saturday|Sunday)\b")
RELATIVE_RE = re.compile(r"\b(?P<p>today|yesterday|tomorrow|(?:earlier|later) this (?:year|month)|"
                         r"(?:this|last|next|past) (?:week|month|year))\b", re.IGNORECASE)
AGO_RE = re.compile(r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)\s+"
                    r"(?P<unit>days?|weeks?|months?|years?)\s+ago\b", re.IGNORECASE)
BARE_MONTH_RE = re.compile(rf"\b(?:(?:in|since|from|by|until|during|early|late|mid-?|last|an?|the)\s+)"
                           rf"(?P<mn>{_FULL_MONTHS})\b(?!\s+\d)")
YEAR_RE = re.compile(r"\b(?:in|since|by|until|from|during|of|year)\s+(?P<y>(?:19|20)\d{2})\b(?![-/]\d)")
VAGUE_RE = re.compile(r"\b(?:in\s+)?(?:recent (?:days|weeks|months|years)|recently|soon|in the coming "
                      r"(?:days|weeks|months|years)|at a later date)\b", re.IGNORECASE)

_NUMBER = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}


def _month_back(d: date, n: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 - n
    return index // 12, index % 12 + 1


def _mention(m: re.Match, value: str | None, note: str | None = None, group: int | str = 0) -> Mention:
    return Mention("date", m.group(group), m.start(group), m.end(group), value, None, value is not None, note)


def _unresolved(m: re.Match, why: str) -> Mention:
    return _mention(m, None, f"unresolved: {why}")


def find_dates(text: str, published: date | None) -> list[Mention]:
    """Every date expression with its resolved value (or None and a note saying why not)."""
    out: list[Mention] = []
    no_pub = "relative date and no publication date"
    for m in FULL_DATE_RE.finditer(text):
        d = parse_full_date(m)
        out.append(_mention(m, d.isoformat()) if d else _unresolved(m, "not a calendar date"))
    for m in MONTH_YEAR_RE.finditer(text):
        out.append(_mention(m, f"{int(m['y']):04d}-{month_number(m['mn']):02d}"))
    for m in WEEKDAY_RE.finditer(text):
        if published is None:
            out.append(_unresolved(m, no_pub))
            continue
        wd = _WEEKDAYS.index(m["wd"].lower())
        back = (published.weekday() - wd) % 7
        if m["rel"] == "next":
            d = published + timedelta(days=(wd - published.weekday()) % 7 or 7)
        elif m["rel"] == "last":
            d = published - timedelta(days=back or 7)
        else:
            d = published - timedelta(days=back)
        out.append(_mention(m, d.isoformat(), "weekday: the latest such day on or before publication"
                            if m["rel"] != "next" else "weekday: the next such day after publication"))
    for m in RELATIVE_RE.finditer(text):
        if published is None:
            out.append(_unresolved(m, no_pub))
            continue
        p = m["p"].lower()
        if p == "today":
            value = published.isoformat()
        elif p == "yesterday":
            value = (published - timedelta(days=1)).isoformat()
        elif p == "tomorrow":
            value = (published + timedelta(days=1)).isoformat()
        elif p.endswith("week"):
            out.append(_unresolved(m, "a week, not a date"))
            continue
        elif p.endswith("month"):
            shift = {"last": 1, "past": 1, "next": -1}.get(p.split()[0], 0)
            y, mo = _month_back(published, shift)
            value = f"{y:04d}-{mo:02d}"
        else:
            shift = {"last": 1, "past": 1, "next": -1}.get(p.split()[0], 0)
            value = f"{published.year - shift:04d}"
        out.append(_mention(m, value))
    for m in AGO_RE.finditer(text):
        n = _NUMBER.get(m["n"].lower()) if not m["n"].isdigit() else int(m["n"])
        if published is None or n is None:
            out.append(_unresolved(m, no_pub if published is None else "vague count"))
            continue
        import dateparser  # loaded on first use: importing it costs about half a second

        parsed = dateparser.parse(f"{n} {m['unit']} ago", languages=["en"], settings={
            "RELATIVE_BASE": datetime.combine(published, datetime.min.time())})
        unit = m["unit"].lower().rstrip("s")
        if parsed is None:
            out.append(_unresolved(m, "dateparser could not read it"))
        else:
            value = {"day": parsed.date().isoformat(), "week": parsed.date().isoformat(),
                     "month": f"{parsed.year:04d}-{parsed.month:02d}", "year": f"{parsed.year:04d}"}[unit]
            out.append(_mention(m, value, "dateparser, against the publication date"))
    for m in BARE_MONTH_RE.finditer(text):
        if published is None:
            out.append(_mention(m, None, f"unresolved: {no_pub}", "mn"))
            continue
        mo = month_number(m["mn"])
        year = published.year if mo <= published.month else published.year - 1
        out.append(_mention(m, f"{year:04d}-{mo:02d}", "month: the latest such month on or before publication",
                            "mn"))
    for m in YEAR_RE.finditer(text):
        out.append(_mention(m, m["y"], None, "y"))
    for m in VAGUE_RE.finditer(text):
        out.append(_unresolved(m, "vague"))
    return out
