"""An index updated in place of a rebuild (items removed, added, replaced; then compacted) answers
exactly like an index freshly built from the same items."""

from __future__ import annotations

import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from maadan.cadastre.spatial_index import SpatialIndex

# A 6 × 4 grid of cells near Chagai; each item is a square or a triangle in a cell, of one of three
# sizes, so neighbours overlap, touch or stay apart.
CELLS = [(62.0 + 0.05 * i, 29.0 + 0.05 * j) for i in range(6) for j in range(4)]


def shape(cell: int, size: int, triangle: bool):
    x, y = CELLS[cell]
    d = (0.03, 0.05, 0.08)[size]
    if triangle:
        return shapely.Polygon([(x, y), (x + d, y), (x, y + d), (x, y)])
    return shapely.box(x, y, x + d, y + d)


geometries = st.builds(shape, st.integers(0, len(CELLS) - 1), st.integers(0, 2), st.booleans())
keys = st.sampled_from([f"{kind}:{i}" for kind in ("title", "application", "reserved") for i in range(12)])
steps = st.lists(st.tuples(st.lists(keys, max_size=3), st.lists(st.tuples(keys, geometries), max_size=3)),
                 min_size=1, max_size=12)
PROBES = [shape(c, s, tri) for c in range(0, len(CELLS), 3) for s in (1, 2) for tri in (False, True)]


def same_answers(index: SpatialIndex, items: dict) -> None:
    fresh = SpatialIndex(list(items.items()))
    assert sorted(index.keys()) == sorted(items) and len(index) == len(items)
    for probe in PROBES:
        assert index.conflicts(probe) == fresh.conflicts(probe)
    assert sorted(index.bulk_conflicts(PROBES)) == sorted(fresh.bulk_conflicts(PROBES))


@settings(max_examples=60)
@given(start=st.dictionaries(keys, geometries, max_size=10), changes=steps, compact_at=st.integers(0, 12))
def test_updates_answer_like_a_fresh_index(start, changes, compact_at):
    items = dict(start)
    index = SpatialIndex(list(items.items()))
    for i, (removed, added) in enumerate(changes):
        before = index.keys()
        index_after = index.updated(removed, added)
        assert index.keys() == before  # the old index is left as it was
        index = index_after.compacted() if i == compact_at else index_after
        for k in removed:
            items.pop(k, None)
        for k, g in added:
            items.pop(k, None)
            items[k] = g
        same_answers(index, items)


def test_replacing_an_item_moves_its_ground():
    index = SpatialIndex([("title:A", shape(0, 1, False)), ("title:B", shape(10, 1, False))])
    moved = index.updated(["title:A"], [("title:A", shape(20, 1, False))])
    assert [o.key for o in moved.conflicts(shape(0, 1, False))] == []
    assert [o.key for o in moved.conflicts(shape(20, 1, False))] == ["title:A"]
    assert [o.key for o in index.conflicts(shape(0, 1, False))] == ["title:A"]  # unchanged
    assert moved.pending == 2 and not moved.needs_compaction()


def test_compaction_is_due_when_the_added_part_grows():
    base = SpatialIndex([(f"title:{i}", shape(i % len(CELLS), 0, False)) for i in range(100)])
    grown = base.updated([], [(f"application:{i}", shape(i % len(CELLS), 0, True)) for i in range(SpatialIndex.COMPACT_MIN + 1)])
    assert grown.needs_compaction()
    compact = grown.compacted()
    assert compact.pending == 0 and len(compact) == len(grown) == 100 + SpatialIndex.COMPACT_MIN + 1


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(keys, geometries, max_size=12), steps)
def test_an_index_built_from_arrays_equals_one_built_from_pairs(items, changes):
    """`from_arrays` (a server's start at a million titles: no Python step per item) builds the same
    index as the constructor, and updates it the same way."""
    import numpy as np

    pairs = list(items.items())
    key_array = np.empty(len(pairs), dtype=object)
    key_array[:] = [k for k, _ in pairs]
    geoms = np.empty(len(pairs), dtype=object)
    geoms[:] = [g for _, g in pairs]
    a, b = SpatialIndex.from_arrays(key_array, geoms), SpatialIndex(pairs)
    for removed, added in [([], [])] + changes:
        a, b = a.updated(removed, added), b.updated(removed, added)
        assert a.keys() == b.keys()
        assert [a.conflicts(p) for p in PROBES] == [b.conflicts(p) for p in PROBES]
        assert a.bulk_conflicts(PROBES) == b.bulk_conflicts(PROBES)
