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

from maadan.news.calendar import FULL_DATE_RE, MONTH_RE, month_number, parse_full_date
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
BAREMONTH_RE = re.compile(rf"\b(?:(?i:in|since|from|by|until|during|early|late|mid-?|last|an?|the)\s+)"
                           rf"(?P<mn>{_FULL_MONTHS})\b(?!\s+\d)")
YEAR_RE = re.compile(r"\b(?:in|since|by|until|from|during|of|year|early|late|mid|mid-|end of|start of|before|after)"
                     r"\s*(?P<y>(?:19|20)\d{2})\b(?![-/]\d)", re.IGNORECASE)
# A day and month without a year ("July 31", "on 8 May", "Monday (October 20)") and ranges of days.
MONTH_DAY_RE = re.compile(rf"\b(?P<mn>{MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s?[-–]\s?(?P<d2>\d{{1,2}})|"
                          rf"\s+and\s+(?P<d3>\d{{1,2}})\b)?(?![\d,]*\s*\d{{4}})(?!\d)(?!\s*(?:,\s*)?\d{{4}})")
DAYMONTH_RE = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s?[-–]\s?(?P<d2>\d{{1,2}}))?\s+(?:of\s+)?"
                          rf"(?P<mn>{MONTH_RE})(?![a-z])(?!,?\s*\d{{4}})")
RANGE_YEAR_RE = re.compile(rf"\b(?P<mn>{MONTH_RE})\s+(?P<d>\d{{1,2}})\s?[-–]\s?(?P<d2>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b|"
                           rf"\b(?P<dd>\d{{1,2}})\s?[-–]\s?(?P<dd2>\d{{1,2}})\s+(?P<mn2>{MONTH_RE}),?\s+(?P<y2>\d{{4}})\b")
MONTH_REL_YEAR_RE = re.compile(rf"\b(?P<mn>{_FULL_MONTHS})\s+(?P<rel>last|this|next)\s+year\b", re.IGNORECASE)
DURATION_BEFORE = re.compile(r"\b(?:over|during|for|within|in|throughout)\s+(?:the\s+)?$", re.IGNORECASE)
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


def _nearest_year(month: int, day: int, published: date) -> date | None:
    """The year of a day-and-month: news mostly reports the past, so the publication year unless that puts
    the day more than three months ahead (then the year before) or nine months behind (the year after)."""
    try:
        d = date(published.year, month, day)
    except ValueError:
        return None
    year = published.year - 1 if (d - published).days > 92 else published.year + 1 if (published - d).days > 275 \
        else published.year
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _without_year(m: re.Match, published: date | None) -> list[Mention]:
    days = [m["d"]] + [x for x in (m.groupdict().get("d2"), m.groupdict().get("d3")) if x]
    out = []
    for day in days:
        if published is None:
            out.append(_unresolved(m, "a day and month without a year, and no publication date"))
            continue
        d = _nearest_year(month_number(m["mn"]), int(day), published)
        out.append(_mention(m, d.isoformat(), "day and month: the year nearest the publication date") if d
                   else _unresolved(m, "not a calendar date"))
    return out


_ANY_MONTH = re.compile(rf"\b{MONTH_RE}", re.IGNORECASE)
_EMPTY: tuple = ()


def find_dates(text: str, published: date | None) -> list[Mention]:
    """Every date expression with its resolved value (or None and a note saying why not). A pattern runs
    only when the text holds the words it needs (a month name, "ago", "year"...)."""
    out: list[Mention] = []
    no_pub = "relative date and no publication date"
    low = text.lower()
    months = bool(_ANY_MONTH.search(text))

    def run(rx: re.Pattern, *needs: str, month: bool = False):
        if (month and not months) or (needs and not any(n in low for n in needs)):
            return _EMPTY
        return rx.finditer(text)

    for m in run(RANGE_YEAR_RE, "-", "–", month=True):
        mn, y = (m["mn"], m["y"]) if m["mn"] else (m["mn2"], m["y2"])
        for day in ((m["d"], m["d2"]) if m["mn"] else (m["dd"], m["dd2"])):
            try:
                out.append(_mention(m, date(int(y), month_number(mn), int(day)).isoformat(), "one day of a range"))
            except ValueError:
                out.append(_unresolved(m, "not a calendar date"))
    for rx in (MONTH_DAY_RE, DAYMONTH_RE):
        for m in run(rx, month=True):
            out += _without_year(m, published)
    for m in run(MONTH_REL_YEAR_RE, " year", month=True):
        if published is None:
            out.append(_unresolved(m, no_pub))
            continue
        shift = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
        out.append(_mention(m, f"{published.year + shift:04d}-{month_number(m['mn']):02d}"))
    for m in run(FULL_DATE_RE):
        d = parse_full_date(m)
        out.append(_mention(m, d.isoformat()) if d else _unresolved(m, "not a calendar date"))
    for m in run(MONTH_YEAR_RE, month=True):
        out.append(_mention(m, f"{int(m['y']):04d}-{month_number(m['mn']):02d}"))
    for m in run(WEEKDAY_RE, "day"):
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
    for m in run(RELATIVE_RE, "today", "yesterday", "tomorrow", "week", "month", "year"):
        if m["p"].lower().split()[0] in ("past", "last") and DURATION_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
            continue  # "over the past month" is a span of time, not a date
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
    for m in run(AGO_RE, " ago"):
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
    for m in run(BAREMONTH_RE, month=True):
        if published is None:
            out.append(_mention(m, None, f"unresolved: {no_pub}", "mn"))
            continue
        mo = month_number(m["mn"])
        year = published.year if mo <= published.month else published.year - 1
        out.append(_mention(m, f"{year:04d}-{mo:02d}", "month: the latest such month on or before publication",
                            "mn"))
    for m in run(YEAR_RE, "19", "20"):
        out.append(_mention(m, m["y"], None, "y"))
    for m in run(VAGUE_RE, "recent", "soon", "coming", "later date"):
        out.append(_unresolved(m, "vague"))
    return out
