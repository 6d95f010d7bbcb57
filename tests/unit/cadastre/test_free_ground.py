"""The available ground's geometry (cadastre/ground.free_ground) against answers known by hand and
against the plain `boundary - union_all(taken)` it replaces."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import box

from maadan.cadastre.ground import free_ground

BOUNDARY = box(0, 0, 10, 10)


def test_nothing_taken_leaves_the_boundary():
    assert shapely.equals(free_ground(BOUNDARY, []), BOUNDARY)


def test_disjoint_overlapping_touching_and_crossing_items():
    taken = [box(1, 1, 2, 2),            # alone: 1
             box(3, 3, 5, 5), box(4, 4, 6, 6),  # overlapping: 4 + 4 - 1 = 7
             box(7, 1, 8, 2), box(8, 1, 9, 2),  # touching along an edge: 2
             box(9, 8, 12, 9),           # crossing the boundary: 1 inside
             box(20, 20, 21, 21),        # outside: 0
             shapely.Polygon()]          # empty: 0
    free = free_ground(BOUNDARY, taken)
    assert shapely.is_valid(free)
    assert free.area == 100 - 1 - 7 - 2 - 1
    assert shapely.equals(free, BOUNDARY.difference(shapely.union_all(taken)))


def test_ring_of_items_with_an_island_inside():
    ring = [box(2, 2, 8, 3), box(2, 7, 8, 8), box(2, 3, 3, 7), box(7, 3, 8, 7)]  # a closed ring, area 20
    island = box(4.5, 4.5, 5.5, 5.5)  # inside the ring's hole, touching nothing
    free = free_ground(BOUNDARY, [*ring, island])
    assert shapely.is_valid(free)
    assert free.area == 100 - 20 - 1
    assert shapely.get_num_geometries(free) == 2  # outside the ring, and the ring's hole less the island


def test_same_ground_as_one_union_on_random_items():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 10, 400), rng.uniform(-1, 10, 400)
    w, h = rng.uniform(0.05, 1.5, 400), rng.uniform(0.05, 1.5, 400)
    taken = shapely.box(x, y, x + w, y + h)
    fast = free_ground(BOUNDARY, taken)
    plain = BOUNDARY.difference(shapely.union_all(taken))
    assert shapely.is_valid(fast)
    assert abs(fast.area - plain.area) < 1e-9
    assert shapely.symmetric_difference(fast, plain).area < 1e-9
