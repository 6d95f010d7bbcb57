import json
from pathlib import Path

import pytest


def square(x: float, y: float, d: float = 0.1) -> dict:
    """A lon/lat square in the Chagai area (0.1° is about 108 km² there)."""
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


@pytest.fixture
def area_file(tmp_path):
    counter = iter(range(10_000))

    def make(geom: dict | str) -> Path:
        p = tmp_path / f"area-{next(counter)}.geojson"
        p.write_text(geom if isinstance(geom, str) else json.dumps(geom))
        return p

    return make
