"""The tile cache's bookkeeping without a store: which cached tiles a change drops (ogc/tiles.py)."""

from __future__ import annotations

import numpy as np
import pytest

from maadan.ogc import tiles


class _Log:
    """A stand-in unit of work whose change log holds `rows` (version, kind, ref, box) per jurisdiction."""

    def __init__(self, rows: dict[str, list[tuple[int, str, str, tuple | None]]], pruned: bool = False):
        self.rows, self.pruned = rows, pruned
        self.cadastre = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def spatial_change_boxes(self, jurisdiction, after, upto):
        if self.pruned:
            return None
        return [(k, r, b) for v, k, r, b in self.rows.get(jurisdiction, []) if after < v <= upto]


CHAGAI = (63.0, 28.9, 63.05, 28.95)


def test_the_changed_envelopes_of_a_collection_come_back_in_mercator():
    log = _Log({"PK-BA": [(3, "title", "T1", CHAGAI), (4, "application", "7", (64.0, 28.0, 64.1, 28.1)),
                          (5, "title", "T2", (66.0, 27.0, 66.2, 27.3))]})
    boxes = tiles._changed_boxes(log, "titles", {"PK-BA": 3}, {"PK-BA": 5})  # after version 3: T2 only
    assert boxes.shape == (1, 4)
    merc = tiles.lonlat_to_mercator(np.array([[66.0, 27.0], [66.2, 27.3]]))
    assert np.allclose(boxes[0], [*merc[0], *merc[1]])
    assert tiles._changed_boxes(log, "applications", {"PK-BA": 0}, {"PK-BA": 5}).shape == (1, 4)
    assert tiles._changed_boxes(log, "reserved-areas", {"PK-BA": 0}, {"PK-BA": 5}).shape == (0, 4)
    assert tiles._changed_boxes(log, "titles", {"PK-BA": 5}, {"PK-BA": 5}).shape == (0, 4)  # nothing new


@pytest.mark.parametrize("rows, pruned", [
    ({"PK-BA": [(2, "*", "", None)]}, False),  # a bulk load
    ({"PK-BA": [(2, "title", "T1", None)]}, False),  # logged before the log kept envelopes
    ({"PK-BA": [(2, "title", "T1", CHAGAI)]}, True),  # the log no longer reaches back
])
def test_a_change_without_an_envelope_drops_every_tile(rows, pruned):
    assert tiles._changed_boxes(_Log(rows, pruned), "titles", {"PK-BA": 1}, {"PK-BA": 2}) is None


def test_a_change_elsewhere_keeps_a_cached_postgis_tile_and_one_over_it_drops_it(monkeypatch):
    cache = tiles._TileCache()
    monkeypatch.setattr(tiles, "_changed_boxes", lambda uow, c, before, now: boxes.pop(0))

    class Uow:
        key = "db"

    titles = tiles.tiled("titles")
    z, x, y = 12, 2764, 1709
    t = tiles.TileAddress(z, x, y)
    west, south, east, north = t.lonlat_bounds(0)
    near = (west + 1e-4, south + 1e-4, west + 2e-4, south + 2e-4)
    far = (70.0, 30.0, 70.1, 30.1)
    as_merc = lambda b: np.hstack([tiles.lonlat_to_mercator(np.array([b[:2]])),  # noqa: E731
                                   tiles.lonlat_to_mercator(np.array([b[2:]]))])
    boxes = [as_merc(far), as_merc(near)]
    key = ("db", "titles", "pg", z, x, y)
    built = []

    def get(versions):
        generation = cache.postgis_generation(Uow(), titles, versions)
        return cache.tile(key, generation, lambda: built.append(1) or b"tile")

    first = get({"PK-BA": 1})
    assert get({"PK-BA": 1}) is first and len(built) == 1
    assert get({"PK-BA": 2}) is first and len(built) == 1  # the change was far away: carried over
    assert get({"PK-BA": 3}) is not first and len(built) == 2  # this one met the tile: built again
    assert cache.counts["evicted"] == 1 and cache.counts["postgis-caught-up"] == 2
