"""Agreement kinds and events from cue words.

A singular cue ("a memorandum of understanding", "the loan", "a 15% stake") speaks of one agreement and
proposes it; a plural cue ("joint ventures with local companies") speaks of agreements in general and
proposes nothing, unless the text counts them or reports them done ("two MoUs", "MoUs were signed"):
then they are one proposal the reviewer may split. Events are a kind: a named forum, summit or conference
("Pakistan Minerals Investment Forum 2025", "C5+1 Leaders' Summit") with its name, "the forum" or "the
conference" referring back to one, and visits ("a delegation ... visiting Pakistan", "toured Pakistan")."""

from __future__ import annotations

import re

from maadan.news.model import Mention

KIND_CUES: list[tuple[str, re.Pattern]] = [(k, re.compile(p, f)) for k, p, f in [
    ("mou", r"\bmemorand(?:um|a|ums) of understanding\b|\bmemorandum\b", re.IGNORECASE),
    ("mou", r"\bM[Oo]Us?\b", 0),
    ("framework", r"\bframework agreements?\b|\b(?:critical )?minerals? (?:deal|agreement|accord|pact)s?\b|"
                  r"\b(?:economic|strategic|bilateral|minerals?) partnership (?:agreement|framework)s?\b|"
                  r"\b(?:bilateral|critical minerals|minerals|landmark|historic|new|joint|strategic|partnership) framework\b|"
                  r"\bFramework for\b|\bminerals?(?:-for-| and )security "
                  r"(?:deal|agreement|pact|partnership)\b|\bCritical Minerals Framework\b", re.IGNORECASE),
    ("joint_venture", r"\bjoint[- ]ventures?\b", re.IGNORECASE),
    ("joint_venture", r"\bJVs?\b", 0),
    ("offtake", r"\boff-?take(?: agreements?| deals?| contracts?)?\b", re.IGNORECASE),
    ("trade_deal", r"\btrade (?:deal|agreement|pact)s?\b", re.IGNORECASE),
    ("loan", r"\b(?:loans?|financing (?:agreements?|facilit(?:y|ies)|package)|credit facilit(?:y|ies)|"
             r"debt (?:package|financing)|project financing)\b", re.IGNORECASE),
    ("guarantee", r"\b(?:partial credit |loan |credit insurance )?guarantees?\b", re.IGNORECASE),
    ("equity", r"\bequity (?:stakes?|investments?|finance)\b|\bpreferred (?:stock|shares)\b|"
               r"\b(?:\d+(?:\.\d+)?\s?(?:%|percent|per cent|pc)|minority|majority|controlling|equity)\s+"
               r"(?:ownership\s+)?stakes?\b|\b(?:largest|biggest|major|single largest) shareholder\b|"
               r"\b\d[\d.,]*\s*(?:million|billion|bn|m)\s+(?:in\s+)?(?:new\s+)?equity\b|"
               r"\b(?:acquire|acquiring|take|taking|buy|buying|purchase|purchasing)\s+(?:up\s+to\s+)?an?\s+"
               r"(?:[\w%-]+\s+){0,2}?stake\b", re.IGNORECASE),
    ("concession", r"\b(?:concession agreements?|mining leases?|lease agreements?|lease grants?)\b", re.IGNORECASE),
    ("shipment", r"\b(?:first )?(?:shipments?|consignments?)\b|\bfirst (?:batch|delivery|cargo|export)\b",
     re.IGNORECASE),
    ("policy", r"\bminerals? polic(?:y|ies)\b|\bmining polic(?:y|ies)\b|\bpolicy reforms?\b", re.IGNORECASE),
]]
EVENT_NAME_RE = re.compile(
    r"(?P<name>(?:[A-Z][\w'’&+.-]*\s+){1,6}(?:Forum|Summit|Conference|Expo|Exhibition|Roadshow|Symposium|Dialogue|"
    r"Convention|Week|Show|Indaba|Meeting)(?![\w-])(?:\s+(?:20\d\d|\d{2}))?(?:\s+\([A-Z0-9-]{2,10}\))?)"
    r"(?!\s+(?:Centre|Center|Hall|Complex|on\b))")
EVENT_WORD_RE = re.compile(r"\b(?:the|a|an|this|that|two-day|three-day|annual|high-level|the\s+two-day)\s+"
                           r"(?:(?:two-day|three-day|annual|high-level|international|investment|business)\s+)*"
                           r"(?P<word>forum|summit|conference|expo|exhibition|roadshow|symposium)\b", re.IGNORECASE)
VISIT_RE = re.compile(r"\b(?:(?:state |official |working )?visit(?:ed|ing|s)?\b|toured\b|trip to\b|arrived in\b)",
                      re.IGNORECASE)
DELEGATION_RE = re.compile(r"\b(?:delegation|delegates|state guest|executives?|team)\b", re.IGNORECASE)
_COUNT_RE = re.compile(r"\b(?:two|three|four|five|2|3|4|5)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_THE_RE = re.compile(r"\b(?:the|these|both)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_DONE_RE = re.compile(r"\b(?:were|have been|had been)\s+(?:\w+\s+)?(?:signed|inked|sealed|concluded|reached)\b",
                      re.IGNORECASE)


def is_plural_cue(text: str) -> bool:
    low = text.lower()
    last = low.split()[-1]
    if "memoranda" in low or "memorandums" in low or last == "mous":
        return True
    return last.endswith("s") and not last.endswith(("ss", "us")) and last not in ("shares", "stock")


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    a = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos))
    b_candidates = [x for x in (text.find(". ", pos), text.find("\n", pos)) if x >= 0]
    return a + 1, (min(b_candidates) if b_candidates else len(text))


# Words one of which each cue pattern needs (lower case): a pattern is run only when the text has one.
_NEEDS = {"mou": ("memorand", "mou"), "framework": ("framework", "deal", "agreement", "accord", "pact", "security"),
          "joint_venture": ("joint", "jv"), "offtake": ("take",), "trade_deal": ("trade",),
          "loan": ("loan", "financ", "credit", "debt"), "guarantee": ("guarantee",),
          "equity": ("stake", "stock", "share", "equity"), "concession": ("concession", "lease"),
          "shipment": ("shipment", "consignment", "first "), "policy": ("polic",)}


def find_agreement_cues(text: str) -> list[Mention]:
    """Agreement kinds from cue words. A plural cue is marked so and proposes nothing, unless counted
    ("two MoUs") or reported done ("MoUs were signed")."""
    out = []
    low = text.lower()
    for kind, rx in KIND_CUES:
        if not any(w in low for w in _NEEDS[kind]):
            continue
        for m in rx.finditer(text):
            if kind == "equity" and re.search(r"\bat\s+$", text[max(0, m.start() - 4):m.start()]):
                continue  # "at stake"
            if kind == "guarantee" and re.search(r"\b(?:will|would|to|can|could|may|must|should|shall)\s+$",
                                                 text[max(0, m.start() - 8):m.start()]):
                continue  # "will guarantee a price floor": a verb
            if kind == "loan" and re.match(r"\s+(?:[a-z]+s|office|program|programme|portfolio|book|schedule|"
                                           r"application|officer|shark)\b", text[m.end():m.end() + 14]):
                continue  # "loan rollovers", "loan office": the word describes something else
            note = None
            if is_plural_cue(m.group(0)):
                s, e = _sentence_of(text, m.start())
                before = text[max(s, m.start() - 30):m.start()]
                if _COUNT_RE.search(before) or (_THE_RE.search(before) and _DONE_RE.search(text[s:e])):
                    note = "plural: the text reports several; the reviewer may split them"
                else:
                    note = "plural: agreements in general, no proposal"
            out.append(Mention("agreement_kind", m.group(0), m.start(), m.end(), kind, None, True, note))
    return out


def find_events(text: str, skip: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Events: a named forum/summit/conference (value "event", note with its name), "the forum" referring
    back to one, and delegation visits (a visit verb with a delegation in the same sentence)."""
    out = []
    for m in EVENT_NAME_RE.finditer(text):
        name = re.sub(r"^(?:The|A|An|At|In|On|During|Ahead of|Of)\s+", "", m["name"])
        start = m.start("name") + (len(m["name"]) - len(name))
        if len(name.split()) < 2 and "(" not in name:
            continue
        out.append(Mention("agreement_kind", name, start, start + len(name), "event", None, True, f"event: {name}"))
    for m in EVENT_WORD_RE.finditer(text):
        plural = m["word"].lower().endswith("s") and not m["word"].lower().endswith("ss")
        out.append(Mention("agreement_kind", m.group(0), m.start(), m.end(), "event", None, True,
                           "plural: events in general, no proposal" if plural else None))
    for m in VISIT_RE.finditer(text):
        s, e = _sentence_of(text, m.start())
        if DELEGATION_RE.search(text[s:e]):
            out.append(Mention("agreement_kind", m.group(0), m.start(), m.end(), "event", None, True, "a visit"))
    return out
