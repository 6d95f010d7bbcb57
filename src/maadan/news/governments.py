"""Governments named by their country or province: "the Australian government", "Pakistan's federal
government", "the government of Balochistan", "U.S. government". The value is "Government of <name>"; the
pipeline links it to the catalogue's government of that country or province when it holds one."""

from __future__ import annotations

import re
from functools import lru_cache

from maadan.news.gazetteer import load_gazetteer
from maadan.news.model import Mention


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Lower-case country names, short forms, demonyms and province names -> the name used in the value."""
    g = load_gazetteer()
    names: dict[str, str] = {}
    for e in g.entries:
        if e.kind == "country" and e.note != "capital (metonym)":
            names[e.phrase.lower()] = g.countries[e.id].name
        elif e.kind == "place" and g.places[e.id].kind in ("province", "state", "territory"):
            names[e.phrase.lower()] = e.id
    return names


def country_words() -> dict[str, str]:
    """The same names, for other rules: a country or demonym is never an organisation's whole name."""
    return _names()


_GOVERNMENT = re.compile(r"\bgovernments?\b", re.IGNORECASE)
_LEVEL_WORDS = {"federal", "provincial", "central", "national", "regional", "state", "interim", "caretaker", "local"}
_WORD = re.compile(r"[\w.'’-]+")


def find_governments(text: str) -> list[Mention]:
    """Each "government" is looked at once: the country or province named just before it ("the Australian
    government", "Pakistan's federal government") or after "of" ("the government of Balochistan")."""
    names = _names()
    out = []
    for g in _GOVERNMENT.finditer(text):
        before = list(_WORD.finditer(text[max(0, g.start() - 60):g.start()]))
        base = max(0, g.start() - 60)
        words = list(before)
        while words and words[-1].group(0).lower() in _LEVEL_WORDS:
            words.pop()
        found = None
        for n in range(min(5, len(words)), 0, -1):
            phrase = " ".join(w.group(0) for w in words[-n:])
            key = re.sub(r"['’]s$", "", phrase).lower()
            if key in names:
                start = base + words[-n].start()
                found = (start, g.end(), names[key])
                break
        if found is None:
            # "the government of Balochistan"; capitalised, the province may follow directly ("Provincial
            # Government Balochistan")
            of = r"(?:of\s+(?:the\s+)?)?" if g.group(0)[0] == "G" else r"of\s+(?:the\s+)?"
            after = re.match(rf"\s+{of}((?:[\w.'’-]+\s*){{1,6}})", text[g.end():g.end() + 70])
            if after:
                tail = after.group(1).split()
                for n in range(len(tail), 0, -1):
                    key = " ".join(tail[:n]).rstrip(".,;:").lower()
                    if key in names:
                        end = g.end() + after.start(1) + len(" ".join(tail[:n]).rstrip(".,;:"))
                        found = (g.start(), end, names[key])
                        break
        if found is None:
            continue
        start, end, who = found
        out.append(Mention("organisation", text[start:end], start, end, f"Government of {who}", None, True,
                           "a government named by its country or province"))
    return out
