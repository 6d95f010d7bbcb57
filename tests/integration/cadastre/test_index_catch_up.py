"""The spatial index follows changes without rebuilding: a filing, a withdrawal or a relinquishment in
another process reaches this process's index through the store's spatial change log (issue 12 item 3)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import shapely

from maadan.cadastre import service
from maadan.cadastre.caches import CACHES, built_index, index_state
from maadan.cadastre.model import Holder
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.cadastre.conftest import square


def _maadan(url: str, *args: str) -> dict:
    exe = shutil.which("maadan", path=str(Path(sys.executable).parent)) or "maadan"
    done = subprocess.run([exe, *args, "--json"], env=dict(os.environ, MAADAN_DATABASE_URL=url),
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _check(engine, geom: dict) -> list[str]:
    report = service.check(UnitOfWork(engine), "PK-BA", "EL", service.AreaInput(geojson=json.dumps(geom)))
    return sorted(f"{c.kind}:{c.ref}" for c in report.conflicts)


def test_a_filing_in_another_process_reaches_this_index_without_a_rebuild(copy_cli, tmp_path):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": copy_cli.url}))
    try:
        here = service.apply(UnitOfWork(engine, write=True), service.ApplicationInput(
            jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=(Holder("Here (Pvt) Ltd", 100.0, "PK"),),
            area=service.AreaInput(geojson=json.dumps(square(64.0, 28.8)))), actor="here")
        probe = square(64.05, 28.85)
        assert _check(engine, probe) == [f"application:{here.application.number}"]  # this process's index is warm
        built = CACHES.counts["built"]

        area = tmp_path / "there.geojson"
        area.write_text(json.dumps(square(64.08, 28.88)))
        there = _maadan(copy_cli.url, "cadastre", "apply", str(area), "--type", "EL", "--mineral", "copper",
                        "--holder", "There (Pvt) Ltd=100:PK")
        caught_up = CACHES.counts["caught-up"]
        assert _check(engine, probe) == sorted([f"application:{here.application.number}", f"application:{there['number']}"])
        assert CACHES.counts["caught-up"] == caught_up + 1 and CACHES.counts["built"] == built

        _maadan(copy_cli.url, "cadastre", "decide", str(here.application.number), "withdraw", "--reason", "test")
        assert _check(engine, probe) == [f"application:{there['number']}"]
        assert CACHES.counts["built"] == built

        with UnitOfWork(engine) as uow:  # the index caught up is the index built afresh
            held = index_state(uow, "PK-BA")
            fresh = built_index(uow.cadastre, "PK-BA")
            assert held.how == "caught-up" and sorted(held.index.keys()) == sorted(fresh.keys())
            probes = [shapely.geometry.shape(square(64.0 + 0.02 * i, 28.8 + 0.02 * i)) for i in range(6)]
            assert sorted(held.index.bulk_conflicts(probes)) == sorted(fresh.bulk_conflicts(probes))
    finally:
        engine.dispose()
