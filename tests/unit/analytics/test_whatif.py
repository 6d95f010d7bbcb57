import pytest

from maadan.analytics.criticality import ImportConcentration, production_concentration
from maadan.analytics.whatif import Addition, ImportVolume, add_supply, add_us_imports
from maadan.errors import InvalidInput
from maadan.minerals.model import Figure, WorldStatistic


def stat(country, value, kind="country", unit="thousand metric tons"):
    return WorldStatistic(edition="MCS 2025", usgs_label="Copper", mineral_id="copper",
                          series="Mine production, recoverable copper content", country=country, country_kind=kind,
                          metric="production", year=2024, figure=Figure(value, "estimated"), unit=unit,
                          source="usgs line 1")


BASE = production_concentration([stat("Chile", 5300), stat("Peru", 2600), stat("Mongolia", 200),
                                 stat("Other countries", 2700, "other"), stat("World total (rounded)", 23000, "world")])


def test_reko_diq_phase_1_copper():
    w = add_supply(BASE, Addition("copper", "Reko Diq Phase 1", 240, "kt/yr", "portergeo"))
    assert w.added == pytest.approx(240)
    assert w.conversion == "240 kt/yr = 240 thousand metric tons"
    assert w.world_after == 23240
    pk = w.country_row
    assert pk.before_pct is None and pk.after_pct == pytest.approx(100 * 240 / 23240)
    assert (w.country_rank_before, w.country_rank_after, w.n_countries_after) == (None, 3, 4)
    chile = next(r for r in w.rows if r.country == "Chile")
    assert chile.after_pct == pytest.approx(100 * 5300 / 23240)
    expected = sum((100 * v / 23240) ** 2 for v in (5300, 2600, 200, 240))
    assert w.hhi_after == pytest.approx(expected)
    assert w.hhi_before == pytest.approx(sum((100 * v / 23000) ** 2 for v in (5300, 2600, 200)))
    assert any("no row of its own" in n for n in w.notes)
    assert w.sources[0] == "portergeo"


def test_listed_country_grows_its_own_row():
    w = add_supply(BASE, Addition("copper", "x", 0.5, "Mt", "s", country="peru"))
    peru = next(r for r in w.rows if r.country == "Peru")
    assert peru.after_pct == pytest.approx(100 * 3100 / 23500)
    assert (w.country_rank_before, w.country_rank_after) == (2, 2)


def test_gold_koz_against_tonnes():
    gold = production_concentration([stat("China", 380, unit="metric tons"),
                                     stat("World total (rounded)", 3300, "world", unit="metric tons")])
    w = add_supply(gold, Addition("gold", "Reko Diq Phase 1 gold", 297, "koz/yr", "s"))
    assert w.added == pytest.approx(297e3 * 31.1034768 / 1e6)
    assert w.world_after == pytest.approx(3300 + 9.2377326)


def test_mismatched_units_and_bad_values_are_refused():
    carats = production_concentration([stat("Russia", 10, unit="million carats"),
                                       stat("World", 20, "world", unit="million carats")])
    with pytest.raises(InvalidInput, match="not a mass"):
        add_supply(carats, Addition("diamond", "x", 5, "t", "s"))
    with pytest.raises(InvalidInput, match="non-negative"):
        Addition("copper", "x", -1, "kt", "s")


def test_us_import_concentration_after_shipments():
    cat = ImportConcentration("MCS 2026", "2021-2024", "Refined copper", [("Chile", 68.0), ("Canada", 16.0)], 16.0,
                              68.0 ** 2 + 16.0 ** 2, True, "imp")
    a = Addition("copper", "x", 240, "kt/yr", "s")
    w = add_us_imports(cat, a, 50, ImportVolume(800, "kt", "given"))
    scale = 800 / 920
    assert w.shipped == pytest.approx(120)
    assert dict(w.shares_after)["Pakistan"] == pytest.approx(100 * 120 / 920)
    assert dict(w.shares_after)["Chile"] == pytest.approx(68 * scale)
    assert w.hhi_after == pytest.approx((68 * scale) ** 2 + (16 * scale) ** 2 + (100 * 120 / 920) ** 2)
    assert w.other_after_pct == pytest.approx(16 * scale)
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        add_us_imports(cat, a, 120, ImportVolume(800, "kt", "given"))
    with pytest.raises(InvalidInput, match="needs a source"):
        ImportVolume(800, "kt", " ")
