"""From mentions to proposed agreements, by sentence-level association.

A sentence with a singular agreement cue ("a memorandum of understanding", "the MoU", "a trade deal")
proposes an agreement of that kind. Its fields come from the same sentence: parties are the
organisations in it (not those quoted as a source, "according to a statement from the US embassy", nor
those that only introduce a person); when a proposal has no organisation, the governments of the
countries named in its sentences are the parties. The place is a known place after "at" or "in"; the
date is "signed" when the sentence says signed/inked/sealed, else "announced"; amounts, minerals,
projects and countries come along. Proposals of the same kind merge when their parties overlap or
one side names none. Every field keeps the spans that support it."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from maadan.news.gazetteer import PARTY_ROLE, load_gazetteer, normalise_name
from maadan.news.model import (
    Evidence,
    FieldProposal,
    Mention,
    ProjectReading,
    ProposedAgreement,
)

KIND_LABEL = {"mou": "MoU", "framework": "Framework agreement", "joint_venture": "Joint venture",
              "concession": "Concession", "offtake": "Offtake agreement", "loan": "Loan",
              "guarantee": "Guarantee", "equity": "Equity investment", "shipment": "Shipment",
              "trade_deal": "Trade deal", "policy": "Policy", "event": "Event"}
SIGNED_RE = re.compile(r"\b(?:signed|sign|signing|inked|sealed)\b", re.IGNORECASE)
STATUS_WORDS = [("signed", SIGNED_RE),
                ("approved", re.compile(r"\bapprov(?:ed|al)\b", re.IGNORECASE)),
                ("disbursed", re.compile(r"\bdisbursed\b", re.IGNORECASE)),
                ("announced", re.compile(r"\b(?:announced|unveiled|hailed|agreed|reached)\b", re.IGNORECASE))]
ATTRIBUTION_RE = re.compile(r"(?:according to|statement (?:from|by|of)|said by|reported by|quoted by|"
                            r"press release (?:from|by|of))\s+(?:(?:a|an|the)\s+)?(?:[\w']+\s+){0,3}$",
                            re.IGNORECASE)
PLACE_LEAD_RE = re.compile(r"\b(?:at|in)\s+(?:the\s+)?$", re.IGNORECASE)
OPERATOR_LEAD_RE = re.compile(r"\b(?:run|operated|owned|developed|led)\s+by\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
ANAPHORA_RE = re.compile(r"\bthe (province|region|district)\b", re.IGNORECASE)
_NEW_ORG_ROLE = [(re.compile(r"\bBank\b"), "lender"),
                 (re.compile(r"\b(?:Ministry|Department|Authority|Council|Agency|Commission|Embassy)\b"),
                  "government")]


def _ev(m: Mention) -> Evidence:
    return m.evidence


@dataclass
class _Draft:
    kind: str
    cues: list[Mention] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    parties: dict[str, tuple[dict, list[Evidence]]] = field(default_factory=dict)
    governments: dict[str, list[Evidence]] = field(default_factory=dict)
    countries: dict[str, list[Evidence]] = field(default_factory=dict)
    minerals: dict[str, list[Evidence]] = field(default_factory=dict)
    projects: dict[str, list[Evidence]] = field(default_factory=dict)
    places: dict[str, list[Evidence]] = field(default_factory=dict)
    dates: list[tuple[str, Mention]] = field(default_factory=list)
    amounts: list[Mention] = field(default_factory=list)
    status: dict[str, list[Evidence]] = field(default_factory=dict)

    def merge(self, other: "_Draft") -> None:
        self.cues += other.cues
        self.sentences += other.sentences
        for k, (v, ev) in other.parties.items():
            self.parties.setdefault(k, (v, []))[1].extend(ev)
        for name in ("governments", "countries", "minerals", "projects", "places", "status"):
            mine = getattr(self, name)
            for k, ev in getattr(other, name).items():
                mine.setdefault(k, []).extend(ev)
        self.dates += other.dates
        self.amounts += other.amounts


def _party(m: Mention) -> tuple[str, dict]:
    g = load_gazetteer()
    if m.linked and m.linked != "new":
        org = g.organisations[m.linked]
        return m.linked, {"name": org["name"], "organisation_id": m.linked, "role": PARTY_ROLE[org["kind"]],
                          "share": None}
    role = next((r for rx, r in _NEW_ORG_ROLE if rx.search(m.text)), "company")
    return m.text.lower(), {"name": m.text, "organisation_id": None, "role": role, "share": None}


_NOT_PARTY = ("affiliation of", "a news outlet", "cited as a source")
_GOVERNMENTAL = ("trade_deal", "framework")


def _nearest_cue_kind(m: Mention, all_cues: list[Mention]) -> str | None:
    if not all_cues:
        return None
    return min(all_cues, key=lambda c: min(abs(c.start - m.end), abs(m.start - c.end))).value


def _sentence_draft(kind: str, cues: list[Mention], text: str, span: tuple[int, int],
                    inside: list[Mention], all_cues: list[Mention] | None = None) -> _Draft:
    """The fields one sentence gives an agreement of `kind`. When the sentence holds cues of several kinds,
    an amount or a date goes to the kind whose cue is nearest to it, not to all of them."""
    g = load_gazetteer()
    d = _Draft(kind, cues=cues, sentences=[span])
    s_text = text[span[0]:span[1]]
    several = len({c.value for c in (all_cues or [])}) > 1
    for m in inside:
        before = text[span[0]:m.start].replace("’", "'")
        if several and m.kind in ("date", "money") and _nearest_cue_kind(m, all_cues) != kind:
            continue
        if m.kind == "organisation":
            if ATTRIBUTION_RE.search(before) or (m.note and any(x in m.note for x in _NOT_PARTY)):
                continue
            if kind in _GOVERNMENTAL and not _governmental(m):
                continue
            key, party = _party(m)
            d.parties.setdefault(key, (party, []))[1].append(_ev(m))
            country = g.organisations.get(m.linked or "", {}).get("country")
            if country:
                d.countries.setdefault(country, []).append(_ev(m))
        elif m.kind == "country":
            d.countries.setdefault(m.value, []).append(_ev(m))
            if m.note != "demonym":
                d.governments.setdefault(m.value, []).append(_ev(m))
        elif m.kind == "mineral":
            d.minerals.setdefault(m.value, []).append(_ev(m))
        elif m.kind == "project" and m.linked != "new":  # a project read by its form has no catalogue id
            d.projects.setdefault(m.value, []).append(_ev(m))
        elif m.kind == "place" and PLACE_LEAD_RE.search(before[-12:]):
            d.places.setdefault(m.value["name"], []).append(_ev(m))
        elif m.kind == "date":
            d.dates.append(("signed" if SIGNED_RE.search(s_text) else "announced", m))
        elif m.kind == "money":
            d.amounts.append(m)
    for status, rx in STATUS_WORDS:
        if (sm := rx.search(s_text)):
            d.status.setdefault(status, []).append(Evidence(sm.group(0), span[0] + sm.start(), span[0] + sm.end()))
            break
    return d


def _governmental(m: Mention) -> bool:
    """A government, ministry or agency: the parties of trade deals and frameworks between countries."""
    g = load_gazetteer()
    kind = g.organisations.get(m.linked or "", {}).get("kind")
    return kind in ("government", "agency") or bool(re.search(
        r"\b(?:Government|Ministry|Department|Treasury|Embassy|Commission|Cabinet)\b|^Government of ", str(m.value or m.text)))


def _event_name(d: _Draft) -> str | None:
    return next((c.note[len("event: "):] for c in d.cues if c.note and c.note.startswith("event: ")), None)


def _is_visit(d: _Draft) -> bool:
    return all(c.note == "a visit" for c in d.cues) and bool(d.cues)


def _can_merge(a: _Draft, b: _Draft) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "event":  # events merge by name; "the forum" joins the one named; visits join visits
        if _is_visit(a) != _is_visit(b):
            return False
        na, nb = _event_name(a), _event_name(b)
        return na is None or nb is None or normalise_name(na) == normalise_name(nb)
    return not a.parties or not b.parties or bool(set(a.parties) & set(b.parties))


def _title(d: _Draft, parties: list[dict]) -> str:
    if d.kind == "event" and _event_name(d):
        return _event_name(d)
    label = KIND_LABEL[d.kind]
    names = [p["name"] for p in parties]
    if len(names) >= 2:
        return f"{label} between {', '.join(names[:-1])} and {names[-1]}"
    if names:
        return f"{label} with {names[0]}"
    return label


def finish(d: _Draft, text: str, published: date | None, filename: str, publisher: str | None,
            url: str | None) -> ProposedAgreement:
    g = load_gazetteer()
    out = ProposedAgreement(d.kind)
    add = out.fields.append
    cue_ev = [_ev(c) for c in d.cues]
    parties = [(p, ev) for p, ev in d.parties.values()]
    if not parties:
        for code, ev in d.governments.items():
            c = g.countries[code]
            parties.append(({"name": c.name if not c.government_id else g.organisations[c.government_id]["name"],
                             "organisation_id": c.government_id, "role": "government", "share": None}, ev))
    add(FieldProposal("title", _title(d, [p for p, _ in parties]), cue_ev + [e for _, ev in parties for e in ev[:1]],
                      "built from the kind and the parties"))
    add(FieldProposal("kind", d.kind, cue_ev))
    for status, ev in list(d.status.items())[:1]:
        add(FieldProposal("status", status, ev))
    for p, ev in parties:
        note = None if d.parties else "no organisation named: the government of a country named in the sentence"
        add(FieldProposal("party", p, ev, note))
    for code, ev in d.countries.items():
        add(FieldProposal("country", code, ev))
    for mid, ev in d.minerals.items():
        add(FieldProposal("mineral", mid, ev, "the class, not a named mineral" if mid == "critical-minerals" else None))
    for pid, ev in d.projects.items():
        add(FieldProposal("project", pid, ev))
    for name, ev in list(d.places.items())[:1]:
        add(FieldProposal("place", name, ev))
    if d.dates:
        resolved = [(f, m) for f, m in d.dates if m.resolved]
        if resolved:
            fname, first = next(((f, m) for f, m in resolved if f == "signed"), resolved[0])
            others = sorted({m.value for _, m in resolved if m.value != first.value})
            add(FieldProposal(fname, first.value, [_ev(m) for _, m in resolved if m.value == first.value],
                              f"other dates in the same sentences: {', '.join(others)}" if others else first.note))
        else:
            fname, first = d.dates[0]
            add(FieldProposal(fname, None, [_ev(m) for _, m in d.dates], first.note))
    if d.amounts:
        m = d.amounts[0]
        add(FieldProposal("amount", dict(m.value), [_ev(m)], m.note))
    s0, s1 = d.sentences[0]
    add(FieldProposal("source", {"publisher": publisher or PurePath(filename).stem, "url": url,
                                 "date": published.isoformat() if published else None,
                                 "evidence": text[s0:s1]}, [Evidence(text[s0:s1], s0, s1)],
                      "publisher read from the page (HTML meta tags or the byline); URL from the HTML" if publisher else
                      "publisher not read from the text: the file name stands in; edit it"))
    add(FieldProposal("confidence", "medium", [], "rule-based reading; the reviewer may raise or lower it"))
    return out


def _project_readings(text: str, sentences: list[tuple[int, int]], by_sentence: list[list[Mention]],
                      all_mentions: list[Mention]) -> list[ProjectReading]:
    out: list[ProjectReading] = []
    seen: set[str] = set()
    for i, inside in enumerate(by_sentence):
        s0 = sentences[i][0]
        for p in (m for m in inside if m.kind == "project" and m.linked != "new" and m.value not in seen):
            seen.add(p.value)
            r = ProjectReading(p.value, _ev(p))
            orgs = [m for m in inside if m.kind == "organisation" and not (m.note and "affiliation" in m.note)]
            led = [m for m in orgs if OPERATOR_LEAD_RE.search(text[s0:m.start])]
            r.operators = [(m.linked if m.linked != "new" else m.text, _ev(m)) for m in (led or orgs)]
            r.minerals = [(m.value, _ev(m)) for m in inside if m.kind == "mineral" and m.value != "critical-minerals"]
            places = [m for m in inside if m.kind == "place"]
            if not places and (a := ANAPHORA_RE.search(text[s0:sentences[i][1]])):
                kind = a.group(1).lower()
                earlier = [m for m in all_mentions if m.kind == "place" and m.end <= s0
                           and m.value["kind"] == kind]
                places = earlier[-1:]
            r.places = [(m.value["name"], _ev(m)) for m in places]
            out.append(r)
    return out


_DEFINITE_RE = re.compile(r"\b(?:the|this|that|said|same)\s+(?:[\w$.,-]+\s+){0,3}$", re.IGNORECASE)
_ANAPHOR_RE = re.compile(r"\b(?:the|this|that)\s+(?:\w+\s+){0,2}(?:deal|agreement|accord|pact|partnership|arrangement|"
                         r"framework|financing|package|transaction|signing)\b", re.IGNORECASE)


def _same_paragraph(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    return "\n" not in text[a[1]:b[0]]


def _follow_up(drafts: list[_Draft], text: str, sentences: list[tuple[int, int]], i: int,
               inside: list[Mention]) -> None:
    """A sentence without a cue that refers back ("The deal was signed at ... between A and B", "the agreement
    ... worth $500 million") adds what it says to the latest agreement: an agreement's parties, date and
    amount may be spread over a paragraph."""
    if not drafts or not _ANAPHOR_RE.search(text[sentences[i][0]:sentences[i][1]]):
        return
    target = drafts[-1]
    d = _sentence_draft(target.kind, [], text, sentences[i], inside)
    d.cues = []
    target.merge(d)


def propose(text: str, sentences: list[tuple[int, int]], mentions: list[Mention], published: date | None,
            filename: str, *, publisher: str | None = None,
            url: str | None = None) -> tuple[list[ProposedAgreement], list[ProjectReading]]:
    starts = [s for s, _ in sentences]
    by_sentence: list[list[Mention]] = [[] for _ in sentences]
    for m in mentions:
        i = max(0, bisect.bisect_right(starts, m.start) - 1)
        by_sentence[i].append(m)
    drafts: list[_Draft] = []
    for i, inside in enumerate(by_sentence):
        cues: dict[str, list[Mention]] = {}
        for m in inside:
            if m.kind == "agreement_kind" and not (m.note and m.note.endswith("no proposal")):
                cues.setdefault(m.value, []).append(m)
        all_cues = [c for cs in cues.values() for c in cs]
        if not cues:
            _follow_up(drafts, text, sentences, i, inside)
            continue
        for kind, cue_list in cues.items():
            d = _sentence_draft(kind, cue_list, text, sentences[i], inside, all_cues)
            if not d.parties and i and _same_paragraph(text, sentences[i - 1], sentences[i]):
                prev = by_sentence[i - 1]
                if not any(m.kind == "agreement_kind" and m.value != kind for m in prev):
                    carried = _sentence_draft(kind, [], text, sentences[i - 1], [
                        m for m in prev if m.kind in ("organisation",) + (("country",) if kind in _GOVERNMENTAL else ())])
                    d.parties, d.governments = carried.parties, carried.governments or d.governments
            definite = any(_DEFINITE_RE.search(text[max(sentences[i][0], c.start - 12):c.start]) for c in cue_list)
            same_kind = [x for x in drafts if x.kind == kind]
            target = same_kind[-1] if definite and same_kind else next((x for x in same_kind if _can_merge(x, d)), None)
            if target:
                target.merge(d)
            else:
                drafts.append(d)
    agreements = [finish(d, text, published, filename, publisher, url) for d in drafts]
    return agreements, _project_readings(text, sentences, by_sentence, mentions)
