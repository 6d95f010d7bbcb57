"""The publication date and the publisher of a plain-text article, read from its byline, dateline or credit
line when no HTML metadata exists.

Dates: among the full dates near the top, one labelled ("Published October 3, 2025", "Updated 10 December
2025", "date 2025-10-06") wins; then one in a dateline ("ISLAMABAD, Wednesday, December 10, 2025 (WNP):");
then a date standing on its own line; a date after a weekday on a line of its own ("Monday, January 12,
2026") is the day a site's page furniture prints, so it comes last. "Published in Dawn, November 24th,
2025" at the foot counts as a label. A wire dateline without a year ("WASHINGTON, Oct 3 (Reuters) -") gives
no publication date: the document says so instead of guessing the year.

Publisher: the outlet a dateline credits ("ISLAMABAD (Dunya News) –", "(WNP):", "NEW YORK–(BUSINESS WIRE)–"),
"Published in X", a credit line ("By: Reuters", "Source: mining.com", "(source: Reuters)") or a wire
byline ("Reuters Published 14 Jan, 2025"). A news desk ("Web Desk", "Monitoring Desk", "Staff Reporter")
is not a publisher. A byline in another script is left alone: the publisher stays unknown."""

from __future__ import annotations

import re
from datetime import date

from maadan.news.calendar import FULL_DATE_RE, MONTH_RE, parse_full_date

HEAD = 700  # bylines and datelines sit near the top
_LABEL = re.compile(r"(?:\b(?:published|updated|posted|last updated|date|dated|first published)\b[\s:|-]*(?:on\s+)?"
                    r"(?:in\s+[\w .'-]{1,40},\s*)?(?:\w+day,?\s+)?$)", re.IGNORECASE)
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s*(?:\w+day,?\s*)?)?$")
_WEEKDAY_LINE = re.compile(r"^\s*(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s*$", re.IGNORECASE)
_NO_YEAR_DATELINE = re.compile(rf"^\s*(?P<city>[A-Z][A-Z .'-]{{2,}}),?\s+(?P<mn>{MONTH_RE})\s+(?P<d>\d{{1,2}})\s*"
                               r"\((?P<agency>[^)]{2,40})\)\s*[-–—:]", re.MULTILINE)
_DESK = re.compile(r"\b(?:desk|reporter|correspondent|report|staff|bureau|monitoring|newsroom|agencies|"
                   r"news service|online)\b", re.IGNORECASE)
_CREDIT_RES = [
    re.compile(r"\bPublished in (?P<name>[A-Z][\w&.' -]{1,40}?),\s"),
    re.compile(rf"^[A-Z][A-Z .'-]{{2,}},?\s*(?:\w+day,\s*)?(?:{MONTH_RE}\s+\d{{1,2}}(?:,\s*\d{{4}})?\s*)?"
               r"\((?P<name>[^)/\d]{2,40})(?:\s*/[^)]*)?\)\s*(?:[-–—:]|(?=[A-Z]))", re.MULTILINE),
    re.compile(r"^[A-Z][A-Z .'-]{2,}[-–—]\s*\((?P<name>[A-Z][A-Z .&]{2,40})\)\s*[-–—]", re.MULTILINE),
    re.compile(r"^(?:By|Source):\s*(?P<name>[\w&.'-]+(?: [A-Z][\w&.'-]*){0,3})\s*$", re.MULTILINE),
    re.compile(r"\(source:\s*(?P<name>[^)]{2,40})\)", re.IGNORECASE),
    re.compile(r"^(?P<name>Reuters|AFP|AP|Bloomberg|APP|PTI|Xinhua) Published\b", re.MULTILINE),
    # a "Sources:" line at the foot names the wire first ("Sources: Reuters and The White House")
    re.compile(r"^Sources?:\s*(?P<name>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}?)(?=\s+and\s|\s*[,;]|\s*$)", re.MULTILINE),
]
_WHOLE_TEXT = ("\\bPublished", "^Sources")


def _line_of(text: str, pos: int) -> tuple[str, str]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    return text[start:pos], text[pos:end]


def published_from_text(text: str) -> tuple[date | None, str | None, str | None]:
    """(date, the span it was read from, a warning) from the top of a plain text and its foot line."""
    best: tuple[int, int, date, str] | None = None
    regions = [(0, text[:HEAD])]
    foot = text.rfind("Published in ")
    if foot > HEAD:
        regions.append((foot, text[foot:foot + 80]))
    for offset, region in regions:
        for m in FULL_DATE_RE.finditer(region):
            d = parse_full_date(m)
            if d is None:
                continue
            before, after = _line_of(text, offset + m.start())
            rest = after[len(m.group(0)):]
            if _LABEL.search(before) or before.strip().lower().endswith("published in dawn,"):
                rank = 0
            elif _DATELINE.match(before.strip()) or re.match(r"\s*\([^)]{2,40}\)\s*[-–—:]", rest):
                rank = 1
            elif not before.strip() and not rest.strip(" .|"):
                rank = 2
            elif _WEEKDAY_LINE.match(before):
                rank = 4
            else:
                rank = 3
            if best is None or (rank, offset + m.start()) < (best[0], best[1]):
                best = (rank, offset + m.start(), d, m.group(0))
    if best is not None:
        return best[2], best[3], None
    if (m := _NO_YEAR_DATELINE.search(text[:HEAD])):
        return None, None, (f"the dateline {m.group(0).strip()!r} gives a day without a year: the publication date "
                            "is unresolved (give it with --published)")
    return None, None, None


def publisher_from_text(text: str) -> tuple[str | None, str | None]:
    """(publisher, the span it was read from), or (None, None) when no byline or credit names one."""
    for rx in _CREDIT_RES:
        for m in rx.finditer(text if rx.pattern.startswith(_WHOLE_TEXT) else text[:HEAD]):
            name = m["name"].strip(" -–—")
            if not name or _DESK.search(name) or not re.search(r"[A-Za-z]", name) or \
                    not all(c.isascii() or c.isalpha() for c in name) or not re.match(r"[A-Za-z]", name):
                continue
            if name.isupper() and len(name) > 4:
                name = name.title()  # "BUSINESS WIRE" -> "Business Wire"
            return name, m.group(0).strip()
    return None, None
