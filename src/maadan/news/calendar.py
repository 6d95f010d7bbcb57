"""Month names and full dates ("8 September 2025", "September 8, 2025", "2025-09-08") shared by the readers
of publication dates and of dates in the text."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = ("january february march april may june july august september october november december").split()
MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|" \
            r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
FULL_DATE_RE = re.compile(
    rf"\b(?:(?P<y1>\d{{4}})-(?P<m1>\d{{2}})-(?P<d1>\d{{2}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn2>{MONTH_RE}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<mn3>{MONTH_RE})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{{4}}))\b", re.IGNORECASE)


def month_number(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return [m[:3] for m in _MONTHS].index(key) + 1


def parse_full_date(m: re.Match) -> date | None:
    try:
        if m.group("y1"):
            return date(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
        if m.group("y2"):
            return date(int(m.group("y2")), month_number(m.group("mn2")), int(m.group("d2")))
        return date(int(m.group("y3")), month_number(m.group("mn3")), int(m.group("d3")))
    except ValueError:  # 31 February and the like
        return None
