"""Credit lines: the outlets, wires, reporters, editors and photographers an article names around its story.

- a byline ("By Jane Roe", "(By Jane Roe and John Doe)") and a wire's signature ("Reporting by Jane Roe in
  Lagos; Additional reporting by ...; Editing by John Doe and Ann Poe", "Writing by ..., editing by ...");
- a photo or image credit ("Photo: The Canadian Press", "Credit: J. Roe/Shutterstock.com", "Image: Reuters"),
  and the outlet/photographer pair that ends a caption ("THE CANADIAN PRESS/AP-Jane Roe", "REUTERS/Jane Roe");
- the wire a dateline credits ("TOKYO (dpa-AFX) -", "(Reuters) -") and the outlets a "Source(s):" line lists.

The people are named with no role (a credit gives none); a photographer's affiliation is the agency named
with them in the same credit ("AP" in ".../AP-Jane Roe", "Shutterstock" in "Jane Roe/Shutterstock.com").
A name reads as an outlet rather than a person when it is one word, starts with "The", is written in
capitals, or ends in an organisation word ("... Press", "... Images")."""

from __future__ import annotations

import re

from maadan.news.model import Mention
from maadan.news.organisations import SUFFIX_END
from maadan.news.people import is_name_word

# a name's words stay on one line: "By Jane Roe\nISLAMABAD" credits Jane Roe, the dateline is not her surname
_NAME = r"(?:[A-Z]\.[ \t]?)*[A-ZÀ-Þ][\w'’-]+(?:[ \t]+(?:[A-Z]\.[ \t]?)*[A-ZÀ-Þ][\w'’-]+){0,3}"
_LIST = rf"{_NAME}(?:\s*,\s*{_NAME})*(?:\s*,?\s+and\s+{_NAME})?"
_BYLINE = re.compile(rf"^[ \t]*\(?By(?::[ \t]*|[ \t]+)(?P<list>{_LIST})[ \t]*(?=[;|)\n]|$|\s+(?:in|at|for)\b|,\s)", re.MULTILINE)
# "By:Mining.com", "By: Reuters": a byline that names an outlet (a person's name is read by _BYLINE)
_BY_OUTLET = re.compile(r"^[ \t]*By:[ \t]*(?P<name>[A-Z][\w&'’-]*(?:\.(?:com|net|org|co\.uk))?"
                        r"(?:[ \t]+[A-Z][\w&'’-]*){0,3})[ \t]*$", re.MULTILINE)
_SIGNATURE = re.compile(rf"\b(?:(?:[Aa]dditional\s+)?[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled|[Ww]ritten|"
                        rf"[Ee]dited|[Rr]eported|[Pp]hotos?|[Vv]ideo)\s+by\s+(?P<list>{_LIST})")
_PHOTO = re.compile(r"\b(?P<marker>Photo(?:graph)?|Image|Picture|Credit|Photo credit|Image credit|File photo|Sources?)\s*:\s*"
                    r"(?P<credit>[^\n]{2,80}?)\s*(?=\.\s|\.?$|\n|(?<! and)(?<! &)\s+(?:The|A)\s)", re.MULTILINE)
_CAPTION_END = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\.))(?P<org>[A-Z][A-Z&.]*(?:\s[A-Z][A-Z&.]*){0,3})/"
                          r"(?:(?P<wire>[A-Z]{2,6})-)?(?P<who>(?:[A-Z]\.\s?)*[A-Z][a-z][\w'’-]*(?:\s[A-Z][\w'’-]+){0,2})[ \t]*$",
                          re.MULTILINE)
_DATELINE_WIRE = re.compile(r"^[ \t]*(?:[A-Z][A-Z .'-]{2,}(?:,[^()\n]{0,40})?)?\s*\((?P<name>[A-Za-z][\w&.' -]{1,30}?)"
                            r"(?:\s*/[^)]*)?\)\s*[-–—:]", re.MULTILINE)
_DESK = re.compile(r"\b(?:desk|reporter|correspondent|report|staff|bureau|monitoring|newsroom|agencies|online)\b",
                   re.IGNORECASE)
_OUTLET_END = re.compile(r"\b(?:Press|Images|Photos?|Pictures|Media|TV|Agency|News|Wire|Newswire)$")


def _is_outlet(name: str) -> bool:
    words = name.split()
    return (len(words) == 1 or words[0] in ("The", "THE") or name.isupper() or bool(SUFFIX_END.search(name))
            or bool(_OUTLET_END.search(name)))


def _is_person(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 4 and not _is_outlet(name) and all(is_name_word(w) for w in words)


def _org(text: str, start: int, end: int) -> Mention:
    name = re.sub(r"\.(?:com|net|org|co\.uk)$", "", text[start:end])
    if name.isupper() and len(name) > 4:
        name = name.title()
    return Mention("organisation", text[start:end], start, end, name, None, True, "named in a credit line")


def _person(text: str, start: int, end: int, affiliation: str | None = None) -> Mention:
    value = {"name": text[start:end], "role": None}
    if affiliation:
        value["of"] = affiliation
    return Mention("person", text[start:end], start, end, value, None, True, "named in a credit line; no role given")


def _names(m: re.Match, group: str):
    base = m.start(group)
    for part in re.finditer(_NAME, m.group(group)):
        yield base + part.start(), base + part.end()


def find_credits(text: str) -> tuple[list[Mention], list[Mention]]:
    """(organisations, people) named in bylines, signatures, photo credits, datelines and source lines."""
    orgs: list[Mention] = []
    people: list[Mention] = []
    if not re.search(r"\bby\b|:|/|\(", text, re.IGNORECASE):
        return orgs, people
    wires = [m["name"].strip() for m in _DATELINE_WIRE.finditer(text)
             if not _DESK.search(m["name"]) and len(m["name"].strip()) > 1]
    for rx in (_BYLINE, _SIGNATURE):
        for m in rx.finditer(text):
            for a, b in _names(m, "list"):
                name = text[a:b]
                if _is_person(name):
                    # a wire's signature ("Reporting by ...") is its staff's when one wire credits the story
                    wire = wires[0] if rx is _SIGNATURE and len(set(wires)) == 1 else None
                    people.append(_person(text, a, b, wire))
    for m in _BY_OUTLET.finditer(text):
        name = m["name"]
        if not _DESK.search(name) and (_is_outlet(name) or "." in name):
            orgs.append(_org(text, m.start("name"), m.end("name")))
    for m in _PHOTO.finditer(text):
        credit, base = m["credit"], m.start("credit")
        for part in re.finditer(r"[^/;]+", credit):
            piece = part.group(0)
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip().rstrip(".")
            a = base + part.start() + lead
            for side in re.split(r"\s+(?:and|via|&)\s+", piece):
                s = text.find(side, a)
                if not side or s < 0 or not side[:1].isupper():
                    continue
                if m["marker"].startswith("Source"):  # a source line names outlets and organisations, not people
                    name = re.match(r"(?:The\s+)?[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3}", side)
                    if name:
                        org = _org(text, s, s + len(name.group(0).rstrip(".")))
                        org.note = "cited as a source in a credit line"
                        orgs.append(org)
                elif _is_person(side):
                    agency = re.match(r"/\s*([A-Z][\w&.-]+)", text[s + len(side):s + len(side) + 30])
                    people.append(_person(text, s, s + len(side), re.sub(r"\.(?:com|net|org)?\.?$", "", agency.group(1))
                                          if agency else None))
                elif _is_outlet(side) and len(side.split()) <= 4:
                    orgs.append(_org(text, s, s + len(re.sub(r"\.(?:com|net|org)$", "", side))))
                a = s + len(side)
    for m in _CAPTION_END.finditer(text):
        org = m["org"].strip()
        if len(org) >= 2 and not _DESK.search(org):
            orgs.append(_org(text, m.start("org"), m.start("org") + len(org)))
        if m["wire"]:
            orgs.append(_org(text, m.start("wire"), m.end("wire")))
        if _is_person(m["who"]):
            people.append(_person(text, m.start("who"), m.end("who"), m["wire"] or org))
    for m in _DATELINE_WIRE.finditer(text):
        name = m["name"].strip()
        if name and not _DESK.search(name) and not re.fullmatch(r"[A-Z]\.?", name):
            s = m.start("name") + (len(m["name"]) - len(m["name"].lstrip()))
            orgs.append(_org(text, s, s + len(name)))
    return orgs, people
