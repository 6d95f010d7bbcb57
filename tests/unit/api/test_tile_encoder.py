"""The in-process MVT encoder (ogc/tiles.py): geometry commands built with NumPy decode, with
mapbox-vector-tile's own decoder, to the same shapes, winding and attributes; tile addresses and
tile maths."""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
import numpy as np
import pytest
import shapely

from maadan.errors import NotFound
from maadan.ogc import tiles
from maadan.ogc.query import InvalidParameter


def decode(body: bytes) -> list[dict]:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})["t"]["features"]


def test_polygons_with_holes_multipolygons_and_points_round_trip():
    holed = shapely.Polygon([(10, 10), (110, 10), (110, 90), (10, 90)], [[(30, 30), (50, 30), (50, 50), (30, 50)]])
    multi = shapely.MultiPolygon([shapely.box(200, 200, 260, 230), shapely.box(300, 300, 310, 340)])
    cw = shapely.Polygon([(500, 500), (500, 600), (650, 600), (650, 500)])  # wound the other way
    point = shapely.Point(4000, 17)
    geoms = np.array([holed, multi, cw, point], dtype=object)
    props = [{"number": "A", "synthetic": True}, {"number": "B", "holder": None, "synthetic": False},
             {"number": "C", "area": 1.5, "n": -3}, {"number": "D", "synthetic": True}]
    got = decode(tiles.encode_layer("t", geoms, props, np.array([1, 2, 3, 4])))
    assert [f["id"] for f in got] == [1, 2, 3, 4]
    assert [f["properties"] for f in got] == [
        {"number": "A", "synthetic": True}, {"number": "B", "synthetic": False},
        {"number": "C", "area": 1.5, "n": -3}, {"number": "D", "synthetic": True}]
    for f, want in zip(got, geoms):
        shape = shapely.geometry.shape(f["geometry"])
        assert shape.equals(want), (f["geometry"], want)
    # exterior rings of positive area, holes negative, in tile coordinates (MVT 2.1, 4.3.4.4)
    rings = got[0]["geometry"]["coordinates"]
    signed = [shapely.LinearRing(r).is_ccw for r in rings]
    assert signed == [True, False]


def test_holed_and_plain_polygons_interleaved_keep_their_own_rings():
    """Only polygons with holes are split into rings; the rest are their one ring. Interleaved, in
    MultiPolygons too, each feature still gets exactly its own rings, the exterior first."""
    def holed(x: float, y: float, holes: int) -> shapely.Polygon:
        inner = [[(x + 10 + 20 * i, y + 10), (x + 20 + 20 * i, y + 10), (x + 20 + 20 * i, y + 20),
                  (x + 10 + 20 * i, y + 20)] for i in range(holes)]
        return shapely.Polygon([(x, y), (x + 20 * holes + 20, y), (x + 20 * holes + 20, y + 40), (x, y + 40)], inner)

    geoms = np.array([
        shapely.box(0, 0, 5, 5), holed(100, 0, 2), shapely.box(200, 0, 230, 9),
        shapely.MultiPolygon([shapely.box(300, 0, 310, 10), holed(400, 0, 1), shapely.box(500, 0, 505, 5)]),
        holed(600, 0, 3), shapely.box(700, 0, 720, 20)], dtype=object)
    got = decode(tiles.encode_layer("t", geoms, [{"i": i} for i in range(len(geoms))], np.arange(1, len(geoms) + 1)))
    assert [f["properties"]["i"] for f in got] == list(range(len(geoms)))
    for f, want in zip(got, geoms):
        assert shapely.geometry.shape(f["geometry"]).equals(want), (f["geometry"], want)
    assert len(got[4]["geometry"]["coordinates"]) == 4  # an exterior and its three holes


def test_the_same_tile_through_mapbox_vector_tile_encode_decodes_alike():
    geoms = np.array([shapely.box(0, 0, 40, 30), shapely.Point(7, 9)], dtype=object)
    ours = decode(tiles.encode_layer("t", geoms, [{"k": "a"}, {"k": "b"}], np.array([5, 6])))
    theirs = decode(mapbox_vector_tile.encode(
        [{"name": "t", "features": [{"geometry": g, "properties": p, "id": i}
                                    for g, p, i in zip(geoms, [{"k": "a"}, {"k": "b"}], [5, 6])]}],
        default_options={"y_coord_down": True}))
    for a, b in zip(ours, theirs):
        assert a["properties"] == b["properties"] and a["id"] == b["id"]
        assert shapely.geometry.shape(a["geometry"]).equals(shapely.geometry.shape(b["geometry"]))


def test_tile_addresses_and_bounds_agree_with_morecantile():
    tms = morecantile.tms.get("WebMercatorQuad")
    for z, x, y in [(0, 0, 0), (8, 171, 107), (14, 11010, 6840)]:
        ours = tiles.parse_tile("WebMercatorQuad", str(z), str(y), str(x))
        assert np.allclose(ours.mercator_bounds(), tuple(tms.xy_bounds(morecantile.Tile(x, y, z))), atol=1e-6)
        assert np.allclose(ours.lonlat_bounds(), tuple(tms.bounds(morecantile.Tile(x, y, z))), atol=1e-9)
    with pytest.raises(NotFound):
        tiles.parse_tile("WebMercatorQuad", "2", "4", "0")
    with pytest.raises(InvalidParameter):
        tiles.parse_tile("WebMercatorQuad", "2", "x", "0")
    with pytest.raises(NotFound):
        tiles.parse_tile("WorldCRS84Quad", "2", "0", "0")


def test_the_numpy_protobuf_writer_round_trips_every_value_kind_and_large_ids():
    """ogc/mvt.py writes the layer's bytes itself: varints of 1 to 9 bytes, every value kind, a
    feature without properties, and unicode, decoded by mapbox-vector-tile."""
    from maadan.ogc import mvt

    for v in (0, 1, 127, 128, 300, 2**21, 2**35 + 7, 2**63 - 1):
        flat, n = mvt.varints(np.array([v], dtype=np.uint64))
        assert flat.tobytes() == mvt.varint(v) and n[0] == len(mvt.varint(v))
    geoms = np.array([shapely.Point(1, 2), shapely.box(10, 10, 4000, 4090), shapely.Point(0, 0)], dtype=object)
    props = [{"s": "Quetta – کوئٹہ", "n": -123456789, "f": 0.1, "b": False},
             {"s": "x" * 300, "n": 2**40, "b": True}, {}]
    ids = np.array([2**40 + 1, 7, 128])
    got = decode(tiles.encode_layer("t", geoms, props, ids))
    assert [f["id"] for f in got] == ids.tolist()
    assert [f["properties"] for f in got] == props
    assert [f["geometry"]["type"] for f in got] == ["Point", "Polygon", "Point"]
    assert shapely.geometry.shape(got[1]["geometry"]).equals(geoms[1])


def test_which_shapes_are_rectangles_along_the_axes():
    shapes = [shapely.box(0, 0, 2, 1), shapely.Polygon([(0, 0), (0, 1), (2, 1), (2, 0)]),  # either winding
              shapely.Polygon([(1, 0), (2, 1), (1, 2), (0, 1)]),  # a square on its corner
              shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)]),  # an L
              shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]),  # a hole
              shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
              shapely.Point(1, 1)]
    geoms = np.array(shapes, dtype=object)
    assert tiles.rectangles(geoms, shapely.bounds(geoms)).tolist() == [True, True, False, False, False, False, False]


def test_rectangles_drawn_from_their_envelope_match_the_geometry_path(monkeypatch):
    """Rectangles along the axes skip GEOS (`tiles.rectangles`): inside the tile, across its
    edge and buffer, and beside shapes that take the geometry path, the tile decodes to the same
    features and shapes as with every feature on the geometry path."""
    t = morecantile.tms.get("WebMercatorQuad").tile(65.0, 29.0, 10)
    w, s, e, n = morecantile.tms.get("WebMercatorQuad").bounds(t)
    dx, dy = (e - w) / 40, (n - s) / 40
    shapes = [shapely.box(w + 3 * dx, s + 3 * dy, w + 9 * dx, s + 5 * dy),  # inside
              shapely.box(w - 5 * dx, s + 10 * dy, w + 2 * dx, s + 12 * dy),  # across the west edge
              shapely.box(e - 1 * dx, n - 1 * dy, e + 9 * dx, n + 9 * dy),  # across a corner
              shapely.box(w - 9 * dx, s + 20 * dy, w - 0.5 * dx, s + 22 * dy),  # in the buffer only
              shapely.Polygon([(w + 20 * dx, s + 20 * dy), (w + 24 * dx, s + 24 * dy), (w + 20 * dx, s + 28 * dy),
                               (w + 16 * dx, s + 24 * dy)]),  # on its corner: the geometry path
              shapely.box(w + 30 * dx, s + 30 * dy, w + 30.001 * dx, s + 30.001 * dy)]  # tiny: a point
    items = [(i + 1, f"T{i + 1}", g, {"number": f"T{i + 1}"}) for i, g in enumerate(shapes)]
    address = tiles.TileAddress(t.z, t.x, t.y)
    base = tiles._Base.of(items)
    assert base.rect.tolist() == [True, True, True, True, False, True]
    fast = decode_layer(tiles.encode(tiles._Layer(base), "t", address))
    monkeypatch.setattr(tiles, "rectangles", lambda geoms, bounds: np.zeros(len(geoms), dtype=bool))
    slow = decode_layer(tiles.encode(tiles._Layer(tiles._Base.of(items)), "t", address))
    assert [f["id"] for f in fast] == [f["id"] for f in slow] == [1, 2, 3, 4, 5, 6]
    for a, b in zip(fast, slow):
        assert shapely.geometry.shape(a["geometry"]).equals(shapely.geometry.shape(b["geometry"])), (a, b)
        if a["geometry"]["type"] == "Polygon":
            assert shapely.LinearRing(a["geometry"]["coordinates"][0]).is_ccw  # positive area in tile units


def decode_layer(body: bytes) -> list[dict]:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})["t"]["features"]


def test_attributes_factorized_once_per_layer_write_what_each_feature_has():
    """A kept layer factorizes each attribute once (`_Base.column`) and a tile writes only the values
    its features use, each once, even when a value is in the base and in the features added since,
    or when one attribute's types differ between them; the tile decodes as from the features' dicts."""
    def square(i: int) -> shapely.Polygon:
        return shapely.box(65.0 + 0.01 * i, 29.0, 65.0 + 0.01 * i + 0.005, 29.005)

    base = [(i, f"T{i}", square(i), {"number": f"T{i}", "type": "lease" if i % 2 else "licence",
                                     "n": i, "note": None if i % 3 else "x"}) for i in range(1, 9)]
    layer = tiles._Layer(tiles._Base.of(base))
    layer, _ = layer.updated({"T2", "T5"}, [
        (20, "T20", square(20), {"number": "T20", "type": "lease", "n": "twenty", "note": "x"}),
        (21, "T21", square(21), {"number": "T21", "type": "permit", "n": 3, "note": None})])
    t = morecantile.tms.get("WebMercatorQuad").tile(65.1, 29.002, 9)
    address = tiles.TileAddress(t.z, t.x, t.y)
    keys = ("number", "type", "n", "note")
    written = decode_layer(tiles.encode(layer, "t", address, keys))
    from_dicts = decode_layer(tiles.encode(layer, "t", address))  # every feature's own dict, no columns
    assert [f["id"] for f in written] == [1, 3, 4, 6, 7, 8, 20, 21]
    assert [f["properties"] for f in written] == [f["properties"] for f in from_dicts]
    assert written[-2]["properties"] == {"number": "T20", "type": "lease", "n": "twenty", "note": "x"}
    assert written[-1]["properties"] == {"number": "T21", "type": "permit", "n": 3}
    tile = mapbox_vector_tile.decode(tiles.encode(layer, "t", address, keys))["t"]
    assert tile["features"][0]["properties"] == {"number": "T1", "type": "lease", "n": 1}
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    message = vector_tile_pb2.tile()
    message.ParseFromString(tiles.encode(layer, "t", address, keys))
    values = [str(v).strip() for v in message.layers[0].values]
    assert len(values) == len(set(values))  # "lease" and "x" (in the base and added since) listed once
