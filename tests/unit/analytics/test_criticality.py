import pytest

from maadan.analytics import criticality as c
from maadan.minerals.model import Figure, ImportReliance, ImportSource, WorldStatistic


def stat(country, value, kind="country", status="reported", qualifier=None, series="Mine production, x",
         metric="production", year=2024, unit="metric tons"):
    return WorldStatistic(edition="MCS 2025", usgs_label="X", mineral_id="x", series=series, country=country,
                          country_kind=kind, metric=metric, year=year, figure=Figure(value, status, qualifier),
                          unit=unit, source=f"src {country} line 3")


WORLD = [stat("China", 60), stat("Peru", 20), stat("Chile", 10), stat("United States", None, status="withheld"),
         stat("Other countries", 10, "other"), stat("World total (rounded)", 100, "world")]


def test_hhi_scale():
    assert c.hhi([100]) == 10_000
    assert c.hhi([50, 50]) == 5_000
    assert c.hhi([60, 20, 10]) == 3_600 + 400 + 100


def test_concentration_excludes_other_and_withheld_and_is_a_lower_bound():
    conc = c.production_concentration(WORLD)
    assert conc.hhi == pytest.approx(4_100)
    assert conc.hhi_normalised == pytest.approx(0.41)
    assert conc.top1.country == "China" and conc.top1.share_pct == pytest.approx(60)
    assert conc.top3_pct == pytest.approx(90)
    assert conc.china_pct == pytest.approx(60)
    assert conc.coverage_pct == pytest.approx(90)
    assert any("Other countries" in e for e in conc.excluded)
    assert any("United States (W (withheld))" == e for e in conc.excluded)
    assert "lower bounds" in conc.note
    assert conc.sources == ["src World total (rounded)", "src China", "src Peru", "src Chile"]


def test_china_share_unknown_when_china_not_listed():
    conc = c.production_concentration([stat("Peru", 20), stat("World total (rounded)", 100, "world")])
    assert conc.china_pct is None


def test_series_rule_prefers_latest_year_then_mine_production():
    stats = [*WORLD, stat("China", 5, series="Refinery production"), stat("World", 10, "world",
                                                                         series="Refinery production"),
             stat("China", 1, year=2023), stat("World", 2, "world", year=2023)]
    conc = c.production_concentration(stats)
    assert (conc.series, conc.year) == ("Mine production, x", 2024)


def test_no_world_total_means_no_concentration():
    assert c.production_concentration([stat("China", 60)]) is None


def rel(value, status="reported", qualifier=None, year=2024, basis="all forms", edition="MCS 2025"):
    return ImportReliance("x", edition, year, basis, Figure(value, status, qualifier), f"nir {edition}")


@pytest.mark.parametrize("figure, scored", [((45, "reported", None), 45.0), ((None, "net-exporter", None), 0.0),
                                            ((50, "estimated", ">"), 75.0), ((25, "reported", "<"), 12.5),
                                            ((95, "reported", ">"), 97.5)])
def test_reliance_values(figure, scored):
    r = c.pick_reliance([rel(*figure)], "MCS 2025")
    assert r.value_pct == scored
    assert r.bound == (figure[2] is not None)


def test_reliance_latest_year_highest_basis_and_same_edition():
    items = [rel(None, "net-exporter", basis="ores"), rel(73, basis="refined"), rel(90, year=2020),
             rel(53, edition="MCS 2026"), rel(None, "not-available", year=2025)]
    r = c.pick_reliance(items, "MCS 2025")
    assert (r.value_pct, r.year, r.basis, r.edition) == (73, 2024, "refined", "MCS 2025")
    assert r.other_bases == ("ores: E (net exporter)",)
    assert c.pick_reliance(items, "MCS 1999").edition == "MCS 2026"
    assert c.pick_reliance([rel(None, "not-available")], "MCS 2025") is None


def src(category, rank, country, share):
    return ImportSource("x", "MCS 2026", "2021-2024", category, rank, country, share, f"imp {category}")


def test_import_concentration_and_headline_category():
    items = [src("Ores", 1, "Canada", 99), src("Ores", 2, "Other", 1),
             src("Total imports", 1, "China", 55), src("Total imports", 2, "Belgium", 12),
             src("Total imports", 3, "Other", 33), src("Ranked only", 1, "Peru", None)]
    cats = c.import_categories(items)
    assert [x.category for x in cats] == ["Ores", "Total imports"]
    head = c.headline_category(cats)
    assert head.category == "Total imports"
    assert head.hhi == 55 ** 2 + 12 ** 2
    assert head.other_pct == 33 and head.complete
    refined = c.import_categories([src("Scrap", 1, "Canada", 45), src("Refined copper", 1, "Chile", 68),
                                   src("Refined copper", 2, "Other", 10)])
    chosen = c.headline_category(refined)
    assert chosen.category == "Refined copper" and not chosen.complete
    assert c.headline_category(c.import_categories([src("A", 1, "X", 50), src("B", 1, "Y", 50)])) is None


def test_assess_scores_and_names_missing_data():
    r = c.assess("x", "X", WORLD, [rel(50, qualifier=">")], [])
    assert r.score == pytest.approx(0.41 * 0.75)
    # GeoPolRisk needs the bundled WGI table: the service adds it (§1), assess() alone leaves it unknown
    assert r.geopolrisk is None and r.geopolrisk_note == "not computed" and "WGI" in c.GEOPOLRISK_NOTE
    assert not any("WGI" in m for m in r.missing)
    assert "US import shares in percent" in r.missing
    bare = c.assess("y", "Y", [], [], [])
    assert bare.score is None
    assert bare.missing[:2] == ["world production by country with a numeric world total", "US net import reliance"]


def test_rank_puts_unscored_last():
    a = c.assess("a", "A", WORLD, [rel(100)], [])
    b = c.assess("b", "B", WORLD, [rel(10)], [])
    z = c.assess("z", "Z", [], [], [])
    assert [r.mineral_id for r in c.rank([z, b, a])] == ["a", "b", "z"]
