"""Precision and recall of an extraction against expected values, per mention kind.

Each kind is compared as a set of normalised keys per text: organisations by catalogue id (or lower-case
name when new), countries by ISO code, people by name (role phrases by the phrase), places by canonical
name, minerals and projects by id, dates by resolved partial ISO value (unresolved ones count as not
found), money by "amount currency", agreement kinds by kind (plural, general cues excluded)."""

from __future__ import annotations

from dataclasses import dataclass

from maadan.news.model import Extraction, Mention

KINDS = ("organisation", "country", "person", "place", "mineral", "project", "date", "money", "agreement_kind")


def key(m: Mention) -> str | None:
    if m.kind == "organisation":
        return m.linked if m.linked and m.linked != "new" else m.text.lower()
    if m.kind == "person":
        return (m.value.get("name") or m.value.get("role") or "").lower()
    if m.kind == "place":
        return m.value["name"]
    if m.kind == "date":
        return m.value if m.resolved else None
    if m.kind == "money":
        return f"{m.value['amount']:g} {m.value['currency']}" if m.value["currency"] else None
    if m.kind == "agreement_kind":
        return None if m.note else m.value
    return m.value


def found_keys(extraction: Extraction) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for m in extraction.mentions:
        k = key(m)
        if k is not None:
            out[m.kind].add(k)
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def score(pairs: list[tuple[Extraction, dict[str, list[str]]]]) -> dict[str, Score]:
    """Sum true/false positives and misses per kind over (extraction, expected) pairs."""
    total = {k: Score() for k in KINDS}
    for extraction, expected in pairs:
        found = found_keys(extraction)
        for k in KINDS:
            want = {str(v).lower() if k in ("person",) else str(v) for v in expected.get(k, [])}
            got = found[k]
            total[k].tp += len(got & want)
            total[k].fp += len(got - want)
            total[k].fn += len(want - got)
    return total


def misses(extraction: Extraction, expected: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """What was expected but not found, and found but not expected, per kind (for reading a score)."""
    found = found_keys(extraction)
    out = {}
    for k in KINDS:
        want = {str(v).lower() if k == "person" else str(v) for v in expected.get(k, [])}
        if want - found[k] or found[k] - want:
            out[k] = {"missed": sorted(want - found[k]), "extra": sorted(found[k] - want)}
    return out
