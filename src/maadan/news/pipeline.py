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

from maadan.news import amounts, casing, credits, cues, dates, governments, organisations, sites
from maadan.news.gazetteer import AMBIGUOUS_MINERALS, load_gazetteer, normalise_name
from maadan.news.model import Extraction, Mention
from maadan.news.people import TITLE_WORDS
from maadan.news.people import MODIFIERS, PORTFOLIOS, find_people, is_name_word
from maadan.news.proposals import propose

_PRIORITY = {"organisation": 0, "project": 1, "place": 2, "country": 3, "mineral": 4}
_CURLY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})  # same length: offsets stay valid
_MINING_WORDS = re.compile(r"\b(?:mines?|mining|ores?|deposits?|reserves?|minerals?|metals?|smelt\w*|refin\w*|"
                           r"concentrates?|exploration|tonnes)\b", re.IGNORECASE)


# "NGOs", "SOEs", "MNCs": an acronym in the plural names a class of bodies, not one organisation.
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,6}s")

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


# A corporate word after a catalogue organisation's name is part of the name the text writes.
_CORPORATE_TAIL = re.compile(r"\s(Group|Holdings|Inc|Ltd|Limited|Corp|Corporation|PLC|plc|LLC)\b(?![-’'])")


def _gazetteer_mention(ent, text: str) -> Mention:
    g = load_gazetteer()
    kind, _, note = ent.label_.partition("|")
    ident = ent.ent_id_
    span, end = text[ent.start_char:ent.end_char], ent.end_char
    if kind == "organisation":
        value = g.organisations[ident]["name"]
        tail = _CORPORATE_TAIL.match(text, end)
        if tail and not value.endswith(tail.group(1)):
            span, end = span + tail.group(0), tail.end()  # "Mota-Engil Group": the name the text writes, whole
    elif kind == "place":
        p = g.places[ident]
        value = {"name": p.name, "kind": p.kind, "country": p.country}
    else:
        value = ident
    return Mention(kind, span, ent.start_char, end, value, ident, True, note or None)


def _settle(candidates: list[tuple[int, Mention]]) -> list[Mention]:
    """Longest span first, then lower rank; a candidate overlapping a kept one is dropped."""
    kept: list[Mention] = []
    for _, m in sorted(candidates, key=lambda c: (-(c[1].end - c[1].start), c[0], c[1].start)):
        if not any(m.start < k.end and k.start < m.end and not (
                (k.start, k.end, k.kind) == (m.start, m.end, m.kind) and k.value != m.value) for k in kept):
            kept.append(m)  # both ends of a range share one span and are kept
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
    capitals = casing.all_capitals(match_text)
    doc = nlp(casing.lower_same_length(match_text) if capitals else match_text)
    gaz = [_gazetteer_mention(e, text) for e in doc.ents]
    minerals = [m for m in gaz if m.kind == "mineral"]
    gaz = [m for m in gaz if m.kind != "mineral" or _keep_mineral(m, match_text, minerals)]
    gaz = [m for m in gaz if not _prefix_only(m, match_text)]
    warnings: list[str] = []
    people: list[Mention] = []
    orgs_like: list[Mention] = []
    by_form: list[Mention] = []
    if capitals:
        warnings.append("the text is written in capitals: names cannot be told from words, so only the catalogue's "
                        "organisations, places and countries are read; people and other organisations are not")
    else:
        skip = casing.title_case_lines(match_text)
        words = set(governments.country_words())
        by_form = sites.find_projects(match_text, skip, words) + sites.find_places(match_text, skip, words)
        credit_orgs, credit_people = credits.find_credits(match_text)
        found = credit_orgs + (organisations.find_by_form(match_text, skip) + organisations.find_by_context(match_text, skip)
                 + organisations.find_sources(match_text) + organisations.find_ministries(match_text)
                 + organisations.find_institutions(match_text)
                 + organisations.find_acting_acronyms(match_text, skip)
                 + governments.find_governments(match_text))
        found += organisations.find_abbreviations(match_text, found + [m for m in gaz if m.kind == "organisation"])
        found += organisations.find_list_mates(match_text, found + [m for m in gaz if m.kind == "organisation"])
        found += organisations.find_owners(match_text, found + [m for m in gaz if m.kind == "organisation"])
        titles = _agreement_titles(match_text)
        found = [m for m in found if not any(a <= m.start < b for a, b in titles)
                 and not _PLURAL_ACRONYM.fullmatch(m.text)]
        found = _split_at_known_side(found, match_text, [m for m in gaz if m.kind == "organisation"])
        orgs_like = [m for m in _outside_known(found, gaz, match_text) if not _prefix_only(m, match_text)]
        known = [(m.start, m.end) for m in gaz if m.kind in ("country", "organisation", "place")]
        people = find_people(match_text, skip, known, [(m.start, m.end) for m in orgs_like])
        people += [c for c in credit_people if not any(c.start < p.end and p.start < c.end for p in people)]
        orgs_like = _cut_at_names(orgs_like, people, match_text)
        named = {w for p in people if p.value["name"] for w in (p.value["name"], p.value["name"].split()[-1])}
        orgs_like = [m for m in orgs_like if not (m.note and ("source" in m.note or m.note.startswith("owner of"))
                                                  and m.text in named)]  # a person
        known_names = {p.value["name"] for p in people if _name_is_known(p, gaz + orgs_like)}
        # ... and a later surname of such a "name" ("Diq" after "Reko Diq") is not a person either
        people = [p for p in people if _credited(p) or (not _name_is_known(p, gaz + orgs_like)
                  and not (p.value["name"] in known_names and p.value["name"] not in p.text))]
    gaz = _metonyms(gaz, match_text)
    entities = _settle([(0, m) for m in gaz] + [(2, m) for m in orgs_like] + [(3, m) for m in by_form])
    for m in entities:
        m.text = text[m.start:m.end]  # quote the original characters (curly quotes and all)
        if m.kind == "organisation" and m.linked is None:
            _link(m, g)
    entities = _settle([(0, m) for m in entities + _short_forms(entities, match_text)])
    people = _settle([(0, p) for p in people if _credited(p) or not _name_is_known(p, entities)])
    credited = [p for p in people if _credited(p)]  # "Sofia Lind" in a credit is a person, not Bulgaria's capital
    entities = [e for e in entities if not (e.kind in ("country", "place") and any(
        c.start <= e.start and e.end <= c.end for c in credited))]
    for p in people:
        p.text = text[p.start:p.end]
    entities += _affiliations(people, entities, match_text)
    entities = sorted(entities + people, key=lambda m: m.start)
    layers = []
    for found_layer in (dates.find_dates(match_text, published), amounts.find_money(match_text),
                        amounts.find_percentages(match_text),
                        cues.find_agreement_cues(match_text) + cues.find_events(match_text)):
        layers += _settle([(0, m) for m in found_layer if (m.note or "").startswith("event: ") or not any(
            m.start < e.end and e.start < m.end for e in entities if e.kind != "person")])
    for m in layers:
        m.text = text[m.start:m.end]
    mentions = sorted(entities + layers, key=lambda m: (m.start, m.kind))
    sentences = [_strip(text, s.start_char, s.end_char) for s in doc.sents]
    extraction = Extraction(mentions=mentions, warnings=warnings)
    extraction.agreements, extraction.projects = propose(text, sentences, mentions, published, filename,
                                                          publisher=publisher, url=url)
    return extraction


_HEAD_TITLES = (r"(?:MD|CEO|CFO|COO|Chairman|Chairwoman|Chair|President|Managing Director|Chief Executive|Director|"
                r"Founder|Executive Chairman|Vice President)")
_SHORT_STOP = {"the", "a", "an", "us", "new", "national", "international", "general", "united", "saudi", "state",
               "pakistan", "global", "first", "american", "capital", "group", "mining", "metals"}


def _short_forms(entities: list[Mention], text: str) -> list[Mention]:
    """An organisation named in full and then by its first words ("Cove Kaz Capital Group" ... "Cove Kaz",
    "Tau-Ken Samruk National Mining Company" ... "Tau-Ken Samruk", "Manara Minerals" ... "Manara") is the
    same organisation: the text defines the short form. A one-word short form must be distinctive."""
    out = []
    taken = [(e.start, e.end) for e in entities]
    seen: set[str] = set()
    for e in sorted((e for e in entities if e.kind == "organisation"), key=lambda e: e.start):
        words = e.text.split()
        if len(words) < 2 or e.text in seen:
            continue
        seen.add(e.text)
        for n in range(len(words) - 1, 0, -1):
            short = " ".join(words[:n])
            if n == 1 and (short.lower() in _SHORT_STOP or len(short) < 4 or not short[0].isupper()):
                continue
            if short.lower() in _SHORT_STOP or short.split()[-1].lower() in ("of", "and", "for", "the", "&"):
                continue
            for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])(?!\s+(?!{_HEAD_TITLES}\b)[A-Z])", text[e.end:]):
                s, t = e.end + m.start(), e.end + m.end()
                titled = re.match(rf"(?:'s)?\s+{_HEAD_TITLES}\b|'s\b", text[t:t + 30])  # "Pilbara MD", "AVZ's CEO"
                if any(a < t and s < b for a, b in taken) or not (
                        titled or re.search(r"[a-z,;:]\s*$|\(\s*$", text[max(0, s - 3):s])):
                    continue  # inside another name, or at a sentence start where capitals say nothing
                out.append(Mention("organisation", text[s:t], s, t, e.value, e.linked, True,
                                   f"short form of {e.text}, named earlier"))
                taken.append((s, t))
    orgs = sorted((e for e in entities if e.kind == "organisation"), key=lambda e: e.start)
    for e in orgs:  # a short form read by its own form ("Velmora Resources") is the earlier full name too
        if e.linked == "new":
            full = next((f for f in orgs if f.start < e.start and f.text.startswith(e.text + " ")), None)
            if full is not None:
                e.value, e.linked = full.value, full.linked
                e.note = f"short form of {full.text}, named earlier"
    return out


_CORPORATE = re.compile(r"^\s*(?:Group|Corp\.?|Corporation|Inc\.?|Ltd\.?|Limited|LLC|Co\.|Company|Holdings|PLC|plc|"
                        r"\(Pvt\)|\(Private\))\b")
_CONTINUES = re.compile(r"^[ \t]+(?P<next>[A-Z][\w'’&-]*)")


def _prefix_only(m: Mention, text: str) -> bool:
    """A catalogue organisation whose words are only the start of a longer capitalised name ("Pakistan Minerals"
    in "Pakistan Minerals Investment Forum") is not that organisation: a link needs the whole name."""
    if m.kind != "organisation":
        return False
    after = text[m.end:m.end + 60]
    c = _CONTINUES.match(after)
    if not c or _CORPORATE.match(after):
        return False
    nxt = c["next"]
    following = after[c.end():].split()
    if nxt.lower() in PORTFOLIOS and following and following[0].lower().strip(",.") in TITLE_WORDS:
        return False  # "FWO Finance Director ..."
    if nxt.lower() in TITLE_WORDS or nxt.lower() in MODIFIERS or nxt.isupper() or nxt.lower() in _NAME_STOP:
        return False  # "USSM CEO Stacy Hastie", "FWO Chairman ...", "Barrick Gold Reko Diq" is rare
    if nxt.lower() in _place_first_words():
        return False  # "US Embassy Islamabad"
    if m.linked is None and organisations.SUFFIX_END.search(m.text) and len(following) >= 1 and \
            is_name_word(nxt) and is_name_word(following[0].strip(",.")) and following[0][:1].isupper():
        return False  # "Charge d'Affaires of Chinese Embassy Jane Roe": a person follows the organisation
    return True


@lru_cache(maxsize=1)
def _place_first_words() -> frozenset[str]:
    return frozenset(e.phrase.lower().split()[0] for e in load_gazetteer().entries if e.kind in ("place", "country"))


_NAME_STOP = {"said", "says", "and", "or", "of", "the", "in", "on", "to", "for", "with", "has", "have", "had",
              "was", "were", "is", "are", "will", "would", "signed", "announced"}


def _link(m: Mention, g) -> None:
    name = m.value if isinstance(m.value, str) and m.value else m.text
    ident, score = g.link_organisation(name)
    if ident:
        m.linked, m.value = ident, g.organisations[ident]["name"]
        extra = f"linked by name similarity ({score:.0f}/100)" if score < 100 else None
        m.note = "; ".join(x for x in (m.note, extra) if x) or None
    else:
        m.linked, m.value = "new", name
        m.note = "; ".join(x for x in (m.note, "not in the catalogue: proposed as new") if x)


_TITLE_RE = re.compile(r'"(?:MOU|MoU|Memorandum|Agreement|Framework|Letter|Treaty|Accord|Protocol|Joint Statement)\b'
                       r'[^"\n]{0,300}"')


def _agreement_titles(text: str) -> list[tuple[int, int]]:
    """Quoted titles of agreements ("MOU between the Government of X and Y Concerning ... and Promote
    Investments"): their capitalised words are a title's, not organisations' names."""
    return [(m.start(), m.end()) for m in _TITLE_RE.finditer(text)] if '"' in text else []


# Buildings whose name stands for the office they house: "the White House unveiled", "according to the White
# House", "the White House's website" name the institution; "at the White House" names the place.
_INSTITUTION_BUILDINGS = {"White House", "Kremlin", "Downing Street"}
_LOCATIVE = re.compile(r"\b(?:at|in|inside|outside|(?<!according )(?<!thanks )(?<!due )to|into|from|near|on|around|across|towards?|of|visit(?:ed|ing|s)?|"
                       r"reach(?:ed)?|enter(?:ed)?|left|leaving|arrived?|lawn|grounds|gates|steps)\s+(?:the\s+)?"
                       r"(?:[A-Z][\w'-]*\s+){0,4}?(?:(?:and|,)\s+(?:the\s+)?)?$")  # "visited Lahore and the White House"
_SITE_OF = re.compile(r"\s+(?:meeting|meetings|visit|talks|summit|ceremony|event|dinner|lunch|lawn|grounds|"
                      r"residence|briefing room|press room|gate|gates)\b")  # "a tense White House meeting": a place
_ACTS = re.compile(r"^\s*(?:said|says|stated|announced|described|added|noted|confirmed|fact\s?sheet|summary|statement|"
                   r"official|officials|spokes\w+|press secretary|has|had|is|was|will)\b", re.IGNORECASE)


def _metonyms(gaz: list[Mention], text: str) -> list[Mention]:
    """A building that speaks is an institution: "the White House said" names an organisation, "at the White
    House" a place."""
    out = []
    for m in gaz:
        institution = m.kind == "place" and m.value.get("name") in _INSTITUTION_BUILDINGS and (
            text.startswith(("'s", "’s"), m.end) or not _LOCATIVE.search(text[max(0, m.start - 50):m.start])) and \
            not _SITE_OF.match(text, m.end)
        if m.kind == "place" and m.value.get("kind") == "building" and (
                institution or _ACTS.match(text[m.end:m.end + 25])):
            out.append(Mention("organisation", m.text, m.start, m.end, m.value["name"], None, True,
                               "a building named for the institution it houses"))
        else:
            out.append(m)
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_at_names(orgs: list[Mention], people: list[Mention], text: str) -> list[Mention]:
    """A name read by its form that runs on into the person a title introduces ("the Bureau of Energy Resources
    Jane Roe") ends where the person's name begins."""
    out = []
    for o in orgs:
        cut = False
        for p in people:
            name = p.value.get("name")
            if not name or p.value.get("role") is None:
                continue
            at = p.start + p.text.rfind(name)
            if o.start < at < o.end and p.start < o.start:
                end = at
                while end > o.start and text[end - 1] in " ,":
                    end -= 1
                o = Mention(o.kind, text[o.start:end], o.start, end, None, o.linked, o.resolved, o.note)
                cut = True
        if not cut or (len(o.text.split()) >= 2 and organisations.ENDS_LIKE_ORG.search(o.text)):
            out.append(o)
    return out


def _split_at_known_side(found: list[Mention], text: str, known: list[Mention] = ()) -> list[Mention]:
    """A name read by its form that joins, with "and", another name found on its own ("Intel and MP Materials"
    where "stakes in Intel" names Intel) is two names: the side found alone and the rest. So is a whole name
    joined to a name the text gives elsewhere ("the Department of War and Maaden" after "Saudi Arabian Mining
    Company (Maaden)")."""
    starts = {(m.start, m.end) for m in found}
    names = {m.text for m in found} | {m.text for m in known}
    out = []
    for m in found:
        joint = re.search(r"\s+(?:and|&)\s+", m.text)
        legal_tail = joint and re.fullmatch(r"[A-Z][\w-]*\s+(?:Limited|Ltd\.?|Inc\.?|Corp\.?|Corporation|PLC|plc)",
                                            m.text[joint.end():])
        if joint and not legal_tail and " of " not in m.text[:joint.start()] and (m.start, m.start + joint.start()) in starts:
            out.append(Mention("organisation", m.text[joint.end():], m.start + joint.end(), m.end, None, None, True,
                               m.note))
            continue
        left, right = (m.text[:joint.start()], re.sub(r"'s$", "", m.text[joint.end():])) if joint else ("", "")
        if joint and right in names and right != m.text and len(left.split()) >= 2 and \
                organisations.ENDS_LIKE_ORG.search(left):
            out.append(Mention("organisation", left, m.start, m.start + len(left), None, None, True, m.note))
            out.append(Mention("organisation", right, m.start + joint.end(), m.start + joint.end() + len(right), None,
                               None, True, m.note))
            continue
        out.append(m)
    return out


def _outside_known(found: list[Mention], gaz: list[Mention], text: str) -> list[Mention]:
    """An organisation-like span that runs over a known organisation, place or country ("Barrick Gold and
    Zarkon Mining Ltd", "Islamabad and Missouri-based U.S. Strategic Metals") keeps only its pieces outside
    them that still read as an organisation name. Spans found by context (a ticker, "according to X") and
    defined abbreviations are kept whole."""
    known = [q for q in gaz if q.kind in ("organisation", "country", "place")]
    out = []
    for m in found:
        inside = sorted((q for q in known if m.start < q.end and q.start < m.end and (
            q.kind == "organisation" or re.match(r"(?:['’]s\b|-(?:based|led|backed|owned|run)\b|\s+(?:and|&|with)\s)",
                                                 text[q.end:q.end + 12]))),
            key=lambda q: q.start)  # "US Department of Energy" keeps its country; "Islamabad and ..." does not
        if not inside:
            out.append(m)
            continue
        if any(q.start <= m.start and m.end <= q.end for q in inside if q.kind == "organisation"):
            continue  # the catalogue already holds this name
        if m.note and ("abbreviation" in m.note or "outlet" in m.note or (
                "government" in m.note and m.text.startswith("Government"))) and not any(
                q.start <= m.start and m.end <= q.end for q in inside):
            out.append(m)
            continue
        cuts, pos = [], m.start
        for q in inside:
            cuts.append((pos, q.start))
            pos = max(pos, q.end)
        cuts.append((pos, m.end))
        for a, b in cuts:
            piece = text[a:b]
            lead = re.match(r"(?:['’]s\b)?[\s,]*(?:(?:and|&|with)\s+)?(?:the\s+)?(?:[\w.]*-(?:based|led|backed|owned)\s+)?",
                            piece).end()  # "Saudi Arabia's Manara Minerals" keeps "Manara Minerals"
            trail = len(re.search(r"(?:\s+(?:and|&|with))?[\s,]*$", piece[lead:]).group(0))
            a, b = a + lead, b - trail
            piece = text[a:b]
            if len(piece.split()) >= 2 and organisations.ENDS_LIKE_ORG.search(piece) and \
                    not piece.startswith(("of ", "for ")):
                out.append(Mention("organisation", piece, a, b, None, None, True, None))
    return out


def _credited(person: Mention) -> bool:
    return (person.note or "").startswith("named in a credit line")


def _name_is_known(person: Mention, known: list[Mention]) -> bool:
    """True when the 'name' of a person is (or holds) a known organisation, place, project, country or mineral
    ("Prime Minister House" is a building, not a person called House; "Lithium Americas said" is a company)."""
    name = person.value["name"]
    if not name:
        return False
    start = person.start + person.text.rfind(name)
    end = start + len(name)
    if any(q.kind == "organisation" and len(q.text) > len(name) and q.text.startswith(name + " ")
           and organisations.SUFFIX_END.search(q.text) for q in known):
        return True  # "Guangdong Weihua is ..." after "Guangdong Weihua Corp": the company's short form
    return any(start < q.end and q.start < end for q in known)


def _named_before(p: Mention, orgs: list[Mention], text: str) -> Mention | None:
    """An organisation named again right before a person's title, by its name or one distinctive word of it
    ("Altura Managing Director James Brown", "Huayou's Executive Vice Chairman, George Q. Fang", "Danantara
    chief executive officer Rosan Roeslani"), though that later naming was not marked itself."""
    before = text[max(0, p.start - 60):p.start]
    m = re.search(r"([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,4})(?:'s)?\s+$", before)
    if not m:
        return None
    words = m.group(1).split()
    for k in range(len(words)):
        said = " ".join(words[k:])
        for o in orgs:
            if o.kind != "organisation":
                continue
            names = {o.text, str(o.value)}
            if said in names or (len(words) - k == 1 and any(
                    said in n.split()[1:] or said == n.split()[0] for n in names if len(n.split()) > 1)
                    and not organisations.SUFFIX_END.search(said)):
                return o
    return None


# The officers whose company news names right before the title ("Qorvane chief executive Jane Roe", "Qorvane's
# managing director, Jane Roe,"): a capitalised name there is that company's, even when nothing else marks it.
_CORPORATE_ROLE = re.compile(r"(?:(?:executive|non-executive|deputy|group|joint|interim|acting)\s+)*(?:chief executive"
                             r"(?:\s+officer)?|ceo|managing director|md|chairman|chairwoman|chairperson|chair|"
                             r"executive chairman|founder|co-founder|cfo|coo|cto|chief financial officer|"
                             r"chief operating officer|general manager|president and ceo)$", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"(?:^|(?<=[\s(“\"]))(?P<name>(?:[A-Z][\w&.-]*\s+){0,2}[A-Z][\w&.-]*?)(?:['’]s)?\s+$")


def _named_before_title(p: Mention, entities: list[Mention], people: list[Mention], text: str,
                        added: list[Mention], orgs: list[Mention]) -> Mention | None:
    role = (p.value.get("role") or "").strip()
    if not role or not _CORPORATE_ROLE.fullmatch(role) or not p.text.startswith(role):
        return None
    m = _NAME_BEFORE.search(text, max(0, p.start - 60), p.start)
    if not m:
        return None
    a, b = organisations._trim(text, m.start("name"), m.end("name"))
    name = text[a:b]
    words = name.split()
    if not words or words[-1] == "Board" or organisations._WHEN.match(name) or any(
            w.lower() in TITLE_WORDS or w.lower() in MODIFIERS or w.lower() in PORTFOLIOS for w in words):
        return None  # "In June chief executive ...", "Group chief executive ...", "X Board Chairman" (a title)
    person_words = {w for q in people if q.value.get("name") for w in q.value["name"].split()}
    if any(w.lower() in governments.country_words() or w in person_words for w in words) or re.match(
            r"(?:The|A|An|Its|His|Her|Their|Our|Former|Then|New|Mr|Ms|Mrs|Dr|Deputy|Senior|Acting)$", words[0]) or any(
            e.start < b and a < e.end for e in entities):
        return None
    org = Mention("organisation", name, a, b, name, "new", True,
                  "named before its officer's title")
    _link(org, load_gazetteer())
    added.append(org)
    orgs.append(org)
    return org


_LED_BY = re.compile(r"\.?,\s+(?:chaired|led|headed|run|founded|co-founded|owned)\s+by\s+")


def _affiliations(people: list[Mention], entities: list[Mention], text: str) -> list[Mention]:
    """A person belongs to the organisation or country right before them ("Embassy Islamabad Acting Deputy
    Chief of Mission ...", "Pakistan's Commerce Minister ..."), named inside their role ("Federal Minister
    for Energy (Petroleum Division) ..."), or named by an appositive ("..., CEO of USSM"). That organisation
    is marked as an affiliation and is not taken as a party to an agreement. The value is the catalogue id,
    the ISO code, or the name of an organisation not in the catalogue."""
    orgs = [m for m in entities if m.kind in ("organisation", "country")]
    by_end = {m.end: m for m in orgs}

    added: list[Mention] = []

    def ident(o: Mention) -> str:
        return o.value if o.kind == "country" else (o.linked if o.linked not in (None, "new") else str(o.value))

    for p in people:
        chosen = None
        for gap in range(0, 4):
            o = by_end.get(p.start - gap)
            if o and re.fullmatch(r"\)?\s*(?:'s)?\s*", text[o.end:p.start]):  # "Congo (Kinshasa) Minister"
                chosen = o
                break
        if chosen is None:
            chosen = _named_before(p, orgs, text)
        if chosen is None and not p.value.get("of"):
            chosen = _named_before_title(p, entities, people, text, added, orgs)
        led = None if chosen is not None else next((o for o in orgs if o.kind == "organisation" and o.end < p.start
                                                     and _LED_BY.fullmatch(text, o.end, p.start)), None)
        if led is not None and not p.value.get("of"):
            # "BlackRock Inc., led by Larry Fink": the organisation the clause hangs on, which stays a party
            p.value.pop("of", None)
            p.value["affiliation"] = ident(led)
            continue
        of = p.value.pop("of", None)
        if of:  # "CEO of privately held Tanbreez Mining": the modifiers are not the name
            of = re.sub(r"^(?:(?:the|privately|publicly|held|listed|state-owned|state-run|government-owned|"
                        r"family-owned|owned)\s+)+", "", of)
            at = text.find(of, p.start)
            if at >= 0 and re.match(r"\s+[a-z]", text[at + len(of):at + len(of) + 3]) and len(of.split()) == 1:
                of = None  # "vice president of EV industrialization": a modifier of a lower-case word, not a body
        if chosen is None and of:
            key = normalise_name(of)
            chosen = next((o for o in orgs if normalise_name(o.text) == key or normalise_name(str(o.value)) == key),
                          None)
            at = text.find(of, p.start)
            if chosen is None and at >= 0 and of[:1].isupper() and len(of.split()) <= 6:
                # "..., Vice Chairman of Wood Mackenzie": what a person's title is of names an organisation
                chosen = Mention("organisation", of, at, at + len(of), of, "new", True,
                                 "named as a person's organisation; not in the catalogue: proposed as new")
                _link(chosen, load_gazetteer())
                if not any(chosen.start < e.end and e.start < chosen.end for e in entities):
                    added.append(chosen)
                    orgs.append(chosen)
            if chosen is None:
                p.value["affiliation"] = of
                continue
        if chosen is None:
            name = p.value["name"] or ""
            at_name = p.text.rfind(name) if name and name in p.text else len(p.text)
            role_end = p.start + (at_name if at_name > 0 else len(p.text))  # the role before or after the name
            chosen = next((o for o in orgs if p.start <= o.start and o.end <= role_end
                           and not (at_name == 0 and o.start < p.start + len(name))), None)
        if chosen is not None:
            p.value["affiliation"] = ident(chosen)
            if chosen.kind == "organisation":
                chosen.note = (chosen.note + "; " if chosen.note else "") + "affiliation of " + (
                    p.value["name"] or "people")
    return added
