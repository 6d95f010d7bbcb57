"""Cadastral grid cells: a fixed grid of quadrangles that an area can be given in, as the World
Bank cadastre guidance recommends (the DRC uses 30 arc-second squares).

A cell id is "{s}s:R{row}C{col}": s is the cell size in arc-seconds (a divisor of 3600, so cells
tile whole degrees); row 0 starts at latitude 90°N and counts south, col 0 starts at longitude
180°W and counts east. Cell R r C c spans longitude [-180 + c*s/3600, -180 + (c+1)*s/3600] and
latitude [90 - (r+1)*s/3600, 90 - r*s/3600]. Edges are computed in integer arc-seconds and
divided once, so neighbouring cells share bit-identical edges and unions merge exactly.
A selection need not be contiguous: separate groups become the parts of a MultiPolygon."""

from __future__ import annotations

import math
import re

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from maadan.cadastre.geometry import WGS84, Area, GeometryError, finish

MAX_CELLS = 100_000
_CELL_ID = re.compile(r"(\d+)s:R(\d+)C(\d+)")


def _cell_edges(rows: np.ndarray, cols: np.ndarray, s: int) -> tuple[np.ndarray, ...]:
    west = (cols * s - 648_000) / 3600.0
    east = ((cols + 1) * s - 648_000) / 3600.0
    north = (324_000 - rows * s) / 3600.0
    south = (324_000 - (rows + 1) * s) / 3600.0
    return west, south, east, north


def _check_cell_size(cell_arcsec: int) -> int:
    if isinstance(cell_arcsec, bool) or not isinstance(cell_arcsec, int) or cell_arcsec <= 0 or 3600 % cell_arcsec:
        raise GeometryError(f"cell size {cell_arcsec!r} arc-seconds is not usable: give a divisor of 3600 "
                            "such as 15, 30 or 60", details={"cell_arcsec": cell_arcsec})
    return cell_arcsec


def geometry_from_cells(cells: list[str], cell_arcsec: int = 30) -> Area:
    """The Area covered by grid cells (ids as documented above); refuses malformed, out-of-range,
    wrong-size and repeated ids, naming each by its position in the list."""
    s = _check_cell_size(cell_arcsec)
    if not cells:
        raise GeometryError("no cells given: list at least one grid cell id such as '30s:R7254C29527'")
    if len(cells) > MAX_CELLS:
        raise GeometryError(f"too many cells: {len(cells):,} given, the limit is {MAX_CELLS:,}",
                            details={"count": len(cells), "limit": MAX_CELLS})
    n_rows, n_cols = 648_000 // s, 1_296_000 // s
    rows, cols, seen = np.empty(len(cells), np.int64), np.empty(len(cells), np.int64), {}
    for i, cell in enumerate(cells):
        match = _CELL_ID.fullmatch(cell.strip()) if isinstance(cell, str) else None
        if not match:
            raise GeometryError(f"cells[{i}]: {cell!r} is not a cell id; the form is '{s}s:R<row>C<col>', "
                                f"e.g. '{s}s:R{n_rows // 3}C{n_cols // 2}'", details={"index": i, "cell": cell})
        size, row, col = (int(g) for g in match.groups())
        if size != s:
            raise GeometryError(f"cells[{i}]: {cell!r} is a {size} arc-second cell; this grid uses {s} arc-second cells",
                                details={"index": i, "cell": cell, "cell_arcsec": s})
        if row >= n_rows or col >= n_cols:
            raise GeometryError(f"cells[{i}]: {cell!r} is off the grid: rows run 0-{n_rows - 1}, columns 0-{n_cols - 1}",
                                details={"index": i, "cell": cell})
        if (row, col) in seen:
            raise GeometryError(f"cells[{i}]: {cell!r} repeats cells[{seen[row, col]}]",
                                details={"index": i, "cell": cell, "first": seen[row, col]})
        seen[row, col] = i
        rows[i], cols[i] = row, col
    # simplify(0) drops the cell corners left in straight edges; all edges are grid lines, so nothing moves
    union = shapely.simplify(shapely.union_all(shapely.box(*_cell_edges(rows, cols, s))), 0)
    if union.geom_type == "GeometryCollection":  # corner-touching groups can come back this way
        union = shapely.MultiPolygon(list(shapely.get_parts(union)))
    return finish(union, WGS84)


def cells_for(geometry: BaseGeometry | Area, cell_arcsec: int = 30, *, max_cells: int = 1_000_000) -> list[str]:
    """Ids of the grid cells whose interior overlaps the geometry's interior (a cell touched only
    along an edge or at a corner is left out), sorted by row then column."""
    s = _check_cell_size(cell_arcsec)
    geometry = geometry.geometry if isinstance(geometry, Area) else geometry
    if geometry is None or geometry.is_empty:
        return []
    min_x, min_y, max_x, max_y = geometry.bounds
    n_rows, n_cols = 648_000 // s, 1_296_000 // s
    # one cell of margin on each side absorbs rounding in the bounds; the predicates decide
    c0, c1 = max(0, math.floor((min_x + 180) * 3600 / s) - 1), min(n_cols - 1, math.floor((max_x + 180) * 3600 / s) + 1)
    r0, r1 = max(0, math.floor((90 - max_y) * 3600 / s) - 1), min(n_rows - 1, math.floor((90 - min_y) * 3600 / s) + 1)
    count = (r1 - r0 + 1) * (c1 - c0 + 1)
    if count > max_cells:
        raise GeometryError(f"the geometry spans {count:,} candidate {s} arc-second cells, more than {max_cells:,}",
                            details={"candidates": count, "limit": max_cells})
    rows, cols = (a.ravel() for a in np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij"))
    boxes = shapely.box(*_cell_edges(rows, cols, s))
    geometry = shapely.transform(geometry, lambda xy: xy)  # a private copy to prepare: callers may share theirs
    shapely.prepare(geometry)
    hit = shapely.intersects(geometry, boxes)
    hit[hit] = ~shapely.touches(geometry, boxes[hit])
    return [f"{s}s:R{r}C{c}" for r, c in zip(rows[hit].tolist(), cols[hit].tolist())]
