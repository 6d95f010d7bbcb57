"""Overlap queries: what counts as a conflict, how big it is, and bulk agreeing with single queries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import affinity

from maadan.cadastre.geometry import area_km2, parse_area, to_geojson
from maadan.cadastre.spatial_index import Overlap, SpatialIndex


def box(x: float, y: float, d: float = 0.2):
    return shapely.box(x, y, x + d, y + d)


def test_touching_squares_are_not_a_conflict():
    index = SpatialIndex([("title:A", box(62.0, 29.0)), ("title:B", box(62.4, 29.2))])
    assert index.conflicts(box(62.2, 29.0)) == []  # shares an edge with A and a corner with B
    assert index.conflicts(affinity.rotate(box(62.2, 29.0), 0.0)) == []
    diamond = shapely.Polygon([(62.3, 29.0), (62.2, 29.1), (62.3, 29.2), (62.4, 29.1), (62.3, 29.0)])
    assert index.conflicts(shapely.Polygon([(62.2, 29.0), (62.3, 29.1), (62.2, 29.2), (62.2, 29.0)])) == []  # along A's edge
    assert [o.key for o in index.conflicts(diamond)] == []  # touches A and B at points only


def test_overlapping_squares_report_the_overlap_area():
    index = SpatialIndex([("title:A", box(62.0, 29.0))])
    found = index.conflicts(box(62.1, 29.0))
    expected = area_km2(shapely.box(62.1, 29.0, 62.2, 29.2))
    assert len(found) == 1 and found[0].key == "title:A"
    assert found[0].overlap_km2 == pytest.approx(expected, rel=0.01)
    assert found[0].overlap_km2 == pytest.approx(area_km2(box(62.0, 29.0)) / 2, rel=0.01)


def test_overlap_of_general_polygons_matches_the_intersection():
    a = affinity.rotate(box(62.0, 29.0), 20)
    b = affinity.rotate(box(62.08, 29.05), -10)
    found = SpatialIndex([("title:A", a)]).conflicts(b)
    # intersected in the equal-area plane: edges straight there, not in lon/lat, hence ~1e-5 apart
    assert found[0].overlap_km2 == pytest.approx(area_km2(shapely.intersection(a, b)), rel=1e-4)
    assert found[0].overlap_km2 <= min(area_km2(a), area_km2(b))


def test_a_polygon_inside_another_is_a_conflict_both_ways():
    outer, inner = box(62.0, 29.0), box(62.05, 29.05, 0.05)
    inner_area = parse_area(to_geojson(inner)).area_km2
    assert SpatialIndex([("title:big", outer)]).conflicts(inner) == [Overlap("title:big", inner_area)]
    assert SpatialIndex([("title:small", inner)]).conflicts(outer) == [Overlap("title:small", inner_area)]
    rotated = affinity.rotate(inner, 30)
    got = SpatialIndex([("title:small", rotated)]).conflicts(affinity.rotate(outer, 5))
    assert got[0].overlap_km2 == pytest.approx(area_km2(rotated), rel=1e-9)


def test_identical_area_overlaps_by_its_whole_area():
    area = parse_area(to_geojson(box(62.0, 29.0)))
    found = SpatialIndex([("application:7", area.geometry)]).conflicts(area.geometry)
    assert found[0].overlap_km2 == pytest.approx(area.area_km2, rel=1e-12)


def test_slivers_below_the_threshold_are_ignored():
    a = box(62.0, 29.0)
    sliver = shapely.box(62.2 - 1e-11, 29.0, 62.4, 29.2)  # overlaps A by about 0.02 m²
    assert SpatialIndex([("title:A", a)]).conflicts(sliver) == []
    assert SpatialIndex([("title:A", a)], min_overlap_km2=0).conflicts(sliver)


def test_results_are_ordered_and_multipolygons_work():
    multi = shapely.MultiPolygon([box(62.0, 29.0), box(63.0, 29.0)])
    index = SpatialIndex([("title:M", multi), ("title:S", box(62.15, 29.0, 0.05))])
    found = index.conflicts(shapely.box(62.1, 29.0, 63.1, 29.2))
    assert [o.key for o in found] == ["title:M", "title:S"]
    assert found[0].overlap_km2 > found[1].overlap_km2
    assert len(index) == 2


def test_empty_index_and_empty_queries():
    assert SpatialIndex([]).conflicts(box(62, 29)) == []
    assert SpatialIndex([]).bulk_conflicts([box(62, 29)]) == []
    assert SpatialIndex([("title:A", box(62, 29))]).bulk_conflicts([]) == []
    assert len(SpatialIndex([])) == 0


def _random_polygons(rng: np.random.Generator, n: int) -> list:
    """Squares on a coarse lattice, so exact touching happens, about a third rotated."""
    out = []
    for _ in range(n):
        x = 62 + rng.integers(0, 40) * 0.05
        y = 28 + rng.integers(0, 40) * 0.05
        g = shapely.box(x, y, x + 0.05 * rng.integers(1, 5), y + 0.05 * rng.integers(1, 5))
        if rng.random() < 0.3:
            g = affinity.rotate(g, float(rng.uniform(0, 90)))
        out.append(g)
    return out


def test_bulk_equals_single_queries_on_random_data():
    rng = np.random.default_rng(20261129)
    titles = _random_polygons(rng, 600)
    applications = _random_polygons(rng, 300)
    index = SpatialIndex([(f"title:{i}", g) for i, g in enumerate(titles)])
    bulk = index.bulk_conflicts(applications)
    single = [(i, o.key, o.overlap_km2) for i, g in enumerate(applications) for o in index.conflicts(g)]
    assert sorted((i, k) for i, k, _ in bulk) == sorted((i, k) for i, k, _ in single)
    assert len(bulk) > 100
    by_pair = {(i, k): a for i, k, _a in single for a in [_a]}
    for i, k, a in bulk:
        assert a == pytest.approx(by_pair[i, k], rel=1e-9)
    assert bulk == sorted(bulk, key=lambda r: (r[0], int(r[1].split(":")[1])))
    # every reported pair overlaps, every skipped candidate does not
    for i, k, _ in bulk[:200]:
        assert shapely.intersection(applications[i], titles[int(k.split(":")[1])]).area > 0


def test_bulk_uses_threads_for_large_batches_with_the_same_result():
    rng = np.random.default_rng(7)
    titles = [affinity.rotate(g, 10) for g in _random_polygons(rng, 400)]
    applications = [affinity.rotate(g, 25) for g in _random_polygons(rng, 400)]
    items = [(f"title:{i}", g) for i, g in enumerate(titles)]
    serial = SpatialIndex(items, threads=1).bulk_conflicts(applications)
    import maadan.cadastre.spatial_index as module
    threshold, module._PARALLEL_PAIRS = module._PARALLEL_PAIRS, 10
    try:
        parallel = SpatialIndex(items, threads=2).bulk_conflicts(applications)
    finally:
        module._PARALLEL_PAIRS = threshold
    assert parallel == serial


def test_a_query_projects_only_the_items_it_meets():
    # Items are projected to the equal-area plane on first use. A query fills the few its tree query
    # met, looking at those positions only (a mask over every item cost 0.9 ms a check at a million).
    index = SpatialIndex([(f"title:{i}", box(60.0 + i, 29.0)) for i in range(5)])
    items = index._base.items
    assert np.isnan(items.area).all()
    found = index.conflicts(box(62.1, 29.0))
    assert [o.key for o in found] == ["title:2"]
    assert np.flatnonzero(~np.isnan(items.area)).tolist() == [2]
    items.fill(np.array([4, 2, 4]))  # repeated and already filled positions: each projected once
    assert np.flatnonzero(~np.isnan(items.area)).tolist() == [2, 4]
    assert items.area[4] == pytest.approx(area_km2(box(64.0, 29.0)) * 1e6, rel=1e-9)


def test_find_conflicts_orders_titles_reserved_areas_then_applications_by_number():
    from maadan.cadastre.applications import find_conflicts

    index = SpatialIndex([("application:10", box(62.0, 29.0)), ("title:B", box(62.05, 29.0)),
                          ("application:9", box(62.1, 29.0)), ("reserved:Zone", box(62.0, 29.1)),
                          ("title:A", box(62.15, 29.05)), ("title:C", box(62.0, 29.05))])
    found = find_conflicts(index, box(62.0, 29.0), skip="title:C")
    # applications by number (9 before 10), not as text; the skipped key left out
    assert [(c.kind, c.ref) for c in found] == [("title", "A"), ("title", "B"), ("reserved", "Zone"),
                                                ("application", "9"), ("application", "10")]
    by_key = {f"{o.key}": o.overlap_km2 for o in index.conflicts(box(62.0, 29.0))}
    assert [c.overlap_km2 for c in found] == [round(by_key[f"{c.kind}:{c.ref}"], 4) for c in found]
    assert found[-1].overlap_km2 == round(area_km2(box(62.0, 29.0)), 4)
