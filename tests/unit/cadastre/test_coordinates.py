"""The coordinate table: decimal degrees, DMS and UTM 41N-43N, and errors naming row and column."""

import pytest
from pyproj import Transformer

from maadan.cadastre.coordinates import parse_table
from maadan.errors import InvalidInput


def test_decimal_degrees_latitude_first_with_header_and_numbers():
    t = parse_table("lat, lon\n1, 28.0, 66.5\n2, 28.0, 66.55\n3, 28.05, 66.55\n4, 28.05, 66.5\n", "decimal")
    assert t.crs == "EPSG:4326" and t.vertices == 4
    assert t.geojson["coordinates"][0][0] == [66.5, 28.0] == t.geojson["coordinates"][0][-1]


def test_dms_both_notations():
    t = parse_table("28°00'00\"N, 66°30'00\"E\n28 00 00 N; 66 33 00 E\n28°03'N, 66°33'E\n", "dms")
    assert t.geojson["coordinates"][0][1] == [66.55, 28.0]
    assert t.geojson["coordinates"][0][2] == pytest.approx([66.55, 28.05])


def test_utm_zone_42n_round_trips():
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32642", always_xy=True)
    rows = [to_utm.transform(lon, lat) for lon, lat in ((66.5, 28.0), (66.55, 28.0), (66.55, 28.05))]
    t = parse_table("\n".join(f"{e:.2f} {n:.2f}" for e, n in rows), "utm", 42)
    assert t.crs == "EPSG:32642" and t.vertices == 3 and t.geojson["coordinates"][0][0][0] == pytest.approx(rows[0][0])


@pytest.mark.parametrize("text, fmt, zone, row, column, words", [
    ("28.0, 66.5\n28.0, abc\n28.1, 66.6", "decimal", None, 2, 2, "'abc' is not a number"),
    ("28.0, 66.5\n66.6, 228.0\n28.1, 66.6", "decimal", None, 2, 2, "outside -180..180"),
    ("128.0, 66.5\n28.0, 66.6\n28.1, 66.6", "decimal", None, 1, 1, "columns swapped"),
    ("28.0, 66.5\n28.0\n28.1, 66.6", "decimal", None, 2, 2, "expected 2 values"),
    ("28°00'00\"N, 66°30'00\"E\n28°61'00\"N, 66°30'00\"E\n28°3'N, 66°33'E", "dms", None, 2, 1, "below 60"),
    ("28°00'00\"N, 66°30'00\"E\n28°01'00\"E, 66°30'00\"E\n28°3'N, 66°33'E", "dms", None, 2, 1, "must be N or S"),
    ("350000 3100000\n12 3100000\n360000 3110000", "utm", 42, 2, 1, "outside a UTM zone"),
])
def test_bad_coordinates_name_row_and_column(text, fmt, zone, row, column, words):
    with pytest.raises(InvalidInput) as err:
        parse_table(text, fmt, zone)
    assert err.value.details["row"] == row and err.value.details["column"] == column, err.value.message
    assert words in err.value.message and f"row {row}, column {column}" in err.value.message


def test_too_few_vertices_and_bad_zone():
    with pytest.raises(InvalidInput, match="at least 3 different vertices"):
        parse_table("28.0, 66.5\n28.0, 66.5\n28.1, 66.6", "decimal")
    with pytest.raises(InvalidInput, match="zone 41N, 42N or 43N"):
        parse_table("1 2", "utm", 40)
