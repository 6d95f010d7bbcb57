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


# --- disruption shortfall (docs/analytics.md §2c) ---

from maadan.analytics.criticality import ImportConcentration, MineralRisk, Reliance  # noqa: E402


def _risk(mid="x", nir=80.0, shares=(("China", 60.0), ("Canada", 30.0)), other=10.0):
    rel = Reliance(nir, f"{nir:g}", False, False, "MCS 2025", 2024, "Fig. 2: X", True, "USGS MCS 2025, figure 2")
    imp = ImportConcentration("MCS 2026", "2021-2024", "Total", list(shares), other, 0.0, True, "MCS 2026 chapter")
    return MineralRisk(mid, mid.title(), None, None, rel, imp)


def test_shortfall_is_convex_in_the_share_lost_and_ignores_the_small_rest():
    exp = [("China", 0.6), ("Canada", 0.3)]
    # k = 2: 1 x (0.8 x 0.6)^2 + 0.1 x (0.8 x 0.3)^2; the 10 % 'Other' adds nothing
    assert sr.shortfall(80, exp, {"china"}, 0.1, 0.1, 2) == pytest.approx(0.48 ** 2 + 0.1 * 0.24 ** 2)
    # k = 1 is §2b's likelihood, the rest counted at p_0
    assert sr.shortfall(80, exp, {"china"}, 0.1, 0.1, 1) == pytest.approx(sr.likelihood(80, exp, {"china"}, 0.1, 0.1))
    assert sr.shortfall(0, exp, {"china"}, 0.1, 0.1) == 0.0
    # one supplier of everything outranks the same imports split in two, at the same partner risk
    assert sr.shortfall(100, [("Brazil", 1.0)], set(), 0.1, 0) > sr.shortfall(100, [("A", .5), ("B", .5)], set(), .1, 0)
    assert sr.shortfall(100, [("Hong Kong", 0.5)], {"china"}, 0.1, 0) == pytest.approx(0.25)  # Hong Kong is China


def test_score_shortfall_keeps_the_consequence_beside_and_names_what_is_missing():
    v = sr.Value("x", "", 1000.0, 2.0, 2.0, "", "USGS MCS 2025 data release, x")
    rx = [sr.Restriction("China", "x", "ban", "2025-01-01", "src")]
    s = sr.score_shortfall(_risk(), [v], rx, withheld=True)
    assert s.score == pytest.approx(0.48 ** 2 + 0.1 * 0.24 ** 2)
    assert s.usd_musd == pytest.approx(s.score * 2.0) and s.value_musd == 2.0
    assert (s.top_partner, s.top_share, s.restricted_share) == ("China", 0.6, 0.6)
    assert s.restricted_by == ["china"] and s.possible_single_producer
    assert "USGS MCS 2025, figure 2" in s.sources and "MCS 2026 chapter" in s.sources
    # consumption unknown: D is still known, D x V is not, and nothing is filled in
    u = sr.score_shortfall(_risk(), [], rx, withheld=False)
    assert u.score == pytest.approx(s.score) and u.usd_musd is None and u.value_musd is None
    # no reliance: unknown, and said so
    none = sr.score_shortfall(MineralRisk("y", "Y", None, None, None, None), [], [], withheld=False)
    assert none.score is None and set(none.missing) == {"US net import reliance",
                                                        "US import shares or world production by country"}


def test_drivers_name_the_input_pulling_in_the_direction_of_the_error():
    scores = {"a": ("A", 3.0), "b": ("B", 2.0), "c": ("C", 1.0)}
    usgs = [sr.UsgsRank(1, "c", "economic effects", ""), sr.UsgsRank(2, "b", "economic effects", ""),
            sr.UsgsRank(3, "a", "economic effects", "")]
    check = sr.rank_check("x", scores, usgs)
    assert check.rho == pytest.approx(-1.0)
    comp = {"a": {"reliance": 10.0, "value": 900.0}, "b": {"reliance": 50.0, "value": 50.0},
            "c": {"reliance": 90.0, "value": 1.0}}
    by = {d.mineral_id: d for d in sr.drivers(check, comp)}
    assert set(by) == {"a", "c"}  # b sits where the USGS puts it
    # a is ranked too high (1st, USGS 3rd): its riskiest input is its value (1st of 3)
    assert (by["a"].driver, by["a"].driver_rank, by["a"].of) == ("value", 1, 3)
    # c is ranked too low (3rd, USGS 1st): its least risky input is its value (3rd of 3)
    assert (by["c"].driver, by["c"].driver_rank) == ("value", 3)


def test_variant_partner_risk_and_spare_capacity_change_only_what_they_name():
    exp = [("China", 0.6), ("Canada", 0.3)]
    base = sr.shortfall(80, exp, set(), 0.1, 0.1, 2)
    # V1: China (not restricting) at 0.3, Canada stays at p_0
    assert sr.shortfall(80, exp, set(), 0.1, 0.1, 2, {"china": 0.3}) == pytest.approx(
        0.3 * 0.48 ** 2 + 0.1 * 0.24 ** 2)
    # a restricting China keeps p = 1 whatever V1 says
    assert sr.shortfall(80, exp, {"china"}, 0.1, 0.1, 2, {"china": 0.3}) == pytest.approx(
        sr.shortfall(80, exp, {"china"}, 0.1, 0.1, 2))
    # V2: each partner's shortfall times its world share; a partner missing from the world table counts 1
    assert sr.shortfall(80, exp, set(), 0.1, 0.1, 2, world={"china": 0.5}) == pytest.approx(
        0.1 * (0.48 * 0.5) ** 2 + 0.1 * 0.24 ** 2)
    assert sr.shortfall(80, exp, set(), 0.1, 0.1, 2, world={}) == pytest.approx(base)


def test_variant_stages_take_the_upstream_score_and_consequence_needs_a_known_value():
    scores = {"aluminum": ("Aluminum", 0.007), "bauxite": ("Bauxite", 0.015), "titanium": ("Titanium", 0.05),
              "titanium-mineral-concentrates": ("Ti conc.", 0.02), "magnesium": ("Magnesium", 0.07)}
    up = sr.with_upstream(scores)
    assert up["aluminum"] == ("Aluminum", 0.015) and up["titanium"] == ("Titanium", 0.05)
    assert up["magnesium"] == ("Magnesium", 0.07)  # upstream not scored: unchanged
    assert "iron-and-steel" not in up  # unknown stays unknown
    v = sr.Value("x", "", 1000.0, 2.0, 4.0, "", "src")
    known = sr.score_shortfall(_risk(), [v], [], withheld=False)
    unknown = sr.score_shortfall(_risk("y"), [], [], withheld=False)
    d = sr.damped_consequence([known, unknown])
    assert set(d) == {"x"} and d["x"][1] == pytest.approx(known.score * 2.0)  # 4 ** 0.5


def test_variant_origin_keeps_the_larger_score_of_either_basis():
    a = {"x": ("X", 0.1), "y": ("Y", 0.5)}
    b = {"x": ("X", 0.3), "z": ("Z", 0.2)}
    assert sr.larger_of(a, b) == {"x": ("X", 0.3), "y": ("Y", 0.5), "z": ("Z", 0.2)}


def test_resampled_choice_finds_the_variant_that_matches_the_order_and_is_seeded():
    usgs = [sr.UsgsRank(i, f"m{i}", "economic effects", "") for i in range(1, 21)]
    perfect = {f"m{i}": (f"M{i}", 100.0 - i) for i in range(1, 21)}  # high score = USGS rank 1
    backwards = {f"m{i}": (f"M{i}", float(i)) for i in range(1, 21)}
    out = sr.resampled_choice({"A": backwards, "B": perfect}, usgs, draws=50, seed=1)
    assert out["chosen_count"] == {"A": 0, "B": 50}
    assert out["fixed_test_rho"]["B"]["mean"] == pytest.approx(1.0)
    assert out["fixed_test_rho"]["A"]["mean"] == pytest.approx(-1.0)
    assert out["chosen_test_rho"]["mean"] == pytest.approx(1.0)
    assert sr.resampled_choice({"A": backwards, "B": perfect}, usgs, draws=50, seed=1) == out


# --- governance as partner risk (docs/analytics.md §2e) ---

def _with_production(risk, rows=(("China", 70.0), ("Japan", 30.0))):
    from maadan.analytics.criticality import Concentration, ShareRow
    share_rows = [ShareRow(c, v, v, None, "MCS 2025 world data") for c, v in rows]
    conc = Concentration("MCS 2025", "Mine production", "production", 2024, "t", True, 100.0, None, "MCS 2025",
                         share_rows, [], sum(v * v for _, v in rows), 100.0, None, sum(v for _, v in rows), False)
    return MineralRisk(risk.mineral_id, risk.name, conc, None, risk.reliance, risk.imports)


def test_v7_gives_an_unrestricting_partner_its_wgi_instability_and_a_restricting_one_one():
    from maadan.analytics import governance as gov
    g_ca = gov.lookup("Canada").instability  # (2.5 - 0.6267803) / 5
    assert g_ca == pytest.approx(0.37464394)
    s = sr.score_shortfall(_risk(), [], [sr.Restriction("China", "x", "ban", "2024", "src")], withheld=False,
                           governance=True)
    assert s.score == pytest.approx(1.0 * (0.8 * 0.6) ** 2 + g_ca * (0.8 * 0.3) ** 2)
    assert s.unknown_governance == []
    assert any("GOV_WGI_PV.EST" in x for x in s.sources)
    # without the option, §2c as stated: p_0 = 0.1 for Canada
    assert sr.score_shortfall(_risk(), [], [sr.Restriction("China", "x", "ban", "2024", "src")],
                              withheld=False).score == pytest.approx(0.48 ** 2 + 0.1 * 0.24 ** 2)
    # a partner the table does not know counts 0.5 and is named
    u = sr.score_shortfall(_risk(shares=(("Atlantis", 50.0),), other=50.0), [], [], withheld=False, governance=True)
    assert u.unknown_governance == ["Atlantis"] and u.score == pytest.approx(0.5 * 0.4 ** 2)


def test_geopolrisk_weights_partner_shares_by_wgi_instability():
    from maadan.analytics import governance as gov
    r = _with_production(_risk())  # HHI_norm 0.58; US imports China 60 %, Canada 30 %, Other 10 %; NIR 80
    g = sr.geopolrisk(r)
    weighted = 0.6 * gov.lookup("China").instability + 0.3 * gov.lookup("Canada").instability + 0.1 * 0.5
    assert g.weighted_share == pytest.approx(weighted)
    assert g.value == pytest.approx(0.58 * 0.8 * weighted)
    assert g.exposure_basis.startswith("US import shares")
    assert g.missing == [] and g.unknown_partners == []
    assert any("GOV_WGI_PV.EST" in x for x in g.sources)
    # world production shares stand in where US import shares are unknown
    w = sr.geopolrisk(MineralRisk("x", "X", r.production, None, r.reliance, None))
    assert w.exposure_basis.startswith("world production shares")
    assert w.value == pytest.approx(0.58 * 0.8 * (0.7 * gov.lookup("China").instability
                                                  + 0.3 * gov.lookup("Japan").instability))
    # no HHI: unknown, with the reason
    none = sr.geopolrisk(_risk())
    assert none.value is None and none.missing == ["world production by country (for the HHI)"]
