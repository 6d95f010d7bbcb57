import itertools
import random

import pytest

from maadan.analytics.validation import descendants, roc_auc, validate
from maadan.errors import InvalidInput


def brute_auc(pos, neg):
    pairs = list(itertools.product(pos, neg))
    return sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)


def test_auc_extremes_and_ties():
    assert roc_auc([3, 4], [1, 2]) == 1.0
    assert roc_auc([1, 2], [3, 4]) == 0.0
    assert roc_auc([1, 1], [1, 1]) == 0.5
    assert roc_auc([0.9, 0.4, 0.4], [0.4, 0.1]) == pytest.approx(brute_auc([0.9, 0.4, 0.4], [0.4, 0.1]))


def test_auc_matches_pairwise_definition():
    rng = random.Random(7)
    for _ in range(50):
        pos = [rng.choice([0.0, 0.1, 0.5, 0.7, 1.0, rng.random()]) for _ in range(rng.randint(1, 12))]
        neg = [rng.choice([0.0, 0.1, 0.5, rng.random()]) for _ in range(rng.randint(1, 12))]
        assert roc_auc(pos, neg) == pytest.approx(brute_auc(pos, neg))


def test_auc_needs_both_classes():
    with pytest.raises(InvalidInput, match="both classes"):
        roc_auc([1.0], [])


def test_groups_are_critical_through_members():
    parents = {"rare-earths": None, "light": "rare-earths", "cerium": "light", "gold": None}
    assert descendants(parents, "rare-earths") == {"rare-earths", "light", "cerium"}
    rep = validate({"rare-earths": ("REE", 0.4), "gold": ("Gold", 0.0), "tin": ("Tin", 0.5)},
                   {"cerium", "tin", "scandium"}, parents, score_name="s", method="m", list_id="l")
    assert rep.auc == 1.0 and (rep.n_critical, rep.n_other) == (2, 1)
    assert rep.items[1].via == "cerium"
    assert rep.unscored_critical == ["scandium"]


def test_misranked_are_named():
    rep = validate({"a": ("A", 0.9), "b": ("B", 0.8), "c": ("C", 0.7), "d": ("D", 0.1)}, {"a", "c", "d"}, {},
                   score_name="s", method="m", list_id="l")
    assert [s.mineral_id for s in rep.false_positives] == ["b"]
    assert [s.mineral_id for s in rep.false_negatives] == ["d"]
    assert rep.auc == pytest.approx(1 / 3)  # of (a,b), (c,b), (d,b) only a beats b
