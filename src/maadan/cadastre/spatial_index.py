"""Which existing titles, applications or reserved areas does an area overlap, and by how many km²?

One Shapely STRtree over the stored lon/lat geometries, built once per snapshot. A conflict is an
overlap of interiors: areas that only share an edge or a corner are not in conflict, and nor are
overlaps below `min_overlap_km2` (1 m² by default), which are coordinate round-off along a shared
edge, e.g. after a UTM to WGS 84 transform.

Overlap km² are measured like `Area.area_km2`: in the equal-area projection EPSG:6933. Geometries
are projected once each (stored items lazily, on first use) and intersected in that plane, so an
overlap never exceeds either area, and an item inside the query overlaps by exactly its own area.
Per pair, the cheapest exact method is used: two axis-aligned rectangles (lon/lat rectangles stay
rectangles in a cylindrical projection) by arithmetic on their bounds; an item inside the query
by its own area; anything else by a GEOS intersection, in two threads for large batches.

Thread safety: the tree and the stored geometries are only read, never prepared in place (GEOS
prepared geometries are not safe to share between threads, libgeos/geos#825); a query prepares a
private copy of its own geometry. One index can serve concurrent requests.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from maadan.cadastre.geometry import EQUAL_AREA_CRS, WGS84, rectangles, transformer

MIN_OVERLAP_KM2 = 1e-6  # 1 m²
_PARALLEL_PAIRS = 20_000  # below this, threads cost more than they save


@dataclass(frozen=True)
class Overlap:
    key: str
    overlap_km2: float


def _as_array(geometries: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(geometries), dtype=object)
    out[:] = [getattr(g, "geometry", g) for g in geometries]  # an Area or a bare shapely geometry
    return out


def _project(geometries: np.ndarray) -> np.ndarray:
    ea = transformer(WGS84, EQUAL_AREA_CRS)
    return shapely.transform(geometries, lambda xy: np.column_stack(ea.transform(xy[:, 0], xy[:, 1])))


def _rectangles(projected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds, and which geometries are exactly their bounding rectangle (4 corners, no holes)."""
    bounds = shapely.bounds(projected)
    return bounds, rectangles(projected, bounds)


class _Projected:
    """Projected copies, bounds, rectangle flags and areas of some lon/lat geometries, each
    computed once on first use. Concurrent fills may repeat work but write identical values."""

    def __init__(self, geometries: np.ndarray, eager: bool = False):
        n = len(geometries)
        self.lonlat = geometries
        self.geoms = np.full(n, None, dtype=object)
        self.bounds = np.full((n, 4), np.nan)
        self.rect = np.zeros(n, dtype=bool)
        self.area = np.full(n, np.nan)  # m²
        if eager:
            self.fill(np.arange(n))

    def fill(self, idx: np.ndarray) -> None:
        # Only the positions asked for are looked at: a check meets tens or hundreds of the items,
        # and a mask over all of them cost 25 µs a query at 100,000 items, 0.87 ms at a million.
        missing = np.unique(idx[np.isnan(self.area[idx])])
        if len(missing):
            projected = _project(self.lonlat[missing])
            bounds, rect = _rectangles(projected)
            self.geoms[missing], self.bounds[missing], self.rect[missing] = projected, bounds, rect
            self.area[missing] = shapely.area(projected)  # written last: it marks the entry as done


class _Part:
    """Keyed geometries with their projected copies and one STRtree, never changed once built."""

    def __init__(self, keys: Sequence[str] | np.ndarray, geometries: np.ndarray):
        if isinstance(keys, np.ndarray) and keys.dtype == object:
            self.keys = keys
        else:
            self.keys = np.empty(len(keys), dtype=object)
            self.keys[:] = list(keys)
        self.items = _Projected(geometries)
        self.tree = shapely.STRtree(geometries)
        self._positions: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def positions(self) -> dict[str, int]:
        """Key -> position, built once (a second of Python at a million keys: `SpatialIndex.
        prepare_updates` builds it off the request path)."""
        if self._positions is None:
            self._positions = {k: i for i, k in enumerate(self.keys.tolist())}
        return self._positions

    def position(self, key: str) -> int | None:
        return self.positions().get(key)


class SpatialIndex:
    """A spatial index of keyed lon/lat (Multi)Polygons, answering overlap queries.

    An index is never changed in place: `updated` returns a new index that shares the large base
    (its STRtree and projected geometries) and carries what changed since it was built: the base
    positions removed, and a small second part with the items added. Removing or adding one item
    costs a copy of one boolean per item and a rebuild of the small part, not of the base;
    `compacted` folds everything into a new base (done when the added part grows past
    `COMPACT_FRACTION` of the base, see `needs_compaction`). Requests holding the previous index
    keep answering from it unchanged."""

    COMPACT_FRACTION = 0.02
    COMPACT_MIN = 512

    def __init__(self, items: Sequence[tuple[str, BaseGeometry]], *, min_overlap_km2: float = MIN_OVERLAP_KM2,
                 threads: int = 2):
        self._base = _Part([key for key, _ in items], _as_array([g for _, g in items]))
        self._alive: np.ndarray | None = None  # base positions still in the index (None: all)
        self._added = _Part([], _as_array([]))
        self.min_overlap_km2 = min_overlap_km2
        self.threads = threads

    @classmethod
    def from_arrays(cls, keys: np.ndarray, geometries: np.ndarray, *, min_overlap_km2: float = MIN_OVERLAP_KM2,
                    threads: int = 2) -> "SpatialIndex":
        """The same index as `SpatialIndex(list(zip(keys, geometries)))`, built from an object array
        of keys and one of shapely geometries without a Python step per item (a million titles
        at a server's start)."""
        out = cls([], min_overlap_km2=min_overlap_km2, threads=threads)
        out._base = _Part(keys, geometries)
        return out

    def __len__(self) -> int:
        base = len(self._base) if self._alive is None else int(self._alive.sum())
        return base + len(self._added)

    def keys(self) -> list[str]:
        """Every key in the index (base order, then the items added)."""
        base = self._base.keys if self._alive is None else self._base.keys[self._alive]
        return base.tolist() + self._added.keys.tolist()

    @property
    def pending(self) -> int:
        """Changes carried beside the base (removed base items and added items)."""
        removed = 0 if self._alive is None else len(self._base) - int(self._alive.sum())
        return removed + len(self._added)

    def prepare_updates(self) -> None:
        """Build what `updated` needs to find base items by key, so the first update after a
        build does not pay for it (caches.py calls this in a background thread)."""
        self._base.positions()

    def needs_compaction(self) -> bool:
        return len(self._added) > max(self.COMPACT_MIN, self.COMPACT_FRACTION * len(self._base))

    def updated(self, removed: Iterable[str], added: Sequence[tuple[str, BaseGeometry]]) -> "SpatialIndex":
        """A new index without the items keyed `removed` and with `added` (a key both removed and
        added is replaced; a key added twice keeps its last geometry). This index is left as it was."""
        added = list(dict(added).items())
        gone = set(removed) | {k for k, _ in added}
        alive = None if self._alive is None else self._alive.copy()
        for key in gone:
            pos = self._base.position(key)
            if pos is not None:
                if alive is None:
                    alive = np.ones(len(self._base), dtype=bool)
                alive[pos] = False
        keep = [i for i, k in enumerate(self._added.keys.tolist()) if k not in gone]
        keys = self._added.keys[keep].tolist() + [k for k, _ in added]
        geoms = np.concatenate([self._added.items.lonlat[keep], _as_array([g for _, g in added])])
        out = object.__new__(SpatialIndex)
        out._base, out._alive, out.min_overlap_km2, out.threads = self._base, alive, self.min_overlap_km2, self.threads
        out._added = self._added if len(keep) == len(self._added) and not added else _Part(keys, geoms)
        return out

    def compacted(self) -> "SpatialIndex":
        """The same items in one freshly built base (geometries reused, nothing read again)."""
        base = self._base.items.lonlat if self._alive is None else self._base.items.lonlat[self._alive]
        keys = self.keys()
        geoms = np.concatenate([base, self._added.items.lonlat])
        return SpatialIndex(list(zip(keys, geoms)), min_overlap_km2=self.min_overlap_km2, threads=self.threads)

    def _pairs(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (query, item position, item key) whose interiors may overlap, with their overlap
        in km², from the base (its removed items left out) and then from the items added (whose
        positions follow the base's)."""
        prepared = shapely.transform(queries, lambda xy: xy)  # private copies, safe to prepare
        shapely.prepare(prepared)
        mine = _Projected(queries, eager=True)
        qs, ts, keys, km2 = [], [], [], []
        for part, alive, offset in ((self._base, self._alive, 0), (self._added, None, len(self._base))):
            if not len(part):
                continue
            q, t, m2 = self._part_pairs(part, prepared, mine)
            if alive is not None:
                live = alive[t]
                q, t, m2 = q[live], t[live], m2[live]
            qs.append(q), ts.append(t + offset), keys.append(part.keys[t]), km2.append(m2)
        if not qs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0)
        return np.concatenate(qs), np.concatenate(ts), np.concatenate(keys), np.concatenate(km2)

    def _part_pairs(self, part: _Part, prepared: np.ndarray, mine: _Projected) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The tree is queried on bounding boxes only: for two rectangles the boxes are the shapes,
        so arithmetic decides; other pairs go through the `intersects` predicate pair by pair
        (vectorised), which skips its cost on the rectangle pairs that usually dominate."""
        q, t = part.tree.query(prepared)
        items = part.items
        items.fill(t)
        m2 = np.zeros(len(q))
        rect = mine.rect[q] & items.rect[t]
        if rect.any():
            a, b = mine.bounds[q[rect]], items.bounds[t[rect]]
            w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
            h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
            m2[rect] = np.clip(w, 0, None) * np.clip(h, 0, None)
        other = np.flatnonzero(~rect)
        if len(other):
            other = other[shapely.intersects(prepared[q[other]], items.lonlat[t[other]])]
            inside = shapely.contains(prepared[q[other]], items.lonlat[t[other]])
            m2[other[inside]] = items.area[t[other[inside]]]
            self._intersect(mine.geoms, items.geoms, q, t, other[~inside], m2)
        return q, t, m2 / 1e6

    def _intersect(self, queries: np.ndarray, geoms: np.ndarray, q: np.ndarray, t: np.ndarray, pick: np.ndarray,
                   out: np.ndarray) -> None:
        if not len(pick):
            return
        a, b = queries[q[pick]], geoms[t[pick]]
        if self.threads > 1 and len(pick) >= _PARALLEL_PAIRS:
            # Shapely releases the GIL inside vectorised GEOS calls, so chunks run on separate cores.
            chunks = np.array_split(np.arange(len(pick)), self.threads)
            with ThreadPoolExecutor(self.threads) as pool:
                parts = list(pool.map(lambda c: shapely.area(shapely.intersection(a[c], b[c])), chunks))
            out[pick] = np.concatenate(parts)
        else:
            out[pick] = shapely.area(shapely.intersection(a, b))

    def conflicts(self, geometry: BaseGeometry) -> list[Overlap]:
        """Items whose interior overlaps the geometry's, largest overlap first (ties by key)."""
        keys, km2 = self.overlaps(geometry)
        return sorted((Overlap(k, a) for k, a in zip(keys, km2)), key=lambda o: (-o.overlap_km2, o.key))

    def overlaps(self, geometry: BaseGeometry) -> tuple[list[str], list[float]]:
        """The keys of the items whose interior overlaps the geometry's and the overlaps in km², in
        no particular order and without an object per item: a check at a million titles meets
        hundreds of them (`cadastre.applications.find_conflicts` orders them its own way)."""
        queries = _as_array([geometry])
        if not len(self) or queries[0] is None or queries[0].is_empty:
            return [], []
        _, _, keys, km2 = self._pairs(queries)
        keep = km2 > self.min_overlap_km2
        return keys[keep].tolist(), km2[keep].tolist()

    def bulk_conflicts(self, geometries: Sequence[BaseGeometry]) -> list[tuple[int, str, float]]:
        """(position in `geometries`, key, overlap km²) for every pair whose interiors overlap, in
        input order then item order (the base's, then the items added): one STRtree query over the
        whole array and vectorised filtering, no Python loop over pairs."""
        queries = _as_array(geometries)
        if not len(self) or not len(queries):
            return []
        q, t, keys, km2 = self._pairs(queries)
        keep = np.flatnonzero(km2 > self.min_overlap_km2)
        keep = keep[np.lexsort((t[keep], q[keep]))]
        return list(zip(q[keep].tolist(), keys[keep].tolist(), km2[keep].tolist()))
