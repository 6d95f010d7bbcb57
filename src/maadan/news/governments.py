"""Governments named by their country or province: "the Australian government", "Pakistan's federal
government", "the government of Balochistan", "U.S. government". The value is "Government of <name>"; the
pipeline links it to the catalogue's government of that country or province when it holds one."""

from __future__ import annotations

import re
from functools import lru_cache

from maadan.news.gazetteer import load_gazetteer
from maadan.news.model import Mention

_LEVEL = r"(?:federal|provincial|central|national|regional|state|interim|caretaker|local)\s+"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    g = load_gazetteer()
    names: dict[str, str] = {}
    for e in g.entries:
        if e.kind == "country" and e.note != "capital (metonym)":
            names[e.phrase.lower()] = g.countries[e.id].name
        elif e.kind == "place" and g.places[e.id].kind in ("province", "state", "territory"):
            names[e.phrase.lower()] = e.id
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    before = re.compile(rf"\b(?:the\s+)?(?P<who>{alt})(?:['’]s)?\s+(?:{_LEVEL})?government\b", re.IGNORECASE)
    after = re.compile(rf"\b(?:the\s+)?(?:{_LEVEL})?government\s+of\s+(?:the\s+)?(?P<who>{alt})\b", re.IGNORECASE)
    return before, after, names


def find_governments(text: str) -> list[Mention]:
    before, after, names = _patterns()
    out = []
    for rx in (before, after):
        for m in rx.finditer(text):
            who = names[m["who"].lower()]
            start = m.start() + (4 if m.group(0).lower().startswith("the ") else 0)
            out.append(Mention("organisation", text[start:m.end()], start, m.end(), f"Government of {who}", None, True,
                               "a government named by its country or province"))
    return out
