"""Precision and recall of the news reader on real articles: the annotated evaluation set.

The texts are not in the repository (copyright). `bench/data/news-eval/*.json` hold, per article, its
address, publication date, the SHA-256 of its text and the values a reader expects; DIR holds the texts
under the annotated file names. A missing text, or one whose hash differs from the annotation, is named
and skipped. Scores are printed per kind, the tuning and the held-out split separately (never pooled).

Matching, per text (every kind is a set; an entity counts once however often it is named):
- organisations, people, places, projects: a found mention matches an expected entity when its
  normalised text (or, once linked, its catalogue name or id) is one of the entity's names;
  found names matching nothing are wrong; expected entities no mention matches are missed;
- people also score their role (the expected role's words all in the found role, or the reverse) and
  affiliation (the same organisation or country), over the people both found and annotated with one;
- countries, minerals, dates, money (amount and currency), percentages: equal values;
- agreement kinds: the kinds of the proposed agreements;
- agreements: a proposal matches an expected agreement of its kind sharing a party (or, when the
  annotation names none, the first of its kind); matched pairs score their parties, date and amount;
- publication date and publisher read from the text alone (no `--published`), against the texts whose
  annotation says the text states them.

The splits, never pooled: `tuning` (rules were written reading these), `held-out` (annotated before the
pipeline first ran on them; read once the rules of 2026-12-03 were done), `held-out-2` (14 further
articles gathered and annotated, every kind but `agreements`, after that reading and before the pipeline
ever ran on them; read after its blind run, and rules of 2026-12-04 were written from its kinds of error)
and `held-out-3` (14 further articles gathered and annotated the same way on 2026-12-04, before the
pipeline ran on them and before those rules; the agreement rows are not scored on the last two);
`held-out-6` (dev) and `held-out-7` (blind), 21 articles split at random (seed 20261206) and annotated the
same way before any run: rules may be written from held-out-6's misses, never from held-out-7's.
`held-out-8` (dev) and `held-out-9` (blind), 20 articles split at random (seed 20261208) and annotated the
same way before any run: rules may be written from held-out-8's misses, never from held-out-9's.
`held-out-10` (dev) and `held-out-11` (blind), 20 articles split at random (seed 20261209) and annotated the
same way before any run: rules may be written from held-out-10's misses, never from held-out-11's.

`held-out-4` and `held-out-5` (20 further articles gathered and annotated on 2026-12-04 and split at random,
seed 20261204, before the pipeline ran on them): held-out-4 is the development set rules of round 5 were written
from, held-out-5 the blind set, scored once before and once after those rules.

Usage: .venv/bin/python bench/news_eval.py DIR [--split NAME|all] [--misses]   (misses of tuning, held-out-4, -6, -8, -10)
       [--misses-held-out]   (the other held-out misses: for reading the final run, never for writing rules)"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from maadan.news.evaluate import (
    Score,  # the same counts (tp, fp, fn) as the synthetic benchmark
)

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "bench" / "data" / "news-eval"
SPLITS = ("tuning", "held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7",
          "held-out-8", "held-out-9", "held-out-10", "held-out-11")
TUNABLE = ("tuning", "held-out-4", "held-out-6", "held-out-8", "held-out-10")  # the sets whose misses rules may be written from
KINDS = ("organisation", "person", "person role", "person affiliation", "place", "country", "mineral",
         "project", "date", "money", "percentage", "agreement_kind", "agreement", "agreement parties",
         "agreement date", "agreement amount", "published (from text)", "publisher (from text)")


def _add(total: Score, other: Score) -> None:
    total.tp, total.fp, total.fn = total.tp + other.tp, total.fp + other.fp, total.fn + other.fn


@dataclass
class TextResult:
    file: str
    scores: dict[str, Score] = field(default_factory=dict)
    misses: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def norm(name: str | None) -> str:
    """Lower-case words without accents, punctuation, "the" or possessives, "U.S." as "us"."""
    if not name:
        return ""
    name = unicodedata.normalize("NFKD", name.replace("’", "'")).encode("ascii", "ignore").decode()
    name = re.sub(r"\bU\.\s?S\.(?:\s?A\.)?", "US", name)
    name = re.sub(r"'s\b", "", name).lower()
    name = re.sub(r"\borganization\b", "organisation", name)
    return " ".join(w for w in re.sub(r"[^\w&]+", " ", name).split() if w not in {"the", "pvt", "private"})


def _role_words(role: str | None) -> set[str]:
    return set(norm(role).split()) - {"of", "and", "for", "the", "a", "us", "pakistan"}


def roles_agree(expected: str, found: str | None) -> bool:
    a, b = _role_words(expected), _role_words(found)
    return bool(a and b) and (a <= b or b <= a)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


class Catalogue:
    """What the matcher needs from the gazetteer: organisation and project names by id, countries."""

    def __init__(self) -> None:
        from maadan.news.gazetteer import load_gazetteer

        g = load_gazetteer()
        self.org_names = {i: {norm(o["name"])} for i, o in g.organisations.items()}
        for e in g.entries:
            if e.kind == "organisation":
                self.org_names[e.id].add(norm(e.phrase))
        self.org_country = {i: o.get("country") for i, o in g.organisations.items()}
        self.org_kind = {i: o.get("kind") for i, o in g.organisations.items()}
        self.project_names = {i: {norm(n)} for i, n in g.projects.items()}
        for e in g.entries:
            if e.kind == "project":
                self.project_names.setdefault(e.id, set()).add(norm(e.phrase))
        self.country_names = {c: norm(k.name) for c, k in g.countries.items()}


def _mention_names(m, cat: Catalogue, kind: str) -> set[str]:
    names = {norm(m.text)}
    value = m.value
    if kind == "organisation":
        if m.linked and m.linked != "new":
            names |= cat.org_names.get(m.linked, set()) | {m.linked}
        if isinstance(value, str):
            names.add(norm(value))
    elif kind == "person":
        names = {norm((value or {}).get("name"))} - {""}
    elif kind == "place":
        names.add(norm(value["name"]) if isinstance(value, dict) else norm(str(value)))
    elif kind == "project":
        names |= cat.project_names.get(str(value), set()) | {str(value)}
    return names - {""}


def _entities(found, expected: list[dict], cat: Catalogue, kind: str, misses: dict) -> tuple[Score, dict]:
    """Entity-level score; returns the score and, per expected index, the mentions that matched it."""
    wanted = [{norm(n) for n in e["names"]} for e in expected]
    matched: dict[int, list] = {}
    wrong: set[str] = set()
    for m in found:
        names = _mention_names(m, cat, kind)
        if not names:
            continue
        hits = [i for i, w in enumerate(wanted) if names & w]
        for i in hits:
            matched.setdefault(i, []).append(m)
        if not hits:
            wrong.add(sorted(names, key=len)[-1] if kind != "organisation" or not m.linked or m.linked == "new"
                      else m.linked)
    s = Score(tp=len(matched), fp=len(wrong), fn=len(expected) - len(matched))
    missed = [expected[i]["names"][0] for i in range(len(expected)) if i not in matched]
    if missed or wrong:
        misses[kind] = {"missed": missed, "wrong": sorted(wrong)}
    return s, matched


def _values(found: set, want: set, kind: str, misses: dict) -> Score:
    if want - found or found - want:
        misses[kind] = {"missed": sorted(map(str, want - found)), "wrong": sorted(map(str, found - want))}
    return Score(len(found & want), len(found - want), len(want - found))


def _money_key(amount: float, currency: str) -> str:
    return f"{amount:.6g} {currency}"


def _affiliation_ok(expected: str, found, article_orgs: list[dict], cat: Catalogue) -> bool:
    if found is None:
        return False
    if isinstance(found, dict):
        found = found.get("name") or found.get("id")
    found = str(found)
    if re.fullmatch(r"[A-Z]{2}", expected):
        return found == expected or cat.org_country.get(found) == expected
    names = {norm(expected)}
    for e in article_orgs:
        if norm(expected) in {norm(n) for n in e["names"]}:
            names |= {norm(n) for n in e["names"]}
    return bool(({norm(found)} | cat.org_names.get(found, set())) & names)


def _party_names(party: dict, cat: Catalogue) -> set[str]:
    names = {norm(party.get("name"))}
    oid = party.get("organisation_id")
    if oid:
        names |= cat.org_names.get(oid, set()) | {oid}
        if cat.org_kind.get(oid) == "government" and cat.org_country.get(oid):
            names.add(cat.org_country[oid].lower())
    return names - {""}


def _expected_party_names(name: str, article_orgs: list[dict], cat: Catalogue) -> set[str]:
    if re.fullmatch(r"[A-Z]{2}", name):
        country = cat.country_names.get(name, name.lower())
        return {name.lower(), country, f"government of {country}", f"{country} government"}
    names = {norm(name)}
    for e in article_orgs:
        if norm(name) in {norm(n) for n in e["names"]}:
            names |= {norm(n) for n in e["names"]}
    return names


def _agreements(extraction, expected: list[dict], article_orgs: list[dict], cat: Catalogue,
                misses: dict) -> dict[str, Score]:
    props = []
    for a in extraction.agreements:
        fields: dict[str, list] = {}
        for f in a.fields:
            fields.setdefault(f.field, []).append(f.value)
        props.append((a.kind, fields))
    out = {k: Score() for k in ("agreement", "agreement parties", "agreement date", "agreement amount")}
    used: set[int] = set()
    missed = []
    for exp in expected:
        want = [_expected_party_names(p, article_orgs, cat) for p in exp["parties"]]
        best, best_overlap = None, -1
        for i, (kind, fields) in enumerate(props):
            if i in used or kind != exp["kind"]:
                continue
            found = [_party_names(p, cat) for p in fields.get("party", []) if isinstance(p, dict)]
            overlap = sum(1 for w in want if any(w & f for f in found))
            if (overlap > best_overlap and (overlap or not want)) or (best is None and not want):
                best, best_overlap = i, overlap
        if best is None:
            out["agreement"].fn += 1
            missed.append(f"{exp['kind']} {'/'.join(exp['parties'])}")
            continue
        used.add(best)
        out["agreement"].tp += 1
        fields = props[best][1]
        found = [_party_names(p, cat) for p in fields.get("party", []) if isinstance(p, dict)]
        hit = sum(1 for w in want if any(w & f for f in found))
        extra = sum(1 for f in found if not any(w & f for w in want))
        _add(out["agreement parties"], Score(hit, extra, len(want) - hit))
        if exp.get("date"):
            values = fields.get("signed", []) + fields.get("announced", [])
            ok = exp["date"] in values
            _add(out["agreement date"], Score(int(ok), int(bool(values) and not ok), int(not ok)))
        if exp.get("amount"):
            values = [v for v in fields.get("amount", []) if isinstance(v, dict)]
            ok = any(v.get("currency") == exp["amount"]["currency"] and v.get("amount") is not None
                     and _close(v["amount"], exp["amount"]["amount"]) for v in values)
            _add(out["agreement amount"], Score(int(ok), int(bool(values) and not ok), int(not ok)))
    out["agreement"].fp = len(props) - len(used)
    extra = [f"{props[i][0]}" for i in range(len(props)) if i not in used]
    if missed or extra:
        misses["agreement"] = {"missed": missed, "wrong": extra}
    return out


def score_text(extraction, expected: dict, cat: Catalogue) -> TextResult:
    """Every kind's score for one text (see the module docstring for the matching)."""
    r = TextResult("")
    by_kind: dict[str, list] = {}
    for m in extraction.mentions:
        by_kind.setdefault(m.kind, []).append(m)
    for kind in ("organisation", "place", "project"):
        r.scores[kind], _ = _entities(by_kind.get(kind, []), expected.get(kind, []), cat, kind, r.misses)
    people = [m for m in by_kind.get("person", []) if (m.value or {}).get("name")]
    r.scores["person"], matched = _entities(people, expected.get("person", []), cat, "person", r.misses)
    role, aff = Score(), Score()
    for i, e in enumerate(expected.get("person", [])):
        found = matched.get(i, [])
        if e.get("role"):
            ok = any(roles_agree(e["role"], (m.value or {}).get("role")) for m in found)
            said = any((m.value or {}).get("role") for m in found)
            _add(role, Score(int(ok), int(said and not ok), int(not ok)))
        if e.get("affiliation"):
            values = [(m.value or {}).get("affiliation") for m in found if (m.value or {}).get("affiliation")]
            ok = any(_affiliation_ok(e["affiliation"], v, expected.get("organisation", []), cat) for v in values)
            _add(aff, Score(int(ok), int(bool(values) and not ok), int(not ok)))
            if not ok:
                r.misses.setdefault("person affiliation", {"missed": [], "wrong": []})
                r.misses["person affiliation"]["missed"].append(f"{e['names'][0]}: {e['affiliation']}")
                r.misses["person affiliation"]["wrong"] += [f"{e['names'][0]}: {v}" for v in values]
    r.scores["person role"], r.scores["person affiliation"] = role, aff
    r.scores["country"] = _values({m.value for m in by_kind.get("country", [])}, set(expected.get("country", [])),
                                  "country", r.misses)
    r.scores["mineral"] = _values({m.value for m in by_kind.get("mineral", [])}, set(expected.get("mineral", [])),
                                  "mineral", r.misses)
    r.scores["date"] = _values({m.value for m in by_kind.get("date", []) if m.resolved and m.value},
                               set(expected.get("date", [])), "date", r.misses)
    r.scores["money"] = _values(
        {_money_key(m.value["amount"], m.value["currency"]) for m in by_kind.get("money", [])
         if isinstance(m.value, dict) and m.value.get("currency") and m.value.get("amount") is not None},
        {_money_key(x["amount"], x["currency"]) for x in expected.get("money", [])}, "money", r.misses)
    r.scores["percentage"] = _values(
        {f"{float(m.value['value']):g}" for m in by_kind.get("percentage", []) if isinstance(m.value, dict)},
        {f"{float(x):g}" for x in expected.get("percentage", [])}, "percentage", r.misses)
    r.scores["agreement_kind"] = _values({a.kind for a in extraction.agreements},
                                         set(expected.get("agreement_kind", [])), "agreement_kind", r.misses)
    if "agreements" in expected:  # the second held-out set annotates no agreements: not scored there
        r.scores.update(_agreements(extraction, expected["agreements"], expected.get("organisation", []),
                                    cat, r.misses))
    return r


def _published_score(doc, note: dict, r: TextResult) -> None:
    states_date = note["published_basis"].startswith("text")
    found = doc.published.isoformat() if doc.published else None
    want = note["published"] if states_date else None
    s = Score(int(bool(want) and found == want), int(bool(found) and found != want), int(bool(want) and found != want))
    r.scores["published (from text)"] = s
    if s.fp or s.fn:
        r.misses["published (from text)"] = {"missed": [want] if want else [], "wrong": [found] if found else []}
    pub = getattr(doc, "publisher", None)
    want_pub = note.get("publisher_in_text")
    ok = bool(want_pub) and norm(pub) == norm(want_pub)
    r.scores["publisher (from text)"] = Score(int(ok), int(bool(pub) and not ok), int(bool(want_pub) and not ok))
    if bool(pub) != ok or (want_pub and not ok):
        r.misses["publisher (from text)"] = {"missed": [want_pub] if want_pub else [], "wrong": [pub] if pub else []}


def load_annotations(directory: Path = ANNOTATIONS) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def evaluate(texts: Path, notes: list[dict], *, log=print) -> tuple[list[tuple[dict, TextResult]], float]:
    """Read and score every annotated text found (and matching its hash) in `texts`; returns the results and
    the seconds spent in extraction."""
    from maadan.news.document import read_document
    from maadan.news.pipeline import extract

    cat = Catalogue()
    out, spent = [], 0.0
    for note in notes:
        path = texts / note["file"]
        if not path.is_file():
            log(f"skipped {note['file']}: not in {texts}")
            continue
        raw = path.read_bytes()
        published = date.fromisoformat(note["published"]) if note.get("published") else None
        doc = read_document(raw, note["file"], published)
        if text_hash(doc.text) != note["sha256"]:
            log(f"skipped {note['file']}: its SHA-256 differs from the annotation (another version of the text)")
            continue
        t = time.perf_counter()
        extraction = extract(doc.text, doc.published, filename=note["file"], publisher=doc.publisher, url=doc.url)
        spent += time.perf_counter() - t
        r = score_text(extraction, note["expected"], cat)
        r.file = note["file"]
        _published_score(read_document(raw, note["file"]), note, r)
        out.append((note, r))
    return out, spent


def total(results: list[TextResult]) -> dict[str, Score]:
    t = {k: Score() for k in KINDS}
    for r in results:
        for k, s in r.scores.items():
            _add(t[k], s)
    return t


def table(title: str, scores: dict[str, Score]) -> str:
    lines = [f"\n{title}\n", "| kind | right | wrong | missed | precision | recall |", "|---|---:|---:|---:|---:|---:|"]
    for k in KINDS:
        s = scores[k]
        p = "—" if s.precision is None else f"{s.precision:.2f}"
        r = "—" if s.recall is None else f"{s.recall:.2f}"
        lines.append(f"| {k} | {s.tp} | {s.fp} | {s.fn} | {p} | {r} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("texts", type=Path, help="folder holding the article texts under their annotated names")
    ap.add_argument("--split", choices=SPLITS + ("all",), default="all")
    ap.add_argument("--misses", action="store_true", help="per-text misses of the sets rules may be written from "
                    "(tuning, held-out-4)")
    ap.add_argument("--misses-held-out", action="store_true", help="per-text misses of the other held-out splits")
    args = ap.parse_args(argv)
    if not args.texts.is_dir():
        print(f"{args.texts}: not a folder", file=sys.stderr)
        return 2
    notes = load_annotations()
    splits = SPLITS if args.split == "all" else (args.split,)
    for split in splits:
        chosen = [n for n in notes if n["split"] == split]
        results, spent = evaluate(args.texts, chosen)
        words = statistics.median(n["characters"] for n in chosen) if chosen else 0
        print(table(f"{split} set: {len(results)} of {len(chosen)} texts scored (median {words:.0f} characters; "
                    f"extraction {len(results) / spent if spent else 0:.0f} texts/s)",
                    total([r for _, r in results])))
        if (split in TUNABLE and args.misses) or (split not in TUNABLE and args.misses_held_out):
            for note, r in results:
                if r.misses:
                    print(f"\n{note['file']}")
                    for k, v in r.misses.items():
                        print(f"  {k}: missed {v['missed']} wrong {v['wrong']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
