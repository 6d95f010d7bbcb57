"""ApplicationInput.fingerprint(): what the CLI's --idempotency-key compares. Every field is in it, so an
option added to the input cannot be left out of the comparison."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from maadan.cadastre.model import Holder
from maadan.cadastre.service import ApplicationInput, AreaInput

AREA = b'{"type": "Polygon", "coordinates": [[[66.5, 28.0], [66.6, 28.0], [66.6, 28.1], [66.5, 28.0]]]}'
BASE = ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                        holders=(Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private"),),
                        area=AreaInput(geojson=AREA), applicant_org="chagai-minerals")
OTHER = {"jurisdiction": "PK-PB", "title_type": "ML", "minerals": ("gold",),
         "holders": (Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private", local_to=("chagai",)),),
         "area": AreaInput(geojson=AREA.replace(b"66.6", b"66.7")), "applicant_org": "ussm",
         "declarations": ("bona-fide-industrial-user",), "converts": "PK-BA/EL/2026/0001",
         "received_at": datetime(2026, 12, 1, 10, 30, tzinfo=timezone(timedelta(hours=5)))}


def test_equal_inputs_have_equal_fingerprints():
    same = dataclasses.replace(BASE, area=AreaInput(geojson=bytes(AREA)))
    assert BASE.fingerprint() == same.fingerprint() and len(BASE.fingerprint()) == 64


def test_every_field_changes_the_fingerprint():
    assert set(OTHER) == {f.name for f in dataclasses.fields(ApplicationInput)}, "a new field: add it to OTHER"
    seen = {BASE.fingerprint()}
    for name, value in OTHER.items():
        changed = dataclasses.replace(BASE, **{name: value}).fingerprint()
        assert changed not in seen, name
        seen.add(changed)
    cells = dataclasses.replace(BASE, area=AreaInput(cells=("a1", "a2"))).fingerprint()
    crs = dataclasses.replace(BASE, area=AreaInput(geojson=AREA, crs="EPSG:32642")).fingerprint()
    assert len({cells, crs} | seen) == len(seen) + 2
