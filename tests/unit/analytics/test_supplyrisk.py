"""Expected disruption loss: the pure parts (docs/analytics.md §2b)."""

import pytest

from maadan.analytics import supplyrisk as sr


def test_spearman_matches_a_hand_computed_value_and_handles_ties():
    assert sr.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert sr.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # d = (0, -1, 1): rho = 1 - 6 * 2 / (3 * 8) = 0.5
    assert sr.spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert sr._ranks([5, 1, 5]).tolist() == [2.5, 1.0, 2.5]
    with pytest.raises(ValueError):
        sr.spearman([1, 2], [1, 2])


def test_likelihood_weights_restricting_partners():
    exp = [("China", 0.6), ("Canada", 0.3)]
    L = sr.likelihood(80, exp, {"china"}, 0.1, 0.1)  # 0.8 x (1 x 0.6 + 0.1 x 0.3 + 0.1 x 0.1)
    assert L == pytest.approx(0.8 * (0.6 + 0.03 + 0.01))
    assert sr.likelihood(0, exp, {"china"}, 0.1, 0.1) == 0.0


def test_bundled_tables_carry_sources():
    values = sr.load_values()
    assert values["copper"][0].value_musd == pytest.approx(1.8e6 * 420 * 22.0462262185 / 1e6, rel=1e-5)
    assert values["lithium"][0].value_musd is None  # withheld: not scored, not guessed
    assert all(v.source.startswith("USGS MCS 2025 data release") for vs in values.values() for v in vs)
    r = sr.load_restrictions()
    assert {x.mineral_id for x in r} >= {"gallium", "germanium", "antimony", "graphite", "dysprosium"}
    assert all(x.source for x in r)
    ranks = sr.load_usgs_rank()
    assert [u.mineral_id for u in ranks[:6]] == ["samarium", "rhodium", "lutetium", "terbium", "dysprosium",
                                                 "gallium"]
    assert sum(1 for u in ranks if u.rank) == 50 and ranks[50].route == "single point of failure"


def test_the_split_is_fixed_by_the_id():
    assert sr.half("copper") == sr.half("copper")
    halves = {sr.half(u.mineral_id) for u in sr.load_usgs_rank()}
    assert halves == {"train", "test"}


def test_list_auc_names_misses_and_false_alarms():
    a = sr.list_auc("x", {"a": ("A", 3.0), "b": ("B", 1.0), "c": ("C", 2.0)}, {"a", "b"})
    assert a.auc == pytest.approx(0.5) and a.missed == [("B", 1.0)] and a.false_alarms == [("C", 2.0)]
