"""Located deposits (issue 13 item 6): every location of the research notes with its kind and
confidence, conflicting readings kept, the rest explicitly unlocated; distances that count an
uncertain location from its edge; and bad location files refused with file, line and key."""

from __future__ import annotations

import shutil

import pytest
import shapely

from maadan.errors import DataFileError
from maadan.ingest import reference
from maadan.ingest.project_data import read_project
from maadan.projects.model import Location


@pytest.fixture(scope="module")
def projects():
    catalogue = reference.load_mineral_catalogue()
    orgs = reference.load_organisations({m.id for m in catalogue.minerals})
    return {p.id: p for p in reference.load_projects(catalogue, orgs)}


def test_every_location_of_the_research_notes_with_its_kind_and_confidence(projects):
    kinds = {pid: [(loc.kind, loc.confidence, loc.preferred) for loc in p.locations] for pid, p in projects.items()}
    assert kinds["reko-diq"] == [("point", "high", True), ("point", "low", False)]  # the second reading is kept
    assert kinds["saindak"][0] == ("point", "medium", True)
    assert kinds["thar-block-ii"] == [("box", "medium", True), ("box", "medium", False)]  # block, whole field
    assert kinds["lakhra-coal"] == [("box", "high", True)]
    assert kinds["nokkundi-iron"] == [("point", "low", True)]  # Chilghazi, from a garbled source
    assert kinds["chiniot-rajoa-iron"] == [("circle", "low", True)]
    assert projects["chiniot-rajoa-iron"].location.derived and projects["chiniot-rajoa-iron"].location.radius_km == 5
    assert kinds["qila-abdullah-antimony"] == [("box", "low", True)]
    thar = projects["thar-block-ii"].location
    assert (thar.south, thar.north, thar.west, thar.east) == pytest.approx((24.7333, 24.85, 70.25, 70.4167), abs=1e-4)
    lakhra = projects["lakhra-coal"].location
    assert (lakhra.south, lakhra.north, lakhra.west, lakhra.east) == pytest.approx((25.5833, 25.9167, 68.0, 68.2), abs=1e-4)
    assert projects["reko-diq"].location.lat == pytest.approx(29.1297)


def test_the_rest_stay_explicitly_unlocated(projects):
    unlocated = {pid for pid, p in projects.items() if not p.locations}
    assert unlocated == {"duddar", "gunga-surmai", "muslim-bagh-chromite", "chagai-porphyry-prospects",
                         "gilgit-baltistan-lithium-pegmatites", "hamun-e-mashkel-el-250", "chitral-antimony",
                         "loe-shilman-carbonatite", "north-waziristan-copper"}
    assert all(projects[pid].location_note and "Unlocated" in projects[pid].location_note for pid in unlocated)
    assert sum(bool(p.locations) for p in projects.values()) == 8


def test_distances_count_an_uncertain_location_from_its_edge():
    box = Location(kind="box", lat=24.79, lon=70.33, south=24.7333, north=24.85, west=70.25, east=70.4167)
    inside = box.distances_km(24.80, 70.30)
    assert inside[0] == 0 and inside[1] > 0
    nearest, centre = box.distances_km(24.80, 70.60)  # east of the box
    assert nearest == pytest.approx(18.6, abs=0.5) and centre > nearest
    circle = Location(kind="circle", lat=31.693, lon=72.9789, radius_km=5)
    near, centre = circle.distances_km(31.693, 73.05)
    assert near == pytest.approx(centre - 5, abs=0.01)
    assert circle.distances_km(31.693, 72.98)[0] == 0
    point = Location(kind="point", lat=29.1297, lon=62.0606)
    assert point.distances_km(29.1297, 62.0606) == (0.0, 0.0)


def test_the_area_of_an_uncertain_location():
    circle = Location(kind="circle", lat=31.693, lon=72.9789, radius_km=5).geometry()
    assert circle.geom_type == "Polygon" and circle.contains(shapely.Point(72.9789, 31.693))
    # about pi * 5^2 km2 (degrees converted at this latitude)
    km2 = circle.area * 111.32 ** 2 * abs(__import__("math").cos(__import__("math").radians(31.693)))
    assert km2 == pytest.approx(78.5, rel=0.03)
    box = Location(kind="box", lat=0, lon=0, south=24.7, north=24.8, west=70.2, east=70.4).geometry()
    assert box.bounds == pytest.approx((70.2, 24.7, 70.4, 24.8))


BASE = """id: bad
name: Bad
kind: deposit
country: PK
province: Sindh
commodities: [coal]
status: exploration
ownership_incomplete: true
claims:
  status:
    sources:
      - {ref: dawn-2025-11-24-exim, quote: "q"}
locations:
%s
"""


def _read(tmp_path, locations: str):
    path = tmp_path / "bad.yaml"
    path.write_text(BASE % locations, encoding="utf-8")
    from maadan.ingest.agreement_data import source_catalogue

    return read_project(path, "data/projects/bad.yaml", source_catalogue(), {"coal"}, set())


@pytest.mark.parametrize("locations, line, key, message", [
    ("  - {kind: box, south: 25.9, north: 25.5, west: 68.0, east: 68.2, confidence: high, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].south", "south 25.9 is not below north 25.5"),
    ("  - kind: box\n    south: 25.5\n    north: 25.9\n    west: 68.3\n    east: 68.2\n    confidence: high\n"
     "    sources: [{ref: mpnr-lcdc, quote: q}]", 17, "locations[0].west", "west 68.3 is not west of east 68.2"),
    ("  - kind: point\n    lat: 48.85\n    lon: 2.35\n    confidence: high\n    sources: [{ref: mpnr-lcdc, quote: q}]",
     15, "locations[0].lat", "lies outside PK"),
    ("  - {kind: point, lat: 62.06, lon: 29.13, confidence: high, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].lat", "are latitude and longitude swapped?"),
    ("  - {kind: box, south: 40, north: 41, west: 10, east: 11, confidence: low, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].south", "lies outside PK"),
    ("  - {kind: circle, lat: 25.7, lon: 68.1, confidence: low, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].radius_km", "must be a number"),
    ("  - {kind: polygon, lat: 25.7, lon: 68.1, confidence: low, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].kind", "'polygon' is not one of point, box, circle"),
    ("  - {kind: point, lat: 25.7, lon: 68.1, confidence: sure, sources: [{ref: mpnr-lcdc, quote: q}]}",
     14, "locations[0].confidence", "'sure' is not one of high, medium, low"),
    ("  - {kind: point, lat: 25.7, lon: 68.1, confidence: high}",
     14, "locations[0].sources", "has no source"),
    ("  - {kind: point, lat: 25.7, lon: 68.1, confidence: high, sources: [{ref: nowhere, quote: q}]}",
     14, "ref", "unknown source 'nowhere'"),
])
def test_a_bad_location_names_the_file_line_and_key(tmp_path, locations, line, key, message):
    with pytest.raises(DataFileError) as exc:
        _read(tmp_path, locations)
    text = exc.value.message
    assert text.startswith(f"data/projects/bad.yaml, line {line}, key '{key}'"), text
    assert message in text


def test_a_good_location_loads(tmp_path):
    p = _read(tmp_path, "  - {kind: box, south: 25.5833, north: 25.9167, west: 68.0, east: 68.2, confidence: high, "
                        "sources: [{ref: mpnr-lcdc, quote: q}]}")
    assert p.location.kind == "box" and p.location.lat == pytest.approx(25.75)


def test_one_bad_file_stops_the_whole_bundle(tmp_path):
    folder = tmp_path / "projects"
    shutil.copytree(reference.data_dir() / "projects", folder)
    text = (folder / "lakhra-coal.yaml").read_text(encoding="utf-8")
    (folder / "lakhra-coal.yaml").write_text(text.replace("south: 25.5833", "south: 26.5833"), encoding="utf-8")
    catalogue = reference.load_mineral_catalogue()
    orgs = reference.load_organisations({m.id for m in catalogue.minerals})
    with pytest.raises(DataFileError, match=r"lakhra-coal.yaml, line \d+, key 'locations\[0\].south'"):
        reference.load_projects(catalogue, orgs, folder=folder)
