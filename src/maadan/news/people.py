"""People named in a news text, with the role and affiliation the text gives them.

A person is read where journalists introduce one:
- a title before the name, capitalised or not, with what it is of ("Federal Minister for Energy (Petroleum
  Division) Ali Pervaiz Malik", "Minister of Industry and Construction Yersaiyn Nagaspayev", "the bank's
  chair John Jovanovic", "Chargé d'Affaires (CDA) Natalie Baker", "Ambassador to US ...", chained titles
  "Chief of the Army Staff Field Marshal Syed Asim Munir"), honorifics skipped ("Dr", "Mr");
- an appositive after the name ("Stacy W. Hastie, CEO of USSM, said", "Louis Watum, the country's mines
  minister,"), never when the title after the comma starts the next person of a list ("Prime Minister
  Shehbaz Sharif, Field Marshal Asim Munir (N.I.)" is two people; honours in brackets are skipped);
- a name that speaks ("Jane Roe said", "said Jane Roe") or is introduced by "Mr/Ms/Dr";
- afterwards, the surname alone or after a title or an abbreviation ("Baker", "CDA Baker", "Ms Baker")
  is the person named in full earlier.
Role phrases without a name ("US embassy officials") are kept as groups. Capitalisation carries the
names, so lines written in title case (headlines) and texts in capitals are left to the caller to skip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from maadan.news.model import Mention
from maadan.news.organisations import HEADS, SUFFIX_END

# Title words: the head of a role. Multi-word titles first (longest match wins).
TITLES = sorted("""
prime minister|deputy prime minister|chief minister|minister|ministers|president|vice president|vice-president
president-elect|prime minister-elect
secretary of state|secretary-general|secretary general|secretary|under secretary|undersecretary
ambassador|envoy|consul general|high commissioner|commissioner|chargé d'affaires|charge d'affaires
charge de affairs|charge de affaires|chargé de affaires|charge d'affairs
chief of mission|deputy chief of mission|chief of army staff|chief of the army staff|army chief|field marshal
general|lieutenant general|major general|brigadier|admiral|air chief marshal|senator|congressman|congresswoman
representative|governor|mayor|chairman|chairwoman|chairperson|chair|deputy chairman|vice chairman
ceo|cfo|coo|cto|chief executive|chief executive officer|chief financial officer|chief operating officer
managing director|executive director|director general|director-general|director|deputy director
country director|country chief|country manager|general manager|manager|head|founder|co-founder|spokesman
spokeswoman|spokesperson|adviser|advisor|special assistant|special envoy|official|officer|analyst|economist
lobbyist|correspondent|editor|reporter|professor|investor|partner|project director|lawmaker|legislator
diplomat|king|crown prince|prince|emir|justice|judge|attorney general|treasurer|president and ceo
fellow|research fellow|researcher|strategist|consultant|administrator|businessman|businesswoman|entrepreneur
tycoon|billionaire
cda|dcm|coas|pm|dg|md
""".replace("\n", "|").strip("|").split("|"), key=len, reverse=True)
# Words that may stand before a title: rank, portfolio or a demonym-like modifier.
MODIFIERS = set("""
acting deputy former senior junior first second third vice federal state provincial interim caretaker
outgoing incoming then-acting executive chief associate assistant special principal additional parliamentary
co joint regional national global group country project founding
""".split())
PORTFOLIOS = set("""
commerce finance foreign interior energy petroleum defence defense treasury economy economic mines mining
minerals industry industries construction trade information planning railways water power home health
education justice law labour labor agriculture transport maritime ports climate environment science
technology revenue privatisation privatization investment investments affairs security communications
development operations management strategy policy programme program projects infrastructure
information-technology bureau resources cooperation relations research markets exports imports
""".split())
_CONNECT = {"of", "for", "on", "to", "at", "in"}
_HONORIFICS = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sir", "dame", "prof", "prof.", "engr",
               "engr.", "hon", "hon."}
_PARTICLES = {"bin", "bint", "al", "el", "ul", "ud", "de", "da", "van", "von", "der", "ibn", "abu"}
# Capitalised words that never belong to a person's name in news prose.
NOT_NAME = set("""
the a an this that these those in on at by for from with under after before and but as meanwhile speaking
according said says told house office secretariat division ministry department bureau embassy government
bank fund group company corporation authority agency council commission board institute university
center centre forum summit conference january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday today yesterday also however
while when where which who what why how if it its their his her our we they he she i you read also
islamabad washington beijing north south east west northern southern eastern western new
mr mrs ms dr sir dame prof engr hon
""".split())
# Titles news abbreviates, read back in full in the role ("CDA Baker").
ABBREVIATED = {"cda": "Chargé d'Affaires", "dcm": "Deputy Chief of Mission", "coas": "Chief of Army Staff",
               "pm": "Prime Minister", "dg": "Director General", "md": "Managing Director"}
SPEECH_VERBS = r"(?:said|says|told|added|noted|stated|wrote|explained|announced|confirmed|emphasi[sz]ed|stressed|" \
               r"remarked|argued|warned|insisted|replied|tweeted|posted)"

_TOKEN_RE = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][\w'’.\-]*|\d[\d,.]*|\S")


@dataclass(slots=True)
class Tok:
    text: str
    start: int
    end: int
    low: str = ""  # lower case, curly apostrophes straight (`tok` fills it)


def tok(text: str, start: int, end: int) -> Tok:
    return Tok(text, start, end, text.lower().replace("’", "'"))


_KEEPS_FULL_STOP = re.compile(r"(?:[A-Z]\.)+|(?:Dr|Mr|Mrs|Ms|St|Jr|Sr|Prof|Engr|Hon|Corp|Inc|Ltd|Co|Gen|Lt|Col)\.")


def tokens(text: str) -> list[Tok]:
    out = []
    append = out.append
    for m in _TOKEN_RE.finditer(text):
        t = m.group(0)
        start, end = m.span()
        # A trailing full stop belongs to the sentence, except after an initial ("W.") or an abbreviation.
        if len(t) > 2 and t[-1] == "." and not _KEEPS_FULL_STOP.fullmatch(t):
            append(tok(t[:-1], start, end - 1))
            append(Tok(".", end - 1, end, "."))
        else:
            append(tok(t, start, end))
    return out


_INITIAL = re.compile(r"[A-Z]\.")
_NAME_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þa-zß-öø-ÿ][a-zß-öø-ÿ'’]+)*|Mc[A-Z][a-z]+|"
                        r"Mac[A-Z][a-z]+|O['’][A-Z][a-z]+")


def _is_name_word(t: Tok) -> bool:
    return _name_word(t.text)


def is_name_word(word: str) -> bool:
    """True for a word that can be part of a person's name ("Roe", "J.", "O'Neil"), not a title or stop word."""
    return _name_word(word)


@lru_cache(maxsize=8192)
def _name_word(w: str) -> bool:
    if _INITIAL.fullmatch(w):
        return True  # an initial
    if w.endswith(("’", "'")) and not w.endswith(("s'", "s’")):
        return False
    if not _NAME_WORD.fullmatch(w):
        return False
    low = w.lower().replace("’", "'").rstrip(".")
    return low not in NOT_NAME and low not in TITLE_WORDS and not low.endswith("'s")


TITLE_WORDS = {w for t in TITLES for w in t.split()} - {"general", "head", "chair", "king", "prince", "justice",
                                                       "partner", "officer"}


_BY_FIRST: dict[str, list[list[str]]] = {}
for _t in TITLES:  # longest first, indexed by the first word: one dict look-up per token
    _BY_FIRST.setdefault(_t.split()[0], []).append(_t.split())


_TITLE_STARTS = frozenset(MODIFIERS | PORTFOLIOS | set(_BY_FIRST))


def _match_title(toks: list[Tok], i: int) -> int:
    """End index (exclusive) of a title starting at token i, else i."""
    if i >= len(toks):
        return i
    candidates = _BY_FIRST.get(toks[i].low)
    if not candidates:
        return i
    lows = [t.low for t in toks[i:i + 6]]
    for words in candidates:
        if lows[:len(words)] == words:
            return i + len(words)
    return i


def _inside_known(t: Tok, known: dict[int, int] | None) -> bool:
    if not known:
        return False
    return any(s <= t.start < e for s, e in known.items() if s <= t.start)


_HEAD_END = re.compile(rf"\b(?:{HEADS})$")  # "secretary of the X Research Centre": the object's whole name


def _title_at(toks: list[Tok], i: int, loose: bool = False, known: dict[int, int] | None = None,
              stops: dict[int, int] | None = None) -> tuple[int, int]:
    """A role starting at token i: modifiers/portfolios, a title, what it is of ("for Energy", "of Industry
    and Construction", "(Petroleum Division)"), chained titles ("and Foreign Minister", "Field Marshal").
    Returns (start, end) token indexes of the role, or (i, i)."""
    j = i
    while j < len(toks) and j - i < 6 and _match_title(toks, j) == j and not _inside_known(toks[j], stops) and (
            toks[j].low in MODIFIERS or toks[j].low in PORTFOLIOS or (loose and toks[j].text[:1].isupper())):
        j += 1
    end = _match_title(toks, j)
    if end == j:
        return i, i
    while True:
        k = end
        # "(Petroleum Division)" or "(CDA)" right after a title
        if k < len(toks) and toks[k].text == "(":
            close = next((x for x in range(k + 1, min(k + 8, len(toks))) if toks[x].text == ")"), None)
            if close and all(t.text[:1].isupper() or t.text in ("&", "and", "of") for t in toks[k + 1:close]):
                end = k = close + 1
        # what the title is of: capitalised words (and "and"/"&") ending on a portfolio word or a single word
        if k < len(toks) and toks[k].low in _CONNECT:
            m = k + 1
            if m < len(toks) and toks[m].low == "the":
                m += 1
            last_ok = None
            x = m
            if known and m < len(toks) and toks[m].start in known and not _org_follows(toks, m, known[toks[m].start]):
                # "President of the United States Donald Trump": the object is a name the gazetteer knows
                stop = known[toks[m].start]
                y = m
                while y + 1 < len(toks) and toks[y + 1].end <= stop:
                    y += 1
                end = k = y + 1
                if k < len(toks) and toks[k].low == "and":
                    s2, e2 = _title_at(toks, k + 1, known=known)
                    if e2 > s2:
                        end = k = e2
                return i, end
            while x < len(toks) and (toks[x].text[:1].isupper() or toks[x].low in ("and", "&", "of")):
                if x > m and _match_title(toks, x) > x:
                    break  # the next title starts: "Ambassador to US Jane Roe and Minister of ..."
                if toks[x].low in PORTFOLIOS or toks[x].text.isupper():
                    last_ok = x
                x += 1
            run = " ".join(t.text for t in toks[m:x])
            if m < x and (SUFFIX_END.search(run) or _HEAD_END.search(run)) and (
                    x >= len(toks) or not _is_name_word(toks[x])):
                last_ok = x - 1  # "CEO of Zarkon Mining Company": the object is an organisation's whole name
            elif last_ok is None and m < x:
                # "Charge de Affairs of Chinese Embassy Jane Roe": the object ends on its organisation word
                last_ok = next((y for y in range(x - 2, m - 1, -1) if SUFFIX_END.search(toks[y].text)
                                and _name_at(toks, y + 1) - (y + 1) >= 2), None)
            if last_ok is None and m < x and x < len(toks) and toks[x].text == "," and x - m <= 3:
                last_ok = x - 1  # "ambassador to Washington, Kevin Rudd": the object ends at the comma
            elif last_ok is None and m < len(toks) and toks[m].text[:1].isupper() and x - m >= 3:
                last_ok = m  # "Ambassador to US Jane Roe": a single word object before a two-word name
            if last_ok is not None:
                end = k = last_ok + 1
        # chained titles: "and Foreign Minister", ", Field Marshal" is NOT chained (a list), a title straight on is
        if k < len(toks) and toks[k].low == "and":
            s2, e2 = _title_at(toks, k + 1, known=known)
            if e2 > s2 and e2 < len(toks) and _is_name_word(toks[e2]):
                end = e2
                continue
        s2, e2 = _title_at(toks, k, known=known) if k < len(toks) and toks[k].text[:1].isupper() else (k, k)
        if e2 > s2:
            end = e2
            continue
        return i, end


def _org_follows(toks: list[Tok], m: int, stop: int) -> bool:
    """True when the known name at token m qualifies an organisation word ("of Chinese Embassy")."""
    y = m
    while y < len(toks) and toks[y].end <= stop:
        y += 1
    return y < len(toks) and toks[y].text[:1].isupper() and bool(SUFFIX_END.search(toks[y].text))


def _name_at(toks: list[Tok], i: int, max_words: int = 4) -> int:
    """End index (exclusive) of a person's name starting at token i (honorifics skipped by the caller)."""
    j = i
    words = 0
    while j < len(toks) and words < max_words:
        t = toks[j]
        if _is_name_word(t):
            words += 1
            j += 1
        elif re.fullmatch(r"[A-Z][a-z]+['’]s", t.text) and _is_name_word(tok(t.text[:-2], 0, 0)):
            words += 1  # "Felix Tshisekedi's office": the name ends on the possessive
            j += 1
            break
        elif t.low in _PARTICLES and j + 1 < len(toks) and _is_name_word(toks[j + 1]) and words:
            j += 1
        else:
            break
    while j > i and re.fullmatch(r"[A-Z]\.", toks[j - 1].text):
        j -= 1  # a name does not end on an initial
    return j


def _skip_honours(toks: list[Tok], j: int) -> int:
    """Honours in brackets after a name ("(N.I.)", "(HI)", "(Retd)") are not part of what follows."""
    if j < len(toks) and toks[j].text == "(":
        close = next((x for x in range(j + 1, min(j + 10, len(toks))) if toks[x].text == ")"), None)
        if close and all(not _is_name_word(t) or t.text.isupper() for t in toks[j + 1:close]):
            return close + 1
    return j


def _span(text: str, toks: list[Tok], a: int, b: int) -> tuple[str, int, int]:
    return text[toks[a].start:toks[b - 1].end], toks[a].start, toks[b - 1].end


def _person(text: str, toks: list[Tok], a: int, b: int, name: tuple[int, int], role: str | None,
            note: str | None = None, of: str | None = None) -> Mention:
    span, s, e = _span(text, toks, a, b)
    nm = re.sub(r"['’]s$", "", text[toks[name[0]].start:toks[name[1] - 1].end])
    value = {"name": nm, "role": role}
    if of:
        value["of"] = of
    return Mention("person", span, s, e, value, None, True, note)


def _clean_role(text: str) -> str:
    role = re.sub(r"\s+", " ", text.replace("’", "'")).strip(" ,")
    return re.sub(r"^(?:the|a|an|its|his|her|their)\s+", "", role, flags=re.IGNORECASE)


def split_role(role: str) -> tuple[str, str | None]:
    """("CEO of USSM") -> ("CEO", "USSM"): what a title is "of" or "at" is an affiliation unless it is a
    portfolio ("Minister of Industry and Construction" stays whole)."""
    m = re.match(r"^(?P<title>.+?)\s+(?:of|at)\s+(?:the\s+)?(?P<obj>[A-Z].*)$", role)
    if not m:
        return role, None
    words = [w.lower().strip("()") for w in m["obj"].split() if w.lower() not in ("and", "&", "of", "the")]
    if words and all(w in PORTFOLIOS or w in ("state", "mission", "staff", "army") for w in words):
        return role, None
    return m["title"], m["obj"]


_ROLE_PHRASE_RE = re.compile(r"\b(?P<role>(?:(?:US|U\.S\.|American|Pakistani|Chinese|[A-Z][a-z]+)\s+)?"
                             r"(?:embassy|government|ministry|company|state department|[A-Z]{2,6})\s+officials)\b")


HIGH_TITLES = {"president", "prime minister", "chancellor", "king", "queen", "emir", "crown prince", "senator",
               "governor", "secretary", "minister", "ambassador", "cda", "chairman", "ceo", "pm", "envoy",
               "chargé d'affaires", "charge d'affaires", "field marshal", "vice president", "mayor"}


def find_people(text: str, skip: list[tuple[int, int]] | None = None,
                known: list[tuple[int, int]] | None = None,
                names: list[tuple[int, int]] | None = None) -> list[Mention]:
    """People with their role (and "of": the organisation text an appositive names), role groups, and
    later surname mentions resolved to the full name. `skip` holds character ranges not to read (title-case
    headlines): capitalisation there does not mark names."""
    skip = skip or []
    toks = [t for t in tokens(text) if not any(s <= t.start < e for s, e in skip)]
    spans = {s: e for s, e in (known or [])}  # names the gazetteer knows: a title may be "of" one
    stops = {s: e for s, e in (known or []) + (names or [])}  # names a title's modifiers never run into
    out: list[Mention] = []
    used = [False] * len(toks)
    i = 0
    starts = _TITLE_STARTS
    while i < len(toks):
        if toks[i].low not in starts:
            i += 1
            continue
        a, b = _title_at(toks, i, known=spans, stops=stops)
        if b > a:
            j = b
            abbr = None
            if j + 2 < len(toks) and toks[j].text == "(" and toks[j + 2].text == ")" and toks[j + 1].text.isupper():
                abbr, j = toks[j + 1].text, j + 3
            comma = False
            if j < len(toks) and toks[j].text == "," and (toks[a].text[:1].isupper() or a and (
                    toks[a - 1].low.endswith("'s") or toks[a - 1].low in ("the", "'s", "his", "her", "its", "their")
                    or _is_name_word(toks[a - 1]) or toks[a - 1].text.isupper())):
                # "Australia's ambassador to Washington, Kevin Rudd,", "Finance Minister, Jane Roe,", and a lower-case
                # title after the organisation's name: "Zarkon managing director, Jane Roe, said"
                j, comma = j + 1, True
            elif j < len(toks) and toks[j].start in spans and toks[a].text[:1].isupper():
                y = j  # "Chief Minister Balochistan Jane Roe": the place the office is of, then the name
                while y < len(toks) and toks[y].end <= spans[toks[j].start]:
                    y += 1
                if y > j and _name_at(toks, y) - y >= 2:
                    b = j = y
            if comma and a >= 3 and toks[a - 1].text == "," and _is_name_word(toks[a - 2]) and \
                    _is_name_word(toks[a - 3]):
                i += 1  # "Jane Roe, President, Velmora Storage": the title is Jane Roe's, what follows her body
                continue
            while j < len(toks) and toks[j].low in _HONORIFICS:
                j += 1
            n_end = _name_at(toks, j)
            if comma and (n_end - j < 2 or (n_end < len(toks) and toks[n_end].text not in (",", ".", ";", ")") and not
                                              re.match(SPEECH_VERBS, toks[n_end].low))):
                n_end = j  # after a comma, the name must end the clause: "Minister, Jane Roe, said"
            lower_title = not toks[a].text[:1].isupper()
            head = " ".join(t.low for t in toks[a:b] if t.low not in MODIFIERS and t.low not in PORTFOLIOS)
            single_ok = not lower_title and any(head == h or head.endswith(" " + h) for h in HIGH_TITLES)
            if n_end > j and (n_end - j >= 2 or single_ok) and not any(used[a:n_end]):
                role = _clean_role(text[toks[a].start:toks[b - 1].end])
                if role.lower() in ABBREVIATED:
                    role = f"{role} ({ABBREVIATED[role.lower()]})"
                if abbr:
                    role = f"{role} ({abbr})"
                out.append(_person(text, toks, a, n_end, (j, n_end), role))
                for x in range(a, n_end):
                    used[x] = True
                i = _skip_honours(toks, n_end)
                continue
        i += 1
    # Appositives: "Name Surname, [the|a|X's] title [of|at Org]," — unless the title starts a new person.
    for i, t in enumerate(toks):
        hon = bool(i) and toks[i - 1].low in _HONORIFICS  # "Dr Jane Roe, secretary of ...": after its honorific
        if used[i] or not _is_name_word(t) or (i and _is_name_word(toks[i - 1]) and not hon) or (hon and used[i - 1]):
            continue
        n_end = _name_at(toks, i)
        if n_end - i < 2 or any(used[i:n_end]):
            continue
        j = _skip_honours(toks, n_end)
        if j >= len(toks) or toks[j].text != ",":
            continue
        k = j + 1
        while k < len(toks) and (toks[k].low in ("the", "a", "an", "its", "his", "her", "then", "now", "also")
                                 or toks[k].low.endswith("'s") or toks[k].low.endswith("’s")
                                 or (k + 1 < len(toks) and toks[k + 1].text in ("’s", "'s"))):
            k += 2 if k + 1 < len(toks) and toks[k + 1].text in ("’s", "'s") else 1
        # demonyms and organisation words before the title ("Ukrainian Deputy Prime Minister", "Barrick's CEO")
        while k < len(toks) and toks[k].text[:1].isupper() and _match_title(toks, k) == k and \
                toks[k].low not in MODIFIERS and toks[k].low not in PORTFOLIOS and k - j < 5:
            k += 1
        a, b = _title_at(toks, k, loose=True, known=spans, stops=stops)
        if b == a or (b < len(toks) and _is_name_word(toks[b])):
            continue
        if b + 1 < len(toks) and toks[b].low == "and":  # "Jane Roe, CEO and CTO of Zarkon,": both titles, one body
            s2, e2 = _title_at(toks, b + 1, known=spans, stops=stops)
            if e2 > s2 and not (e2 < len(toks) and _is_name_word(toks[e2])):
                b = e2
        role_end = b
        of = None
        if b < len(toks) and toks[b].low in ("of", "at", "for") and b + 1 < len(toks):
            m = b + 1
            while m < len(toks) and toks[m].low in ("the", "consultancy", "company", "firm", "bank", "group"):
                m += 1
            x = m
            while x < len(toks) and (toks[x].text[:1].isupper() or toks[x].low in ("and", "&", "of", "for")
                                     or toks[x].text in ("-",)) and x - m < 10:
                x += 1
            while x > m and toks[x - 1].low in ("and", "&", "of", "for"):
                x -= 1
            if x > m:
                of = text[toks[m].start:toks[x - 1].end]
                role_end = x
        elif b + 1 < len(toks) and toks[b].text == "," and toks[b + 1].text[:1].isupper():
            # "Jane Roe, President, Velmora Energy Storage." : a capitalised run that ends the clause is her body
            x = b + 1
            while x < len(toks) and (toks[x].text[:1].isupper() or toks[x].low in ("and", "&", "of", "for")) \
                    and x - b <= 6:
                x += 1
            if (x == len(toks) or toks[x].text in (",", ".", ";", ")")) and toks[x - 1].text[:1].isupper():
                of = text[toks[b + 1].start:toks[x - 1].end]
                role_end = x
        role, of_title = split_role(_clean_role(text[toks[a].start:toks[b - 1].end]))
        first = i - 1 if hon else i
        out.append(_person(text, toks, first, role_end, (i, n_end), role, of=of or of_title))
        for x in range(first, role_end):
            used[x] = True
    # Names that speak or are introduced by an honorific: "Jane Roe said", "said Jane Roe", "Ms Jane Roe".
    for i, n_end in _free_names(toks, used):
        t = toks[i]
        after = text[toks[n_end - 1].end:toks[n_end - 1].end + 14]
        hon = i and toks[i - 1].low in _HONORIFICS
        before = text[max(0, t.start - 24):t.start].rsplit("\n", 1)[-1]  # a headline's "says" ends its line
        if not hon and _match_title(toks, n_end) > n_end:
            continue  # "said Velmora Mining president Jane Roe": the organisation of the title that follows
        if hon or re.match(rf"\s*(?:,\s*who\b|{SPEECH_VERBS}\b)", after) or re.search(
                rf"\b(?:{SPEECH_VERBS}|(?:led|headed|chaired|accompanied|hosted|moderated|signed|welcomed|"
                rf"received|appointed|replaced|succeeded|supported|founded) by)\s*$", before, re.IGNORECASE):
            a = i - 1 if hon else i
            out.append(_person(text, toks, a, n_end, (i, n_end), None, "named as a speaker, no role given"))
            for x in range(a, n_end):
                used[x] = True
    out += _recurring_surnames(text, toks, used, stops)
    for m in _ROLE_PHRASE_RE.finditer(text):
        if not any(s <= m.start() < e for s, e in skip):
            out.append(Mention("person", m.group(0), m.start(), m.end(), {"name": None, "role": m["role"]}, None,
                               True, "a group named by its role"))
    out.sort(key=lambda x: x.start)
    return _surnames(text, toks, used, out)


def _bare(word: str) -> str:
    """A word without its possessive ("Takaichi's" -> "Takaichi")."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _free_names(toks: list[Tok], used: list[bool]):
    """(start, end) of each name of two or more words no other rule has taken, read left to right; a name
    taken while iterating (marked in `used`) is skipped."""
    for i, t in enumerate(toks):
        if used[i] or not t.text[:1].isupper() or not _is_name_word(t) or (i and _is_name_word(toks[i - 1])):
            continue  # (every name word starts with a capital: the cheap test first)
        n_end = _name_at(toks, i)
        if n_end - i >= 2 and not any(used[i:n_end]):
            yield i, n_end


def _recurring_surnames(text: str, toks: list[Tok], used: list[bool], stops: dict[int, int]) -> list[Mention]:
    """A full name whose last word recurs alone later in the text is a person, as journalists name one in
    full and then by surname ("Sanae Takaichi ... Takaichi said"), even with no title or speech verb."""
    names = [(i, n_end) for i, n_end in _free_names(toks, used)]
    if not names:
        return []
    lasts = {_bare(toks[n_end - 1].text) for _, n_end in names}
    alone: dict[str, int] = {}
    for k, t in enumerate(toks):
        if not t.text[:1].isupper():
            continue
        word = _bare(t.text)
        if (word in lasts and not (k and _is_name_word(toks[k - 1]))
                and not (k + 1 < len(toks) and _is_name_word(toks[k + 1]))):
            alone[word] = k  # the last place the word stands alone
    out = []
    for i, n_end in names:
        if any(used[i:n_end]):
            continue
        a, b = toks[i].start, toks[n_end - 1].end
        if any(s < b and a < e for s, e in stops.items()):
            continue
        last = _bare(toks[n_end - 1].text)
        if len(last) > 2 and alone.get(last, -1) > n_end:
            out.append(_person(text, toks, i, n_end, (i, n_end), None,
                               "named in full, then by surname alone; no role given"))
            for x in range(i, n_end):
                used[x] = True
    return out


def _surnames(text: str, toks: list[Tok], used: list[bool], people: list[Mention]) -> list[Mention]:
    """A single-word name after a title takes the full name given earlier; so does a surname standing alone
    ("Baker said"), after an honorific ("Ms Baker") or after an abbreviation ("CDA Baker")."""
    full: dict[str, str] = {}
    for p in people:
        name = p.value["name"]
        if name and " " in name:
            full.setdefault(name.split()[-1], name)
    for p in people:
        name = p.value["name"]
        if name and " " not in name and name in full:
            p.value["name"] = full[name]
            p.note = f"surname of {full[name]}, named earlier"
    if not full:
        return people
    extra: list[Mention] = []
    for i, t in enumerate(toks):
        if used[i] or t.text not in full:
            continue
        if (i + 1 < len(toks) and _is_name_word(toks[i + 1])) or (i and _is_name_word(toks[i - 1])
                                                                  and toks[i - 1].low not in _HONORIFICS):
            continue  # part of a longer capitalised name
        a = i
        role = None
        if i and (toks[i - 1].low in _HONORIFICS or re.fullmatch(r"[A-Z]{2,5}", toks[i - 1].text)):
            a = i - 1
            role = toks[i - 1].text if toks[i - 1].low not in _HONORIFICS else None
            if role and role.lower() in ABBREVIATED:
                role = f"{role} ({ABBREVIATED[role.lower()]})"
        first = next((p for p in people if p.value["name"] == full[t.text]), None)
        if first is not None and t.start < first.start:
            continue  # a surname before the full name is not resolved backwards
        span, s, e = _span(text, toks, a, i + 1)
        extra.append(Mention("person", span, s, e, {"name": full[t.text], "role": role}, None, True,
                             f"surname of {full[t.text]}, named earlier"))
    return sorted(people + extra, key=lambda x: x.start)
