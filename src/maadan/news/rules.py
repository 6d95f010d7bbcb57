"""Rules over the text for money amounts, people with their roles, organisation-like names that are not
in the gazetteer, and agreement kinds from cue words. Each returns mentions with character offsets."""

from __future__ import annotations

import re

from maadan.news.model import Mention

# --- money --------------------------------------------------------------------------------------------
_CURRENCY = {"us$": "USD", "us $": "USD", "usd": "USD", "$": "USD", "us dollars": "USD", "us dollar": "USD",
             "dollars": "USD", "dollar": "USD", "rs": "PKR", "rs.": "PKR", "pkr": "PKR", "rupees": "PKR",
             "€": "EUR", "eur": "EUR", "euros": "EUR", "£": "GBP", "gbp": "GBP", "c$": "CAD", "cad": "CAD",
             "a$": "AUD", "aud": "AUD", "¥": "CNY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY"}
_SCALE = {"trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "mn": 1e6,
          "m": 1e6, "thousand": 1e3, "k": 1e3, "crore": 1e7, "lakh": 1e5, "lac": 1e5}
_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE_RE = r"(?:\s?(?P<scale>trillion|billion|million|thousand|crore|lakh|lac)\b|(?P<short>bn|mn|tn|m|b|k)\b)?"
MONEY_PREFIX_RE = re.compile(rf"(?P<cur>US\s?\$|USD|C\$|A\$|\$|Rs\.?|PKR|€|EUR|£|GBP|¥|CNY|RMB)\s?{_NUM}{_SCALE_RE}")
MONEY_SUFFIX_RE = re.compile(rf"\b{_NUM}{_SCALE_RE}\s+(?P<cur>US dollars?|dollars?|rupees|euros|yuan|USD|PKR|EUR)\b",
                             re.IGNORECASE)
BARE_AMOUNT_RE = re.compile(rf"\b{_NUM}\s?(?P<scale>trillion|billion|million|bn|mn)\b"
                            r"(?!\s+(?:tonnes|tons|t|metric|barrels|ounces|oz|pounds|lb|people|users|years|"
                            r"cubic|square|hectares|acres|km|kilometres|kilometers|carats|units|shares|of\s+"
                            r"(?:tonnes|tons|people|barrels)))", re.IGNORECASE)


def _amount(m: re.Match) -> float:
    value = float(m["num"].replace(",", ""))
    scale = (m["scale"] or (m["short"] if "short" in m.groupdict() else None) or "").lower()
    return value * _SCALE.get(scale, 1.0)


def find_money(text: str) -> list[Mention]:
    """Amounts with their ISO 4217 currency; an amount with a scale word but no currency is kept with
    currency None (unresolved), never given one."""
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for rx in (MONEY_PREFIX_RE, MONEY_SUFFIX_RE):
        for m in rx.finditer(text):
            cur_raw = re.sub(r"\s+", " ", m["cur"].lower())
            currency = _CURRENCY.get(cur_raw.replace("us $", "us$"), None)
            note = "'$' read as US dollars" if cur_raw == "$" else None
            out.append(Mention("money", m.group(0), m.start(), m.end(),
                               {"amount": _amount(m), "currency": currency}, None, True, note))
            taken.append((m.start(), m.end()))
    for m in BARE_AMOUNT_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = float(m["num"].replace(",", "")) * _SCALE[m["scale"].lower()]
        out.append(Mention("money", m.group(0), m.start(), m.end(), {"amount": value, "currency": None}, None,
                           False, "unresolved: amount without currency"))
    return out


# --- people with roles ----------------------------------------------------------------------------------
_ROLE_TITLES = [
    r"Acting Deputy Chief of Mission", r"Deputy Chief of Mission", r"Chief of Mission",
    r"Charg[eé] d['’]Affaires", r"CDA", r"Ambassador", r"Consul General",
    r"Prime Minister", r"Vice President", r"President", r"Field Marshal", r"Chief of Army Staff", r"Army Chief",
    r"Secretary of State", r"Secretary of (?:Commerce|Energy|the Interior|Treasury)", r"Deputy Secretary",
    r"Senator", r"Governor", r"Chief Minister", r"Special Assistant to the Prime Minister(?: on [A-Z][a-z]+)?",
    r"Minister (?:for|of) [A-Z][a-z]+(?: (?:and|&) [A-Z][a-z]+)?",
    r"(?:Federal |State )?(?:[A-Z][a-z]+ )?Minister", r"CEO", r"Chief Executive(?: Officer)?", r"Chairman",
    r"Chairperson", r"Chair", r"Managing Director", r"Director General", r"Director", r"General",
]
_ROLE = "(?:" + "|".join(_ROLE_TITLES) + ")"
_NOT_NAME = r"(?!House\b|Office\b|Secretariat\b|Division\b|Ministry\b|Department\b|Said\b|The\b|Of\b)"
_NAME_WORD = rf"{_NOT_NAME}[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
ROLE_BEFORE_RE = re.compile(rf"\b(?P<role>(?:Acting |Former |Deputy |Senior )?{_ROLE})\s+{_NAME}\b")
ROLE_AFTER_RE = re.compile(rf"\b(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){{1,2}}),\s+(?:the\s+|a\s+)?"
                           rf"(?:[A-Z][\w.&]*['’]s\s+|US\s+|Pakistani\s+|American\s+)?(?P<role>{_ROLE})\b")
ROLE_PHRASE_RE = re.compile(r"\b(?P<role>(?:(?:US|U\.S\.|American|Pakistani|Chinese|[A-Z][a-z]+)\s+)?"
                            r"(?:embassy|government|ministry|company|state department|[A-Z]{2,6})\s+officials)\b")


def find_people(text: str) -> list[Mention]:
    """People named next to a title ("Chargé d’Affaires Natalie Baker", "Mark Bristow, Barrick's CEO")
    and role phrases ("US embassy officials"). A later surname-only mention takes the full name."""
    out: list[Mention] = []
    for rx in (ROLE_BEFORE_RE, ROLE_AFTER_RE):
        for m in rx.finditer(text):
            role = m["role"].replace("’", "'")
            if role == "CDA":
                role = "CDA (Chargé d'Affaires)"
            out.append(Mention("person", m.group(0), m.start(), m.end(),
                               {"name": m["name"], "role": role}, None, True))
    for m in ROLE_PHRASE_RE.finditer(text):
        out.append(Mention("person", m.group(0), m.start(), m.end(), {"name": None, "role": m["role"]}, None,
                           True, "a group named by its role"))
    out.sort(key=lambda x: x.start)
    full: dict[str, str] = {}
    for p in out:
        name = p.value["name"]
        if not name:
            continue
        if " " in name:
            full.setdefault(name.split()[-1], name)
        elif name in full:
            p.value["name"] = full[name]
            p.note = f"surname of {full[name]}, named earlier"
    return out


# --- organisation-like names not in the gazetteer ---------------------------------------------------------
_SUFFIX = (r"Company|Co\.|Corporation|Corp\.?|Ltd\.?|Limited|Organisation|Organization|Bank|Authority|"
           r"Department|Ministry|Council|Agency|Fund|Group|Inc\.?|Holdings|Metals|Minerals|Mining|Resources|"
           r"Works|Commission|Embassy|Enterprises|Industries|Exploration|Institute|Board|Cell|Survey|"
           r"Consortium|Association|Chamber")
_CAP = r"(?:[A-Z][A-Za-z0-9&.-]*|[A-Z]{2,})"
ORG_LIKE_RE = re.compile(
    rf"\b(?:{_CAP}\s+(?:(?:of|and|&|for)\s+)?){{0,5}}{_CAP}\s+(?:{_SUFFIX})(?:\s+(?:{_SUFFIX}|\((?:Pvt|Private)\)\s+Ltd\.?))*"
    rf"(?:\s+of\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}){{0,2}})?(?![A-Za-z])"
    rf"|\b(?:Department|Ministry|Bank|Board|Council) of (?:the\s+)?{_CAP}(?:\s+(?:and\s+)?{_CAP}){{0,3}}")
ENDS_LIKE_ORG = re.compile(rf"(?:{_SUFFIX})$|\b(?:Department|Ministry|Bank|Board|Council) of ")
_LEADING = re.compile(r"^(?:The|A|An|In|On|At|By|For|From|With|Under|After|Before|And|But|As|Meanwhile|"
                      r"Speaking|According)\s+")


def find_organisation_like(text: str) -> list[Mention]:
    """Capitalised names ending in an organisation word ("... Company", "... Ltd", "... Bank",
    "Department of ..."). Linking to the catalogue happens in the pipeline."""
    out = []
    for m in ORG_LIKE_RE.finditer(text):
        pieces = [(m.start(), m.group(0))]
        parts = list(re.finditer(r"\s+(?:and|&)\s+", m.group(0)))
        if parts:  # "A Department and B Company" is two names when each part ends in an organisation word
            cuts = [0] + [x for p in parts for x in (p.start(), p.end())] + [len(m.group(0))]
            split = [(m.start() + a, m.group(0)[a:b]) for a, b in zip(cuts[::2], cuts[1::2])]
            if all(ENDS_LIKE_ORG.search(piece) for _, piece in split):
                pieces = split
        for s, span in pieces:
            while (lead := _LEADING.match(span)):
                s, span = s + lead.end(), span[lead.end():]
            span = span.rstrip(".")  # "Ltd." at the end of a sentence: the full stop is the sentence's
            if len(span.split()) < 2:
                continue
            out.append(Mention("organisation", span, s, s + len(span)))
    return out


# --- agreement kinds ----------------------------------------------------------------------------------------
KIND_CUES: list[tuple[str, re.Pattern]] = [(k, re.compile(p, f)) for k, p, f in [
    ("mou", r"\bmemorand(?:um|a) of understanding\b", re.IGNORECASE),
    ("mou", r"\bM[Oo]Us?\b", 0),
    ("framework", r"\bframework agreements?\b", re.IGNORECASE),
    ("joint_venture", r"\bjoint[- ]ventures?\b", re.IGNORECASE),
    ("joint_venture", r"\bJVs?\b", 0),
    ("offtake", r"\boff-?take(?: agreements?| deals?| contracts?)?\b", re.IGNORECASE),
    ("trade_deal", r"\btrade (?:deal|agreement|pact)s?\b", re.IGNORECASE),
    ("loan", r"\b(?:loans?|financing (?:agreements?|facilit(?:y|ies))|credit facilit(?:y|ies))\b", re.IGNORECASE),
    ("guarantee", r"\b(?:partial credit |loan )?guarantees?\b", re.IGNORECASE),
    ("equity", r"\bequity (?:stakes?|investments?)\b", re.IGNORECASE),
    ("concession", r"\b(?:concession agreements?|mining leases?|lease agreements?|lease grants?)\b", re.IGNORECASE),
    ("shipment", r"\b(?:first )?(?:shipments?|consignments?)\b", re.IGNORECASE),
    ("policy", r"\bminerals? polic(?:y|ies)\b", re.IGNORECASE),
    ("event", r"\b(?:minerals )?investment forum\b", re.IGNORECASE),
]]


def is_plural_cue(text: str) -> bool:
    last = text.split()[-1].lower()
    return "memoranda" in text.lower() or (last.endswith("s") and not last.endswith("ss"))


def find_agreement_cues(text: str) -> list[Mention]:
    """Agreement kinds from cue words. A plural cue ("joint ventures with local companies") speaks of
    agreements in general: it is kept as a mention but marked plural and proposes nothing."""
    out = []
    for kind, rx in KIND_CUES:
        for m in rx.finditer(text):
            plural = is_plural_cue(m.group(0))
            out.append(Mention("agreement_kind", m.group(0), m.start(), m.end(), kind, None, True,
                               "plural: agreements in general, no proposal" if plural else None))
    return out
