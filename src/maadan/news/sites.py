"""Projects and places read by their form, for the many the catalogue does not hold.

- Projects: capitalised words before "Project", "Operation", "Mine" or "Deposit" ("the Ancuabe Graphite
  Project", "Tanbreez Rare Earth Mine"), or before a lower-case "project"/"operation" when the words name
  something ("the Olympic Dam project"; not "the Chinese project", not "its Phase 1 project");
- places: a province or district by its word ("Cabo Delgado Province", "the northern province of Niassa",
  "North Maluku province", "Ancuabe district") and industrial parks and zones ("Weda Bay Industrial Park").
Projects found so carry their name, not a catalogue id (`linked` is "new"), and are
not proposed as a project field. A headline line in title case reads nothing (its capitals say nothing of names). Each returns mentions;
overlaps with catalogue entities are settled in the pipeline."""

from __future__ import annotations

import re

from maadan.news.calendar import MONTH_RE
from maadan.news.model import Mention

_W = r"[A-Z][\w'’-]*"  # a capitalised word
_NAME = rf"{_W}(?:[ \t]+{_W}){{0,3}}"
_PROJECT_RE = re.compile(rf"(?P<name>{_NAME})[ \t]+(?P<head>Project|Operation|Mine|Deposit|project|operation)\b"
                         rf"(?!s)")
_PLACE_AFTER_RE = re.compile(rf"(?P<name>{_W}(?:[ \t]+{_W}){{0,2}})[ \t]+(?P<head>[Pp]rovince|[Dd]istrict|"
                             rf"Industrial Park|Industrial Zone|Industrial Estate|Economic Zone)\b")
_PLACE_OF_RE = re.compile(rf"\b(?:[Pp]rovince|[Dd]istrict|[Rr]egion)\s+of\s+(?P<name>{_W}(?:[ \t]+{_W}){{0,2}})")
_LEADING = re.compile(r"^(?:(?:The|A|An|In|On|At|By|For|From|With|Its|Their|His|Her|This|That|Phase|Stage|and|of)\b"
                      r"[ \t]*)+")
_NOT_A_NAME = re.compile(rf"^(?:{MONTH_RE}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|New|Mining|"
                         r"Joint|Pilot|Flagship|Key|Major|Federal|Provincial|National|State|Government|The)$")
_GENERIC_HEAD = {"project", "operation"}  # lower-case heads need a name that is not a bare descriptor


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Without a leading determiner or phase, and from after an owner ("Indonesia's North Maluku province",
    "Greenland Minerals' Kvanefjeld Project")."""
    owners = list(re.finditer(r"\S+(?:['’]s|s['’])(?=[ \t])", text[start:end]))
    if owners:  # from after the last one
        owner = owners[-1]
        start += owner.end()
        start += len(text[start:end]) - len(text[start:end].lstrip())
    lead = _LEADING.match(text, start, end)
    if lead:
        start = lead.end()
    return start, end


def _in(spans: list[tuple[int, int]] | None, a: int) -> bool:
    return bool(spans) and any(s <= a < e for s, e in spans)


def _is_name(words: list[str], country_words: set[str]) -> bool:
    if not words or any(_NOT_A_NAME.match(w) for w in words[:1]):
        return False
    if all(w.lower() in country_words for w in words):
        return False  # "the Chinese project", "Indonesia province"
    return not any(w.isdigit() for w in words)


def find_projects(text: str, skip: list[tuple[int, int]] | None = None,
                  country_words: set[str] | frozenset = frozenset()) -> list[Mention]:
    out = []
    for m in _PROJECT_RE.finditer(text):
        if _in(skip, m.start()):
            continue
        a, _ = _trimmed(text, m.start("name"), m.end("name"))
        words = text[a:m.end("name")].split()
        if not _is_name(words, country_words):
            continue
        lower_head = m["head"] in _GENERIC_HEAD
        if lower_head and len(words) == 1 and a == m.start("name") and re.search(r"(?:^|[.!?]\s+)$", text[max(0, a - 3):a]):
            continue  # a sentence's first word before "project" is no name
        end = m.end("name") if lower_head else m.end("head")
        out.append(Mention("project", text[a:end], a, end, text[a:end], "new", True,
                           "a project by its form; not in the catalogue"))
    return out


def find_places(text: str, skip: list[tuple[int, int]] | None = None,
                country_words: set[str] | frozenset = frozenset()) -> list[Mention]:
    out = []
    for m in list(_PLACE_AFTER_RE.finditer(text)) + list(_PLACE_OF_RE.finditer(text)):
        if _in(skip, m.start()):
            continue
        a, b = _trimmed(text, m.start("name"), m.end("name"))
        words = text[a:b].split()
        if not _is_name(words, country_words):
            continue
        head = m.groupdict().get("head")
        if head and head[0].isupper() and head.lower() in ("province", "district"):
            b = m.end("head")  # "Cabo Delgado Province" is the name itself
        elif head and head.startswith(("Industrial", "Economic")):
            b = m.end("head")
        kind = "district" if head and head.lower() == "district" else "province" if (
            not head or head.lower() == "province") else "site"
        out.append(Mention("place", text[a:b], a, b, {"name": text[a:b], "kind": kind, "country": None}, "new", True,
                           "a place by its form; not in the catalogue"))
    return out
