"""Jurisdiction boundaries: the bundled province outlines (Natural Earth 1:10m, public domain; see
data/boundaries/PROVENANCE.md) or an authority's own official boundary file."""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from maadan import bundled
from maadan.cadastre.geometry import GeometryError, parse_area
from maadan.errors import NotFound

# Codes Natural Earth still uses, mapped to today's ISO 3166-2 codes.
ALIASES = {"PK-NW": "PK-KP", "PK-NA": "PK-GB"}
MAX_BOUNDARY_VERTICES = 5_000_000  # official files are detailed; the point is to refuse absurd ones


@dataclass(frozen=True)
class Boundary:
    """A jurisdiction's outline in lon/lat WGS 84, with where it came from and how far to trust it."""

    code: str
    name: str
    geometry: BaseGeometry  # shapely Polygon or MultiPolygon
    source: str
    caveat: str
    area_km2: float = 0.0  # equal-area, as geometry.area_km2
    vertex_count: int = 0


def _bundled_dir() -> Path:
    return Path(str(resources.files("maadan") / "data" / "boundaries"))


def available_boundaries() -> list[str]:
    """Codes of the bundled boundaries, e.g. ['PK-BA', 'PK-GB', ...]."""
    return list(_bundled_codes())


@lru_cache(maxsize=1)
def _bundled_codes() -> tuple[str, ...]:
    # The package's files do not change while it runs; listing the folder took 45 µs a lookup
    # (every check and filing looks its jurisdiction's boundary up).
    return tuple(bundled.ids(_bundled_dir(), ".geojson"))


def _zones_dir() -> Path:
    return _bundled_dir() / "zones"


def available_zones() -> list[str]:
    """Codes of the bundled zones: parts of a jurisdiction where a rule applies on its own (e.g.
    PK-KP-MD, Khyber Pakhtunkhwa's merged former tribal districts)."""
    return bundled.ids(_zones_dir(), ".geojson")


def load_zone(code: str) -> Boundary:
    """The bundled zone `code` (cached); NotFound naming the known zones."""
    return _zone(str(bundled.find(_zones_dir(), ".geojson", str(code), "zone")))


@lru_cache(maxsize=None)
def _zone(path: str) -> Boundary:
    return _read(Path(path).stem, Path(path), bundled=True)


def zones_touched(geometry: BaseGeometry, codes: tuple[str, ...] | list[str]) -> set[str]:
    """Which of the zones `codes` the area (lon/lat) overlaps."""
    return {c for c in codes if load_zone(c).geometry.intersects(geometry)}


def load_boundary(code: str, path: Path | str | None = None) -> Boundary:
    """The bundled boundary for `code` (cached), or the boundary in the GeoJSON file at `path`
    (Polygon, MultiPolygon, Feature or one-feature FeatureCollection, any supported CRS).
    An unusable file raises GeometryError; an unknown code raises NotFound."""
    if path is not None:
        return _read(code, Path(path), bundled=False)
    key = str(code).strip().upper()
    key = ALIASES.get(key, key)
    official = os.environ.get("MAADAN_BOUNDARIES_DIR")
    # The code comes from users (a form, an imported file): it is looked up among the files the
    # folder holds, never joined into a path.
    if official and key in {k.upper() for k in bundled.ids(Path(official), ".geojson")}:
        return _official(key, str(bundled.find(Path(official), ".geojson", key, "boundary", fold_case=True)))
    known = available_boundaries()
    if key not in known:
        hint = difflib.get_close_matches(key, known, n=3, cutoff=0.6) or known
        if key == "PK-TA":
            hint = ["PK-KP"]  # FATA merged into Khyber Pakhtunkhwa in 2018
        raise NotFound("boundary", str(code), hint)
    return _bundled(key)


@lru_cache(maxsize=None)
def _official(code: str, path: str) -> Boundary:
    return _read(code, Path(path), bundled=False)


@lru_cache(maxsize=None)
def _bundled(code: str) -> Boundary:
    return _read(code, _bundled_dir() / f"{code}.geojson", bundled=True)


def _read(code: str, path: Path, *, bundled: bool) -> Boundary:
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise GeometryError(f"{path}: cannot read the boundary file ({exc.strerror or exc})",
                            details={"path": str(path)}) from None
    try:
        area = parse_area(text, max_vertices=MAX_BOUNDARY_VERTICES)
    except GeometryError as exc:
        raise GeometryError(f"{path}: {exc.message}", details={**exc.details, "path": str(path)}) from None
    props: dict = {}
    try:  # names and provenance from Feature properties, when there are any
        doc = json.loads(text)
        feature = doc["features"][0] if doc.get("type") == "FeatureCollection" else doc
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        props = {}
    source = props.get("source") if bundled else f"{path} (official file loaded by the authority)"
    caveat = props.get("caveat") if bundled else str(props.get("caveat") or "")
    return Boundary(code=str(props.get("code") or code) if bundled else str(code),
                    name=str(props.get("name") or code), geometry=area.geometry, source=str(source or path),
                    caveat=str(caveat or ""), area_km2=area.area_km2, vertex_count=area.vertex_count)
