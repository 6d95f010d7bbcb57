from maadan.minerals.model import Figure, WorldStatistic
from maadan.minerals.shares import series_tables, share_of_world


def stat(country, value, kind="country", status="reported", qualifier=None, year=2024):
    return WorldStatistic(edition="MCS 2025", usgs_label="Copper", mineral_id="copper", series="Mine",
                          country=country, country_kind=kind, metric="production", year=year,
                          figure=Figure(value, status, qualifier), unit="thousand metric tons", source="s")


def test_share_of_world_total():
    s = share_of_world(stat("Chile", 5300), stat("World total (rounded)", 23000, "world"))
    assert s.share_pct == 23.04 and s.share_qualifier is None


def test_unknown_values_have_no_share():
    world = stat("World total (rounded)", 23000, "world")
    assert share_of_world(stat("Germany", None, status="no-data"), world).share_pct is None
    assert share_of_world(stat("US", None, status="withheld"), world).share_pct is None
    assert share_of_world(stat("Chile", 5300), None).share_pct is None


def test_bounds_carry_into_shares():
    world = stat("World total (rounded)", 2_000_000, "world", qualifier=">")
    assert share_of_world(stat("China", 640_000), world).share_qualifier == "<"


def test_tables_sort_countries_and_keep_others_apart():
    tables = series_tables([stat("Peru", 2600), stat("Chile", 5300), stat("Other Countries", 2700, "other"),
                            stat("World total (rounded)", 23000, "world")])
    (t,) = tables
    assert [r.statistic.country for r in t.rows] == ["Chile", "Peru"]
    assert [o.country for o in t.other] == ["Other Countries"]
    assert t.world.figure.value == 23000
