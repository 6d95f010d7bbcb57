"""Organisations named in a news text that the catalogue may not hold, read by their form and context.

- By form: capitalised names ending in an organisation word ("... Company", "... Partners", "... Newswire",
  "... LLC", "Department of ..."); a name never starts with a "-based"/"-led" modifier, a title or a
  determiner, and a place or country joined by "and" is not part of it ("Islamabad and Missouri-based
  U.S. Strategic Metals" holds one organisation);
- by definition: "Frontier Works Organization (FWO)" makes "FWO" the same organisation wherever it recurs;
- by a stock ticker: "MP Materials (NYSE: MP)";
- by what the text calls it: "Finnish company Metso", "Swiss commodity trader Mercuria", "companies such
  as Alcoa", "a plant run by Alcoa and Sojitz";
- as a source: news outlets (a bundled list) and names cited as sources ("according to Dawn", "told the
  Financial Times", "reports Dawn", "(source: Reuters)", "By: Reuters");
- ministries written in lower case ("the finance ministry") and governments ("the Australian government",
  "the government of Balochistan"), which the pipeline links to the catalogue's governments.
Each returns organisation mentions; linking to the catalogue happens in the pipeline."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from maadan.ingest.reference import data_dir
from maadan.news.calendar import MONTH_RE
from maadan.news.model import Mention

# Companies are often named for what they mine ("Ganfeng Lithium", "Zhejiang Huayou Cobalt"): such a name needs a
# word before the mineral that is not a country or demonym ("Australian Lithium miner" is no name), and is no
# organisation when a project word follows ("Kathleen Valley Lithium Project").
MINERAL_SUFFIX = r"Lithium|Cobalt|Nickel|Graphite"
_MINERAL_END = re.compile(rf"\b(?:{MINERAL_SUFFIX}|Energy|Industry|International)$")
_PROJECT_NEXT = re.compile(r"[ \t]+(?:Project|Operations?|Mine|Deposit|Hub|Plant|Refinery|project|operations?|mine|"
                           r"deposit|plant|and\s+[A-Z][\w-]*\s+(?:Project|project)\b)")
SUFFIX = (r"Company|Co\.|Co(?![\w.-])|Corporation|Corp\.?|Ltd\.?|Limited|LLC|Llc\.?|LLP|L\.L\.C\.|Inc\.?|PLC|Plc|plc|PJSC|JSC|SA|AG|GmbH|"
          r"SARL|Sarl|SAS|Pty|Pte|Bhd|Berhad|Tbk|NV|N\.V\.|BV|ASA|SpA|Network|"
          r"Organisation|Organization|Bank|Authority|Department|Ministry|Council|Agency|Fund|Group|Holdings|"
          r"Metals|Minerals|Mining|Mines|Resources|Materials|Works|Commission|Embassy|Enterprises|Industries|"
          r"Exploration|Institute|Board|Cell|Survey|Consortium|Association|Chamber|Partners|Capital|Investments|"
          r"Ventures|Trading|Logistics|Motors|Refinery|Newswire|Wire|News|Times|Tribune|Herald|Post|Journal|"
          r"Gazette|Recorder|Intelligence|Analytics|Consulting|Advisors|Advisory|Securities|Division|Bureau|"
          r"Office|Committee|Assembly|Parliament|Secretariat|Federation|Union|Foundation|Trust|Society|University|"
          r"Energies|Petroleum|Steel|Chemicals|Technologies|Cooperative|Syndicate|Directorate|Mills|Service|Corps|"
          r"Exchange|International|Industry|Energy|" + MINERAL_SUFFIX)
HEADS = r"Department|Ministry|Bank|Board|Council|Bureau|Office|Institute|Center|Centre|University|Commission|" \
        r"Federation|Chamber|Association|Government|Embassy|Agency|Authority|Corporation|Company|Fund|Division|" \
        r"Directorate|Secretariat|Committee|Court|Academy|Society|Union|Corps"
_CAP = r"(?:[A-Z][A-Za-z0-9&.'’]*(?:[-‐][A-Za-z0-9&.'’]+)*|[A-Z]{2,}|[A-Z]\.)"
_MODIFIER_TOKEN = re.compile(r"-(?:based|led|backed|owned|run|headquartered|listed|registered|controlled|funded|"
                             r"focused|born|made)$", re.IGNORECASE)
# "and" inside "of ..." joins one last word ("Ministry of Energy and Mines"), or two when the second is what such
# bodies are of ("Center for Strategic and International Studies"); a word is matched whole, never cut short.
_END = r"(?:(?![\w&.'’-])|(?<=[a-z0-9])(?=\.))"  # a word ends; a full stop after a capital is an initial's
_AND_LAST = (rf"\s+(?:and|&)\s+{_CAP}(?:\s+(?:Studies|Affairs|Development|Research|Relations|Sciences|Technology|"
             rf"Initiatives|Security|Cooperation|Production))?{_END}(?!\s+[A-Z])")
_PVT_LTD = r"\((?:Pvt|Private)\)\s+(?:Ltd\.?|Limited)"  # "Arif Equity (Private) Limited": the legal form ends any name
ORG_FORM_RE = re.compile(
    rf"\b(?:{_CAP}\s+(?:(?:and|&|for)\s+)?){{0,7}}{_CAP}(?:\s+\((?:Group|Holdings)\))?\s+(?:{SUFFIX}|{_PVT_LTD})"
    rf"(?:\s+(?:{SUFFIX}|\((?:Pvt|Private)\)\s+(?:Ltd\.?|Limited)))*(?:\s+of\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}|{_AND_LAST}){{0,3}})?"
    rf"(?![A-Za-z])"
    # a word or two before "Court of" belong to the name, as before "Board of": "Royal Court of Jersey"
    rf"|\b(?:{_CAP}\s+){{0,2}}(?:{HEADS})\s+(?:of|for)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}|{_AND_LAST}){{0,4}}{_END}")
SUFFIX_END = re.compile(rf"\b(?:{SUFFIX})$")
ENDS_LIKE_ORG = re.compile(rf"(?:{SUFFIX})$|\b(?:{HEADS}) (?:of|for) ")
_LEADING = re.compile(r"^(?:The|A|An|In|On|At|By|For|From|With|Under|After|Before|And|But|As|Meanwhile|Speaking|"
                      r"According|Also|Read|While|When|Both|Under|Via|Its|Their|His|Her|This|That|Acting|Former|"
                      r"Director|Minister|Secretary|President|Chairman|Chief|Deputy|Senior|Later|Earlier|Separately|"
                      r"Additionally|However|Now|Then|Today|Yesterday|Recently|Previously|Moreover|Furthermore|"
                      r"Besides|Instead|Last|Next|Shares|Officials|Formerly|Currently|Originally|and|the|of|with|for)\s+")
# Page furniture that reads like a name ending in an organisation word: "Latest News", "Share This Post".
_FURNITURE = re.compile(r"^(?:Latest|Breaking|Trending|Related|Popular|Recent|Top|Most|More|Share|Read|Follow|"
                        r"Subscribe|Sign|Login|Log|Home|Editor's|Editors'|Sponsored|Recommended|Featured)\b")
# A portfolio before a title word is part of the title: "(Pakistani) Petroleum Minister", "Mining Secretary".
# A site's section heading: "Business News", "World News".
_SECTION = re.compile(r"^(?:Business|World|Local|National|International|Regional|Sports?|Politics|Markets?|"
                      r"Tech(?:nology)?|Economy|Energy|Mining|Latest|Breaking|Top)\s+News$")
_PORTFOLIO_END = re.compile(r"\b(?:Petroleum|Mining|Minerals|Mines|Steel|Industries|Energies|Chemicals|Resources)$")
_TITLE_NEXT = re.compile(r"\s+(?:Minister|Ministers|Secretary|Adviser|Advisor|Minister's|Secretary's)\b")
# "Vi Holding Board Chairman Valery Krasnov": the board is the chairman's title, not part of a company's name.
_BOARD_TITLE = re.compile(r"\s+Board$")
_BOARD_TITLE_NEXT = re.compile(r"\s+(?:Chairman|Chairwoman|Chairperson|Chair|Member|Director|Secretary)\b")
_NOT_ORG_END = re.compile(r"\b(?:Forum|Summit|Conference|Expo|Framework|Agreement|Understanding|Intent|Interest|"
                          r"Policy|Project|Programme|Program|Facility|Week|Day)$")
_TICKER_RE = re.compile(r"(?P<name>(?:[A-Z][\w&.'’-]*\s+){0,4}[A-Z][\w&.'’-]*)\s*\((?:NYSE(?: American)?|NASDAQ|"
                        r"Nasdaq|TSX(?:V|-V)?|ASX|LSE|AIM|OTC(?:QX|QB)?|PSX|HKEX|JSE|TSE|NYSE Arca)\s*:\s*[A-Z.]+")
_KIND_WORDS = (r"company|firm|miner|mining company|mining firm|group|giant|conglomerate|trader|commodity trader|"
               r"producer|maker|manufacturer|start-?up|lender|insurer|investor|fund|operator|developer|consultancy|"
               r"automaker|carmaker|refiner|smelter|contractor|utility|shipper|defen[cs]e contractor|entity|rival|"
               r"partner|buyer|customer|offtaker|supplier|subsidiary")
_KIND_BEFORE_RE = re.compile(rf"\b(?:{_KIND_WORDS})[ \t]+(?P<name>[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){{0,2}})")
# A name followed by a kind word is what qualifies the kind, not the organisation: "state-owned Saudi Arabian
# mining company Maaden" names Maaden (read after the kind word), not "Saudi Arabian".
_KIND_AFTER = re.compile(rf"[ \t]+(?:[a-z-]+[ \t]+){{0,2}}(?:{_KIND_WORDS})\b")
_NAME3 = r"[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){0,2}"  # one to three capitalised words, on one line
_SUCH_AS_RE = re.compile(rf"\b(?:companies|firms|groups|miners|producers|investors)\s+(?:such as|like|including)\s+"
                         rf"(?P<list>{_NAME3}(?:\s*,\s*{_NAME3})*(?:\s*,?\s+and\s+{_NAME3})?)")
_RUN_BY_RE = re.compile(rf"\b(?:run|operated|owned|developed|built|managed|controlled|backed)\s+by\s+"
                        rf"(?P<list>{_NAME3}(?:\s+and\s+{_NAME3})?)")
# A subject that says what "it" will do as a company does ("X said on Wednesday it would build ..."), and the
# name whose shares are traded ("shares of X", "X shares rose").
_IT_WILL_RE = re.compile(rf"(?:^|(?<=[.!?:;])\s+|\n)(?P<name>{_NAME3})\s+(?:said|says|announced|confirmed|stated)"
                         rf"(?:\s+on\s+[A-Z][\w.]*(?:\s+\d{{1,2}})?)?(?:\s+that)?\s+it\s+(?:would|will|plans\s+to|"
                         rf"intends\s+to|aims\s+to|expects\s+to|has\s+agreed\s+to|had\s+agreed\s+to)\s+(?:build|"
                         rf"buy|acquire|invest|sell|supply|form|develop|open|raise|expand|produce|launch|list|"
                         rf"set\s+up|partner|merge|spend|hire|ship|export|import|refine|mine)\b",
                         re.MULTILINE)
_SHARES_RE = re.compile(rf"\b[Ss]hares\s+(?:of|in)\s+(?P<name>{_NAME3})|(?P<name2>{_NAME3})(?:'s|’s)?\s+shares\s+"
                        rf"(?:rose|fell|jumped|surged|climbed|dropped|slumped|gained|soared|tumbled|slid|rallied)\b")
# Owners and partners: "a stake (of 46.67%) in X (and Y)", "a joint venture between X and Y", "an X and Y joint venture",
# "state-owned X", and a kind word with the name as its appositive ("the sovereign wealth fund, X, said").
_STAKE_IN_RE = re.compile(rf"\b(?:stakes?|shareholding|holding)(?:\s+of\s+(?:about\s+|nearly\s+|some\s+)?\d+(?:\.\d+)?"
                          rf"\s*(?:%|per\s*cent|percent))?\s+in\s+(?P<list>{_NAME3}"
                          rf"(?:\s+and\s+{_NAME3})?)")
# the holder of a share: "X with a 30% interest and Y with a 2% holding", "X, which holds a 20% stake"
_HOLDER_RE = re.compile(rf"(?P<name>{_NAME3})(?:,\s+which)?\s+(?:with|holds|holding|owns|owning)\s+(?:an?\s+|the\s+)?"
                        rf"(?:remaining\s+)?\d+(?:\.\d+)?\s*(?:%|per\s*cent|percent)\s+(?:interest|stake|holding|"
                        rf"shareholding|share|equity)\b")
_JV_RE = re.compile(rf"\b(?:joint venture|JV|partnership)\s+(?:between|of)\s+(?:the\s+)?(?P<list>{_NAME3}\s+and\s+"
                    rf"(?:the\s+)?{_NAME3})|(?P<list2>{_NAME3}\s+and\s+{_NAME3})\s+(?:joint venture|JV)\b")
_WHEN = re.compile(rf"^(?:{MONTH_RE}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Q[1-4])\b")
_PART_OF_RE = re.compile(rf"\b(?:unit|subsidiary|subsidiaries|division|arm|affiliate|parent company|owner|"
                         rf"shareholders?)\s+of\s+(?:the\s+)?(?P<name>{_NAME3})")
_PT_RE = re.compile(r"\bPT(?:\.|\s)\s*(?P<name>[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){1,4})")  # Indonesian companies
_OWNED_RE = re.compile(rf"\b(?:state-owned|state-run|government-owned|privately held|publicly listed)\s+"
                       rf"(?P<name>{_NAME3})")
# A name the next words call a company: "Syrah Resource, a company from Australia", "AMG, a Dutch metals firm",
# "Lithea, an Argentina-focused mining firm". The words between the article and the kind describe it, so none
# is a preposition or article ("Jane Roe, a director at the firm" is a person's role).
_NAME5 = r"[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){0,4}"  # up to five, for a name set off by a comma
_NAME_THEN_KIND_RE = re.compile(rf"(?:^|(?<=[\s(“\"]))(?P<name>{_NAME5}),\s+an?\s+"
                                rf"(?:(?!(?:at|of|the|for|with|in|on|to|from|by)\s)[\w'’-]+\s+){{0,3}}?"
                                rf"(?:{_KIND_WORDS}|trading house|unit)\b", re.MULTILINE)
# "Paris-headquartered Eramet": a name after where it is based.
_BASED_RE = re.compile(rf"\b[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?-(?:based|headquartered)\s+(?P<name>{_NAME3})")
# The subject of a signing: "Lepidico announced a binding offtake agreement with ...".
_SIGNED_RE = re.compile(rf"(?:^|(?<=[.,;:]\s)|(?<=[.,;:]))\s*(?P<name>{_NAME3})\s+(?:has\s+|had\s+|have\s+)?(?:announced|signed|"
                        rf"executed|inked|struck|entered\s+into)\s+(?:a|an|its|their|the)\s+(?:[\w-]+\s+){{0,3}}?"
                        rf"(?:agreement|deal|MoU|memorandum|contract)\b", re.MULTILINE)
_KIND_APPOSITIVE_RE = re.compile(rf"\b(?:{_KIND_WORDS}|sovereign wealth fund|wealth fund),\s+(?P<name>{_NAME3}),")
# A source: "according to (the) X", "told (the) X", "X reported", ", reports X", "(source: X)", "By: X".
_SOURCE_RE = re.compile(
    r"(?:\baccording to (?:the |a report (?:by|in) (?:the )?)?|\btold (?:the )?|\breported by (?:the )?|"
    r"\bconfirmed to (?:the )?|\bseen by (?:the )?|\bquoted by (?:the )?|\bin an interview with (?:the )?|"
    r",\s*(?:reports|reported|says|writes)\s+(?:the )?|\(source:\s*|^Source:\s*|^By:\s*|\breport in (?:the )?)"
    r"(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})", re.MULTILINE)
_SOURCE_AFTER_RE = re.compile(r"(?:^|[.,;:]\s+|\b(?:the|as|official|state|state-run|state-owned|national)\s+)"
                              r"(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})"
                              r"\s+(?:reported|reports|newspaper|daily|news agency|broadcaster)\b")
_MINISTRY_RE = re.compile(r"\b(?:the\s+)?(?P<what>finance|commerce|foreign|interior|defen[cs]e|energy|petroleum|"
                          r"planning|information|trade|mines|mining|economy|economic affairs|treasury|industries|"
                          r"industry|railways|water|power|maritime|home|law|justice|education|health|climate|"
                          r"environment|agriculture|communications|privatisation|revenue) (?P<body>ministry|"
                          r"department|division)\b")
# After a name cited as a source, an appositive with a role makes it a person ("..., a director at X").
_PERSON_AFTER = re.compile(r",\s+(?:(?:a|an|the|its|his|her)\s+)?(?:[\w'’-]+\s+){0,3}?(?:director|analyst|professor|"
                           r"fellow|economist|researcher|chief|head|partner|spokes\w+|advis[eo]r|official|executive|"
                           r"founder|co-founder|chair\w*|president|minister|secretary|ceo|manager|expert|lawyer|"
                           r"strategist|consultant|investor|envoy|ambassador)\b", re.IGNORECASE)
_NOT_SOURCE = re.compile(r"^(?:He|She|They|It|We|I|You|His|Her|Their|Its|The|This|That|These|Those|Mr|Ms|Mrs|Dr|"
                         r"Prime|President|Minister|Secretary|Chief|Officials?|Reporters|Sources|Monday|Tuesday|"
                         r"Wednesday|Thursday|Friday|Saturday|Sunday)\b")


@dataclass(frozen=True)
class Outlet:
    name: str
    aliases: tuple[str, ...]
    needs_context: bool


def _read_names(name: str) -> tuple[Outlet, ...]:
    with (data_dir() / "news" / name).open(encoding="utf-8", newline="") as fh:
        return tuple(Outlet(r["name"], tuple(a for a in r["aliases"].split(";") if a), r["needs_context"] == "yes")
                     for r in csv.DictReader(fh))


@lru_cache(maxsize=1)
def outlets() -> tuple[Outlet, ...]:
    """News outlets and wires (data/news/outlets.csv): named as sources, never parties to an agreement."""
    return _read_names("outlets.csv")


@lru_cache(maxsize=1)
def institutions() -> tuple[Outlet, ...]:
    """Institutions news names by short forms the catalogue need not hold (data/news/institutions.csv):
    "the Pentagon", "the EU", "the Energy Department"."""
    return _read_names("institutions.csv")


@lru_cache(maxsize=4)
def _names_regex(entries: tuple[Outlet, ...]) -> tuple[re.Pattern, dict[str, Outlet]]:
    names = {n: o for o in entries for n in (o.name, *o.aliases)}
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                    + r")(?![\w-])")
    return rx, names


def find_institutions(text: str) -> list[Mention]:
    """Institutions by their usual names; one followed by a title word is part of a title ("Treasury
    Secretary"), not named as an organisation."""
    rx, names = _names_regex(institutions())
    out = []
    for m in rx.finditer(text):
        if re.match(r"\s+(?:Secretary|Minister|Secretary-General|Chief|Director|Under)\b", text[m.end():m.end() + 20]):
            continue
        out.append(_org(text, m.start(), m.end(), None, names[m.group(0)].name))
    return out


def _org(text: str, start: int, end: int, note: str | None = None, value: str | None = None) -> Mention:
    return Mention("organisation", text[start:end], start, end, value, None, True, note)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    while (lead := _LEADING.match(span)):
        start, span = start + lead.end(), span[lead.end():]
    # a "-based" modifier and what comes before it is not part of the name
    words = list(re.finditer(r"\S+", span))
    for w in reversed(words):
        if _MODIFIER_TOKEN.search(w.group(0).rstrip(",")):
            start, span = start + w.end(), span[w.end():]
            break
    lead = len(span) - len(span.lstrip())
    start, span = start + lead, span.lstrip()
    span = span.rstrip(",")
    if span.endswith(".") and not re.search(r"\b[A-Z]\.$", span):
        span = span[:-1]  # "Ltd." at the end of a sentence: the full stop is the sentence's
    return start, start + len(span)


def _split_and(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"A B and C D Mining" is two names when each side has two or more words before the suffix part
    ("Rio Tinto and United Mining"); "Oil and Gas Development Company" stays one."""
    span = text[start:end]
    of = re.search(r"\s+(?:of|for)\s+", span)
    head = span[:of.start()] if of else span
    parts = list(re.finditer(r"\s+(?:and|&)\s+", head))
    if not parts:
        return [(start, end)]
    p = parts[0]
    left, right = head[:p.start()], span[p.end():]
    rw = right.split()
    if SUFFIX_END.search(left) and len(rw) == 2 and re.fullmatch(rf"(?:{SUFFIX})", rw[0]) and re.fullmatch(
            r"Limited|Ltd\.?|Inc\.?|Corp\.?|Corporation|PLC|plc|LLC", rw[1]):
        return [(start, end)]  # "Greenland Minerals and Energy Limited" is one name
    acronym = re.fullmatch(r"[A-Z]{2,6}(?:-[A-Z]{1,4})?", left) is not None  # "SQM and Albemarle Corp.": two
    if (len(left.split()) >= 2 or acronym) and len(right.split()) >= 2:
        return [(start, start + p.start()), (start + p.end(), end)]
    return [(start, end)]


def _split_repeat(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"Kobold Metals Kobold Metals" (a caption run into a name) is the same name twice."""
    words = text[start:end].split()
    n = len(words)
    if n % 2 == 0 and words[:n // 2] == words[n // 2:]:
        half = text.index(words[n // 2], start + len(" ".join(words[:n // 2])))
        return [(start, start + len(" ".join(words[:n // 2]))), (half, end)]
    return [(start, end)]


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]]\.)\s+(?=[A-Z\"“‘'])(?!(?:SARL|Sarl|Ltd|Limited|Inc|LLC|Pty|Bhd|SA|AG|PLC|Plc|plc)"
                           r"\b)|\n|(?<=[!?;])\s+")  # "Co. Ltd." and "Co. SARL" end no sentence


def _in_sentences(rx: re.Pattern, text: str):
    """Matches of rx that never run over a sentence end ("... Company Ltd. The Frontier Works ...")."""
    pos = 0
    for end in [m.start() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        for m in rx.finditer(text, pos, end):
            yield m
        pos = end


# A company and its parent in one span: "DMCI Mining Corp. of the Consunji Group" names two organisations; an
# owner's possessive before a company's full name is not part of it ("Glencore's Kamoto Copper Company"), a
# title's is ("Prime Minister's Office").
_PARENT_OF = re.compile(r"(?<=[a-z.])\s+of\s+(?:the\s+)?(?=[A-Z])")
_LEGAL_END = re.compile(r"\b(?:Co\.|Corp\.?|Corporation|Inc\.?|Ltd\.?|Limited|LLC|PLC|Plc|plc|Company)$")
_OWNER = re.compile(r"['’]s\s+(?=[A-Z])")
_TITLE_OWNER = re.compile(r"\b(?:Minister|President|Secretary|Governor|Chancellor|King|Queen|Prince|Emir|Mayor|"
                          r"General|Chairman|Speaker|Attorney)$")
# A company named after its mineral, written with a capital in running text: "Ganfeng Lithium", "LSC Lithium",
# "First Cobalt" (a capitalised word follows: a project's or mine's name, "Nama Cobalt Project", is not one).
_MINERAL_NAME_RE = re.compile(r"\b(?:[A-Z][\w&'’-]*\s+){1,2}(?:Lithium|Cobalt|Nickel|Graphite|Vanadium|Manganese|"
                              r"Uranium|Tungsten)(?=['’]s\b|(?![\w'’-]))(?!\s+[A-Z0-9(])")

# Companies whose organisation word comes first, as in Spanish, Portuguese and French: "Minera Exar",
# "Sociedad Quimica y Minera", "Compañía Minera Antamina", "Groupe Forrest".
_WORD_FIRST_RE = re.compile(r"\b(?:Minera|Mineradora|Mineração|Compañía|Compania|Companhia|Sociedad|Sociedade|Empresa|"
                            r"Corporación|Corporacion|Grupo|Groupe|Société|Societe|Industrias)"
                            r"(?:\s+(?:(?:de|del|y|e|et|des|du|la|&)\s+)?[A-ZÀ-Ö][\w&'’.-]*){1,4}")


def _split_owner_and_parent(text: str, start: int, end: int) -> list[tuple[int, int]]:
    span = text[start:end]
    own = _OWNER.search(span)
    if own and not _TITLE_OWNER.search(span[:own.start()]):
        start, span = start + own.end(), span[own.end():]
    par = _PARENT_OF.search(span)
    if par and _LEGAL_END.search(span[:par.start()]) and len(span[:par.start()].split()) >= 2 and \
            len(span[par.end():].split()) >= 2 and ENDS_LIKE_ORG.search(span[par.end():]):
        return [(start, start + par.start()), (start + par.end(), end)]
    return [(start, end)]


# A country written straight after a company's organisation word names the company's arm there ("Shenghe Resources
# Singapore", "Glencore International Congo"), unless a possessive or another capitalised word follows.
_COUNTRY_ARM = re.compile(r"[ \t]+(?P<word>[A-Z][a-z]+)(?![\w'’.-])(?![ \t]+[A-Z])")
_ARM_HEAD = re.compile(r"\b(?:Resources|Holdings|Group|Mining|Metals|Minerals|International|Trading|Investments|"
                       r"Ventures|Industries|Materials|Energy|Capital)$")
# A legislature named alone in running text ("speaking in Parliament"): a lower-case word or comma comes before.
_LEGISLATURE_RE = re.compile(r"(?<=[a-z,] )(?:Parliament|Senate)(?![\w'’-])(?![ \t]+[A-Z])")


def _country_arm(text: str, start: int, end: int) -> int:
    m = _COUNTRY_ARM.match(text, end)
    if m and _ARM_HEAD.search(text[start:end]) and m["word"].lower() in _country_words():
        return m.end()
    return end


# An acronym that acts or owns in running text is an organisation's: "ZCCM-IH are envisaged to", "NRL has
# completed", "KCM's operations". Not after an article ("the FID is"), not a country, title or unit, and not in
# a line written in capitals (a headline).
_ACTING_ACRONYM_RE = re.compile(
    r"(?<![\w(/.-])(?<!\bthe )(?<!\bThe )(?<!\ba )(?<!\bA )(?<!\ban )(?<!\bits )(?<!\bthis )"
    r"(?P<name>[A-Z][A-Z&]{1,6}(?:-[A-Z]{1,4})?)(?:(?P<own>['’]s)\s+[a-z]|\s+(?:has|have|had|is|are|was|were|will|"
    r"would|said|says|announced|signed|agreed|plans|intends|expects|acquired|completed|owns|operates|holds)\b)")
# Titles, units, currencies and the acronyms of deals and things that news writes as subjects too.
_NOT_ACTING = frozenset({"CEO", "CFO", "CTO", "COO", "CMO", "MD", "PM", "CM", "GM", "VP", "SVP", "EVP", "AI", "GDP",
                         "IPO", "ETF", "EV", "EVS", "TV", "OK", "MW", "GW", "KM", "USD", "PKR", "AUD", "CAD", "EUR",
                         "GBP", "CNY", "ID", "I", "II", "III", "IV", "CPEC", "LNG", "LPG", "ESG", "EPC", "EPCM",
                         "FID", "FEED", "MOU", "MOUS", "LOI", "JV", "SEZ", "FDI", "GST", "VAT", "PPP", "OEM", "OEMS",
                         "ECA", "ECAS", "AAM"})


# "lithium carbonate equivalent (LCE)": an acronym the text spells out in lower-case words names a thing.
_LOWER_DEF_RE = re.compile(r"\b(?P<words>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,5})\s+\((?P<abbr>[A-Z]{2,6})\)")


def things_spelled_out(text: str) -> set[str]:
    """Acronyms the text defines by lower-case words ("lithium carbonate equivalent (LCE)"): never organisations."""
    out = set()
    for m in _LOWER_DEF_RE.finditer(text) if "(" in text else ():
        words = [w for w in re.split(r"[\s-]+", m["words"]) if w not in ("of", "and", "for", "the", "to", "in")]
        if len(words) >= len(m["abbr"]) and "".join(w[0] for w in words[-len(m["abbr"]):]).upper() == m["abbr"]:
            out.add(m["abbr"])
    return out


def find_acting_acronyms(text: str, skip: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Acronyms doing what organisations do (see _ACTING_ACRONYM_RE), unless the text spells them out as things."""
    out = []
    things = things_spelled_out(text)
    for m in _ACTING_ACRONYM_RE.finditer(text):
        name = m["name"]
        if name in _NOT_ACTING or name in things or name.lower() in _country_words() or (skip and any(
                s <= m.start() < e for s, e in skip)):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start:line_end if line_end >= 0 else len(text)]
        if sum(c.islower() for c in line) < sum(c.isupper() for c in line):
            continue  # a headline or a text in capitals: capitals mark nothing there
        out.append(_org(text, m.start("name"), m.end("name"), "an acronym that acts as an organisation"))
    return out


def find_by_form(text: str, skip: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Capitalised names ending in an organisation word, or "Department/Ministry/... of ...", and companies
    named after their mineral ("Ganfeng Lithium") or with their organisation word first ("Minera Exar")
    outside headlines."""
    out = []
    for m in _in_sentences(_MINERAL_NAME_RE, text):
        if skip and any(s <= m.start() < e for s, e in skip):
            continue
        a, b = _trim(text, m.start(), m.end())
        span = text[a:b]
        if len(span.split()) < 2 or _FURNITURE.match(span) or _PROJECT_NEXT.match(text, b) or all(
                w.lower().strip("'’s") in _country_words() for w in span.split()[:-1]):
            continue  # "Kathleen Valley Lithium Project", "Australian Lithium miner"
        out.append(_org(text, a, b))
    for m in _in_sentences(_WORD_FIRST_RE, text):
        if not (skip and any(s <= m.start() < e for s, e in skip)):
            a, b = _trim(text, m.start(), m.end())
            out.append(_org(text, a, b))
    for m in _in_sentences(ORG_FORM_RE, text):
        if skip and any(s <= m.start() < e for s, e in skip):
            continue
        sides = _split_and(text, m.start(), m.end())
        for a, b in (p for a0, b0 in sides for p in _split_owner_and_parent(text, *_trim(text, a0, b0))):
            a, b = _trim(text, a, b)
            if len(sides) > 1 and re.fullmatch(r"[A-Z]{2,6}(?:-[A-Z]{1,4})?", text[a:b]):
                out.append(_org(text, a, b))  # "ZCCM-IH and Vedanta Resources": the acronym is the other party
                continue
            for a2, b2 in _split_repeat(text, a, b):
                span = text[a2:b2]
                if len(span.split()) < 2 or not ENDS_LIKE_ORG.search(span) or _NOT_ORG_END.search(span):
                    continue
                board = _BOARD_TITLE.search(span)
                if board and _BOARD_TITLE_NEXT.match(text, b2):
                    b2, span = a2 + board.start(), span[:board.start()]
                    if len(span.split()) < 2 or not ENDS_LIKE_ORG.search(span):
                        continue
                if _FURNITURE.match(span) or _SECTION.match(span) or (_PORTFOLIO_END.search(span) and _TITLE_NEXT.match(text, b2)):
                    continue  # "Latest News", "Share This Post"; "Pakistani Petroleum Minister" is a title
                if _MINERAL_END.search(span) and (_PROJECT_NEXT.match(text, b2) or all(
                        w.lower().strip("'’s") in _country_words() for w in span.split()[:-1])):
                    continue  # "Kathleen Valley Lithium Project", "Australian Lithium miner"
                b2 = _country_arm(text, a2, b2)
                out.append(_org(text, a2, b2))
    for m in _in_sentences(_LEGISLATURE_RE, text):
        if not (skip and any(s <= m.start() < e for s, e in skip)):
            out.append(_org(text, m.start(), m.end(), "a legislature named alone"))
    seen: set[tuple[int, int]] = set()  # a name found by two of the forms above is one mention
    return [m for m in out if not ((m.start, m.end) in seen or seen.add((m.start, m.end)))]


_ABBR_DEF_RE = re.compile(r"(?P<name>(?:[A-Z][\w&.'’-]*\s+(?:(?:of|and|for|the|de|&)\s+){0,2}){1,8}?[A-Z][\w&.'’-]*)"
                          r"\s+\((?P<abbr>[A-Z][A-Za-z&]{1,7}\d{0,2})\)")


def _initials_fit(name: str, abbr: str) -> bool:
    letters = [w[0].upper() for w in re.split(r"[\s-]+", name) if w and w[0].isalpha() and w[0].isupper()]
    want = [c for c in abbr if c.isupper()]
    if not want or not letters or letters[0] != want[0]:
        return False
    it = iter(letters)
    return all(any(c == x for x in it) for c in want)


# What a capitalised name spelled out before its acronym names when it is no body: "Special Economic Zone (SEZ)",
# "Definitive Feasibility Study (DFS)", "Lithium Carbonate Equivalent (LCE)".
_THING_END = re.compile(r"\b(?:Zones?|Vehicles?|Assessments?|Equivalent|Study|Studies|Value|Estimates?|Officers?|"
                        r"Decision|Corridor|Road|Initiative|Plan|Strategy|Act|Law|Code|Rules?|Standards?|Index|"
                        r"Rates?|Products?|Price|Tax|Tariffs?|Reserves?|Resources?|Systems?|Technology|Licen[cs]es?|"
                        r"Permits?|Leases?|Areas?|Blocks?|Contracts?|Partnership|Treaty|Accord|Deal|Meeting|Visit|"
                        r"Dialogue|Session|Report|Survey Report|Exercise|Scheme|Fund Scheme|Method|Process|Minerals|"
                        r"Metals|Elements|Earths?|Batteries|Battery|Cells?|Energy|Power|Gas|Oil)$")


def _initials_exact(name: str, abbr: str) -> bool:
    """The acronym is the initials of the name's capitalised words, in order, and nothing else."""
    letters = "".join(w[0] for w in re.split(r"[\s-]+", name) if w and w[0].isupper())
    return letters == abbr.upper()


def find_abbreviations(text: str, known: list[Mention]) -> list[Mention]:
    """"Long Name (ABBR)": when the long name is an organisation found by another rule (or reads like one),
    every later standalone ABBR is the same organisation (its value holds the long name)."""
    out = []
    for m in _ABBR_DEF_RE.finditer(text):
        name, abbr = m["name"], m["abbr"]
        if abbr in ("Group", "Holdings", "Pvt", "Private") or re.search(r"[a-z]\.\s+[A-Z]", name):
            continue  # "X Mining (Group) Co. Ltd." is a form of name, and a name never runs over a sentence end
        # keep only the words whose initials the abbreviation follows, from the right
        words = name.split()
        for k in range(len(words)):
            cand = " ".join(words[k:])
            if _initials_fit(cand, abbr):
                name = cand
                break
        else:
            continue
        start = m.start("name") + m["name"].rindex(name) if name in m["name"] else m.start("name")
        end = start + len(name)
        start, end = _trim(text, start, end)
        name = text[start:end]
        if len(name.split()) < 2 or _NOT_ORG_END.search(name) or name.lower().startswith(("memorandum", "letter")):
            continue
        org_like = ENDS_LIKE_ORG.search(name) or any(k.start <= start and end <= k.end for k in known)
        exact = len(abbr) >= 3 and _initials_exact(name, abbr) and not _THING_END.search(name) and \
            abbr.upper() not in _NOT_ACTING
        if not org_like and not exact and not re.search(r"\b(?:Insaf|League|Party|Movement|Front|Congress)\b", name):
            continue
        out.append(_org(text, start, end, f"defines the abbreviation {abbr}"))
        for later in re.finditer(rf"(?<![\w(]){re.escape(abbr)}(?![\w)])", text[m.end():]):
            s = m.end() + later.start()
            out.append(_org(text, s, s + len(abbr), f"abbreviation of {name}, defined earlier", name))
    return out


def find_by_context(text: str, skip: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Names the text calls organisations: stock tickers, "company X", "companies such as X and Y",
    "run by X and Y"."""
    out = []
    for m in _PT_RE.finditer(text) if "PT" in text else ():
        out.append(_org(text, m.start(), m.end("name"), "an Indonesian company (PT)"))
    for m in _TICKER_RE.finditer(text):
        a, b = _trim(text, m.start("name"), m.end("name"))
        if b > a:
            out.append(_org(text, a, b, "listed on a stock exchange"))
    lower = text.lower()
    for rx in [r for r, words in ((_IT_WILL_RE, (" it ",)), (_SHARES_RE, ("shares",))) if any(w in lower for w in words)]:
        for m in rx.finditer(text):
            group = "name" if m.group("name") else "name2"
            a, b = _trim(text, m.start(group), m.end(group))
            if b > a and not (skip and any(s <= a < e for s, e in skip)):
                out.append(_org(text, a, b, "a company by what the text says of it"))
    rules = [(_KIND_BEFORE_RE, "name"), (_NAME_THEN_KIND_RE, "name"), (_BASED_RE, "name"), (_SIGNED_RE, "name"),
             (_SUCH_AS_RE, "list"), (_RUN_BY_RE, "list"), (_KIND_APPOSITIVE_RE, "name"), (_PART_OF_RE, "name")]
    if "stake" in lower or "holding" in lower:
        rules.append((_STAKE_IN_RE, "list"))
    if "%" in text or "cent" in lower:
        rules.append((_HOLDER_RE, "name"))  # (a person so introduced, "Ms Jane Roe with a 5% stake", is not)
    if "joint venture" in lower or "JV" in text or "partnership" in lower:
        rules += [(_JV_RE, "list"), (_JV_RE, "list2")]
    if "-owned" in lower or "-run" in lower or "privately" in lower or "publicly" in lower:
        rules.append((_OWNED_RE, "name"))
    for rx, group in rules:
        for m in rx.finditer(text):
            if m.group(group) is None:
                continue
            base = m.start(group)
            if rx is _HOLDER_RE and re.search(r"\b(?:Mr|Mrs|Ms|Dr|Sir)\b\.?\s*(?:[A-Z]\S*\s*)*$",
                                              text[max(0, base - 5):m.end(group)]):
                continue
            for part in re.finditer(r"[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){0,4}", m.group(group)):
                a, b = _trim(text, base + part.start(), base + part.end())
                if b > a and not _WHEN.match(text[a:b]) and not (skip and any(s <= a < e for s, e in skip)) \
                        and not _KIND_AFTER.match(text, b):
                    out.append(_org(text, a, b, "called an organisation by the text"))
    return out


def find_sources(text: str) -> list[Mention]:
    """News outlets (the bundled list; the ambiguous ones such as "Dawn" only where cited as a source) and
    any name cited as a source ("according to X", "told X", "X reported")."""
    out = []
    cited: set[tuple[int, int]] = set()
    for rx in (_SOURCE_RE, _SOURCE_AFTER_RE):
        for m in rx.finditer(text):
            a, b = _trim(text, m.start("name"), m.end("name"))
            name = text[a:b]
            nxt = re.match(r"\s+([a-z]+)", text[b:b + 20])
            if nxt and nxt.group(1) not in ("newspaper", "daily", "news", "broadcaster", "on", "in", "at", "and", "which", "that", "as", "said",
                                            "reported", "reports", "quoted", "citing", "report", "wrote", "writes"):
                continue  # "according to the PR firm": a modifier, not a name
            if _PERSON_AFTER.match(text, b) and not SUFFIX_END.search(name):
                continue  # "according to Jane Roe, a director at ...": a person, read as one by the people rules
            if b > a and not _NOT_SOURCE.match(name) and name.lower() not in _country_words():
                cited.add((a, b))
    rx, names = _names_regex(outlets())
    taken: list[tuple[int, int]] = []
    for m in rx.finditer(text):
        o = names[m.group(0)]
        in_context = any(a <= m.start() and m.end() <= b for a, b in cited)
        if o.needs_context and not in_context:
            continue
        out.append(_org(text, m.start(), m.end(), "a news outlet", o.name))
        taken.append((m.start(), m.end()))
    for a, b in sorted(cited):
        if any(s < b and a < e for s, e in taken):
            continue
        words = text[a:b].split()
        if len(words) > 3 or any(w.lower() in ("minister", "president", "secretary", "officials") for w in words):
            continue
        out.append(_org(text, a, b, "cited as a source"))
    return out


def _country_words() -> dict[str, str]:
    """Countries, demonyms and provinces: "the Pakistani daily" cites no outlet by name."""
    from maadan.news.governments import country_words
    return country_words()


def find_ministries(text: str) -> list[Mention]:
    """Ministries written in lower case: "the finance ministry" is the Ministry of Finance."""
    out = []
    for m in _MINISTRY_RE.finditer(text):
        body = m["body"].capitalize()
        what = m["what"].title()
        out.append(_org(text, m.start("what"), m.end("body"), "named in lower case", f"{body} of {what}"))
    return out


_MATE = r"[A-Z][\w&'’-]+(?:[ \t]+[A-Z][\w&'’-]+){0,2}"
_LIST_RE = re.compile(rf"(?P<list>{_MATE}(?:\s*,\s*{_MATE})+\s*,?\s+and\s+{_MATE})")


def find_list_mates(text: str, known: list[Mention]) -> list[Mention]:
    """Names listed with an organisation are organisations too ("joining Ganfeng Lithium, Lionergy and
    Shandong Ruifu"), when the list has a comma, one member is a known organisation and no member is a
    country or a date."""
    spans = {(k.start, k.end) for k in known if k.kind == "organisation"}
    out = []
    for m in _LIST_RE.finditer(text):
        base = m.start("list")
        parts = [(base + p.start(), base + p.end()) for p in re.finditer(_MATE, m["list"])]
        parts = [_trim(text, a, b) for a, b in parts]
        if not any(p in spans for p in parts):
            continue
        if any(text[a:b].lower() in _country_words() or _WHEN.match(text[a:b]) or _NOT_SOURCE.match(text[a:b])
               for a, b in parts):
            continue
        out += [_org(text, a, b, "listed with an organisation") for a, b in parts if (a, b) not in spans and b > a]
    return out


# "Glencore's Kamoto Copper Company": a capitalised name in the possessive right before an organisation owns it.
_OWNER_BEFORE = re.compile(r"(?:^|(?<=[\s(“\"]))(?P<owner>[A-Z][\w&-]+(?:[ \t]+[A-Z][\w&-]+){0,2})['’]s[ \t]+$")


def find_owners(text: str, known: list[Mention]) -> list[Mention]:
    """The owner named in the possessive before a known organisation's name, when it is no country, title or
    weekday ("Glencore's Kamoto Copper Company", not "Zambia's ZCCM-IH" or "Monday's ...")."""
    out = []
    for k in known:
        if k.kind != "organisation" or k.start < 2 or text[k.start - 2] != "s":
            continue
        m = _OWNER_BEFORE.search(text, max(0, k.start - 60), k.start)
        if m is None:
            continue
        owner = m["owner"]
        if len(owner.split()) > 1:
            continue  # "Jane Roe's Velmora Holdings": two capitalised words may be a person's name
        if owner.lower() in _country_words() or _WHEN.match(owner) or \
                _NOT_SOURCE.match(owner) or _LEADING.match(owner + " ") or _TITLE_OWNER.search(owner):
            continue
        a, b = _trim(text, m.start("owner"), m.end("owner"))
        if b > a:
            out.append(_org(text, a, b, f"owner of {k.text}"))
    return out
