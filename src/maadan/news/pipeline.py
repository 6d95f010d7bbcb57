"""The reading pipeline: spaCy's blank English tokenizer and sentencizer with an EntityRuler built from the
gazetteer (no model download), plus the rules in `rules` and `dates`. The spaCy pipeline is built on first
use and cached per process.

Overlaps are settled per layer: among entities (organisation, country, place, mineral, project, person)
the longest span wins and, at equal length, the gazetteer beats a rule; dates, money amounts and
agreement cues are separate layers."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from maadan.news import dates, rules
from maadan.news.gazetteer import AMBIGUOUS_MINERALS, load_gazetteer
from maadan.news.model import Extraction, Mention
from maadan.news.proposals import propose

_PRIORITY = {"organisation": 0, "project": 1, "place": 2, "country": 3, "mineral": 4}
_CURLY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})  # same length: offsets stay valid
_MINING_WORDS = re.compile(r"\b(?:mines?|mining|ores?|deposits?|reserves?|minerals?|metals?|smelt\w*|refin\w*|"
                           r"concentrates?|exploration|tonnes)\b", re.IGNORECASE)


def _exact(phrase: str) -> bool:
    # Acronyms, codes and short names are matched with their case ("US" the country, not "us").
    return phrase.isupper() or any(c.isdigit() or c == "." for c in phrase) or len(phrase) <= 3


@lru_cache(maxsize=1)
def build_nlp():
    """spaCy blank("en") + sentencizer + two EntityRulers with one phrase pattern per gazetteer phrase:
    one matching lower-cased words, then one matching acronyms and codes exactly (it adds only spans
    that do not overlap the first one's). Phrase matching keeps this fast: about 600 token patterns
    in spaCy's token Matcher made it ten times slower."""
    import spacy

    g = load_gazetteer()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    words = nlp.add_pipe("entity_ruler", name="gazetteer_words",
                         config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    codes = nlp.add_pipe("entity_ruler", name="gazetteer_codes",
                         config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False})
    seen: set[str] = set()
    by_ruler: dict[bool, list[dict]] = {True: [], False: []}
    for e in sorted(g.entries, key=lambda e: _PRIORITY[e.kind]):
        phrase = e.phrase.translate(_CURLY)
        key = phrase.lower()
        if key in seen:  # the same words under two kinds: the higher-priority kind keeps them
            continue
        seen.add(key)
        label = e.kind if not e.note else f"{e.kind}|{e.note}"
        exact = _exact(e.phrase)
        by_ruler[exact].append({"label": label, "pattern": phrase if exact else key, "id": e.id})
    words.add_patterns(by_ruler[False])
    codes.add_patterns(by_ruler[True])
    return nlp


def _gazetteer_mention(ent, text: str) -> Mention:
    g = load_gazetteer()
    kind, _, note = ent.label_.partition("|")
    ident = ent.ent_id_
    span = text[ent.start_char:ent.end_char]
    if kind == "organisation":
        value = g.organisations[ident]["name"]
    elif kind == "place":
        p = g.places[ident]
        value = {"name": p.name, "kind": p.kind, "country": p.country}
    else:
        value = ident
    return Mention(kind, span, ent.start_char, ent.end_char, value, ident, True, note or None)


def _settle(candidates: list[tuple[int, Mention]]) -> list[Mention]:
    """Longest span first, then lower rank; a candidate overlapping a kept one is dropped."""
    kept: list[Mention] = []
    for _, m in sorted(candidates, key=lambda c: (-(c[1].end - c[1].start), c[0], c[1].start)):
        if not any(m.start < k.end and k.start < m.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _keep_mineral(m: Mention, text: str, minerals: list[Mention]) -> bool:
    """Ambiguous words ("lead", "tin") count as minerals only in a list with another mineral ("lead and
    zinc", "lead-zinc") or next to a mining word ("lead ore", "tin mine")."""
    if m.text.lower() not in AMBIGUOUS_MINERALS:
        return True
    joined = re.compile(r"\s*(?:,|and|-|/|&|,\s*and)\s*")
    for o in minerals:
        if o is not m and (joined.fullmatch(text[o.end:m.start]) or joined.fullmatch(text[m.end:o.start])):
            return True
    before = re.split(r"[.;:!?]", text[max(0, m.start - 25):m.start])[-1]
    after = re.split(r"[.;:!?]", text[m.end:m.end + 25])[0]
    window = before + " " + after
    return bool(_MINING_WORDS.search(window))


def extract(text: str, published: date | None = None, *, filename: str = "text", publisher: str | None = None,
            url: str | None = None) -> Extraction:
    """Read a cleaned text into mentions, proposed agreements and project readings."""
    g = load_gazetteer()
    nlp = build_nlp()
    match_text = text.translate(_CURLY)
    doc = nlp(match_text)
    gaz = [_gazetteer_mention(e, text) for e in doc.ents]
    minerals = [m for m in gaz if m.kind == "mineral"]
    gaz = [m for m in gaz if m.kind != "mineral" or _keep_mineral(m, match_text, minerals)]
    people = [p for p in rules.find_people(match_text) if not _name_is_known(p, gaz)]
    orgs_like = _outside_known(rules.find_organisation_like(match_text), gaz, match_text)
    entities = _settle([(0, m) for m in gaz] + [(1, m) for m in people] + [(2, m) for m in orgs_like])
    for m in entities:
        m.text = text[m.start:m.end]  # quote the original characters (curly quotes and all)
        if m.kind == "organisation" and m.linked is None:
            ident, score = g.link_organisation(m.text)
            if ident:
                m.linked, m.value = ident, g.organisations[ident]["name"]
                m.note = f"linked by name similarity ({score:.0f}/100)" if score < 100 else None
            else:
                m.linked, m.value, m.note = "new", m.text, "not in the catalogue: proposed as new"
    _affiliations(entities, match_text)
    layers = []
    for found in (dates.find_dates(match_text, published), rules.find_money(match_text),
                  rules.find_agreement_cues(match_text)):
        layers += _settle([(0, m) for m in found if not any(
            m.start < e.end and e.start < m.end for e in entities)])
    for m in layers:
        m.text = text[m.start:m.end]
    mentions = sorted(entities + layers, key=lambda m: (m.start, m.kind))
    sentences = [_strip(text, s.start_char, s.end_char) for s in doc.sents]
    extraction = Extraction(mentions=mentions)
    extraction.agreements, extraction.projects = propose(text, sentences, mentions, published, filename,
                                                          publisher=publisher, url=url)
    return extraction


def _outside_known(found: list[Mention], gaz: list[Mention], text: str) -> list[Mention]:
    """An organisation-like span that runs over a known organisation ("Barrick Gold and Zarkon Mining
    Ltd") keeps only its pieces outside the known names that still read as an organisation name."""
    known = [q for q in gaz if q.kind == "organisation"]
    out = []
    for m in found:
        inside = sorted((q for q in known if m.start < q.end and q.start < m.end), key=lambda q: q.start)
        if not inside:
            out.append(m)
            continue
        cuts, pos = [], m.start
        for q in inside:
            cuts.append((pos, q.start))
            pos = max(pos, q.end)
        cuts.append((pos, m.end))
        for a, b in cuts:
            piece = text[a:b]
            lead = re.match(r"[\s,]*(?:(?:and|&|with)\s+)?", piece).end()
            trail = len(re.search(r"(?:\s+(?:and|&|with))?[\s,]*$", piece[lead:]).group(0))
            a, b = a + lead, b - trail
            piece = text[a:b]
            if len(piece.split()) >= 2 and rules.ENDS_LIKE_ORG.search(piece):
                out.append(Mention("organisation", piece, a, b))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _name_is_known(person: Mention, gaz: list[Mention]) -> bool:
    """True when the 'name' after a title is a known organisation, place, project or country
    ("Prime Minister House" is a building, not a person called House)."""
    name = person.value["name"]
    if not name:
        return False
    start = person.start + person.text.rfind(name)
    end = start + len(name)
    return any(start < q.end and q.start < end for q in gaz if q.kind != "mineral")


def _affiliations(entities: list[Mention], text: str) -> None:
    """A person right after an organisation or a country ("Embassy Islamabad Acting Deputy Chief of
    Mission ...", "Pakistan's Commerce Minister ...") belongs to it; that organisation is then marked as an
    affiliation and is not taken as a party to an agreement."""
    by_end = {m.end: m for m in entities if m.kind in ("organisation", "country")}
    for p in entities:
        if p.kind != "person":
            continue
        for gap in range(0, 4):
            o = by_end.get(p.start - gap)
            if o and re.fullmatch(r"\s*(?:'s)?\s*", text[o.end:p.start]):
                p.value["affiliation"] = o.linked
                if o.kind == "organisation":
                    o.note = (o.note + "; " if o.note else "") + "affiliation of " + (p.value["name"] or "people")
                break
