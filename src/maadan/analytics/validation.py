"""How well a score separates an official critical-minerals list from the rest (docs/analytics.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from maadan.errors import InvalidInput


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Mann-Whitney AUC: P(score of a random positive > that of a random negative), ties count 1/2."""
    if not positives or not negatives:
        raise InvalidInput(f"ROC AUC needs both classes: {len(positives)} critical, {len(negatives)} not critical")
    # Rank-sum form (average ranks for ties): O(n log n), exact.
    pooled = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    rank_sum, i = 0.0, 0
    while i < len(pooled):
        j = i
        while j < len(pooled) and pooled[j][0] == pooled[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2.0  # ranks are 1-based: i+1 .. j
        rank_sum += avg_rank * sum(1 for k in range(i, j) if pooled[k][1] == 1)
        i = j
    n1, n0 = len(positives), len(negatives)
    u = rank_sum - n1 * (n1 + 1) / 2.0
    return u / (n1 * n0)


def descendants(parents: Mapping[str, str | None], root: str) -> set[str]:
    """`root` and every mineral whose chain of groups leads to it."""
    out = {root}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in out and child not in out:
                out.add(child)
                changed = True
    return out


@dataclass
class Scored:
    mineral_id: str
    name: str
    score: float
    critical: bool
    via: str | None = None  # the listed member that makes a group critical


@dataclass
class ValidationReport:
    score_name: str
    method: str
    list_id: str
    auc: float
    n_critical: int
    n_other: int
    items: list[Scored]  # highest score first
    false_negatives: list[Scored] = field(default_factory=list)  # critical, outside the top k
    false_positives: list[Scored] = field(default_factory=list)  # not critical, inside the top k
    unscored_critical: list[str] = field(default_factory=list)  # listed minerals with no score here


def validate(scores: Mapping[str, tuple[str, float]], listed: set[str], parents: Mapping[str, str | None], *,
             score_name: str, method: str, list_id: str) -> ValidationReport:
    """AUC of `scores` (id -> (name, score)) against `listed` ids; groups count as listed via members."""
    items = []
    covered: set[str] = set()
    for mid, (name, score) in scores.items():
        members = descendants(parents, mid)
        hits = sorted(members & listed)
        covered |= members & listed
        via = None if mid in listed or not hits else ", ".join(hits[:3]) + ("…" if len(hits) > 3 else "")
        items.append(Scored(mid, name, score, bool(hits), via))
    items.sort(key=lambda s: (-s.score, s.name))
    pos = [s.score for s in items if s.critical]
    neg = [s.score for s in items if not s.critical]
    auc = roc_auc(pos, neg)
    k = len(pos)
    threshold = items[k - 1].score if k else float("inf")
    top = [s for s in items if s.score >= threshold]
    return ValidationReport(
        score_name=score_name, method=method, list_id=list_id, auc=auc, n_critical=len(pos), n_other=len(neg),
        items=items,
        false_negatives=[s for s in items if s.critical and s.score < threshold],
        false_positives=[s for s in top if not s.critical],
        unscored_critical=sorted(listed - covered),
    )
