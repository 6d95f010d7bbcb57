import pytest

from maadan.analytics.units import TROY_OUNCE_G, convert
from maadan.errors import InvalidInput


def test_kilotonnes_are_thousand_metric_tons():
    assert convert(240, "kt/yr", "thousand metric tons") == pytest.approx(240.0)
    assert convert(240, "kt", "metric tons") == pytest.approx(240_000.0)
    assert convert(45, "Mt/yr", "thousand metric tons") == pytest.approx(45_000.0)


def test_troy_ounces_to_tonnes():
    assert TROY_OUNCE_G == 31.1034768
    assert convert(297, "koz/yr", "metric tons") == pytest.approx(297_000 * 31.1034768 / 1e6)
    assert convert(1, "Moz", "kilograms") == pytest.approx(31_103.4768)


@pytest.mark.parametrize("unit, words", [("carats", "not a mass"), ("million cubic meters", "not a mass"),
                                         ("furlongs", "Unknown unit"), ("mt", "Ambiguous")])
def test_mismatched_or_unknown_units_are_refused(unit, words):
    with pytest.raises(InvalidInput, match=words):
        convert(1, unit, "metric tons")
    with pytest.raises(InvalidInput, match=words):
        convert(1, "t", unit)
