"""Many applicants filing overlapping areas at the same moment: every filing is recorded with a
gapless number and, received the same day, all of them compete in one group (rule 10)."""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from maadan.cadastre import service
from maadan.cadastre.model import Holder
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.cadastre.conftest import square

N_THREADS = 8
N_PROCESSES = 4


def _input(i: int) -> service.ApplicationInput:
    shift = 0.001 * i  # every area overlaps every other
    return service.ApplicationInput(
        jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
        holders=(Holder(f"Applicant {i} (Pvt) Ltd", 100.0, "PK"),),
        area=service.AreaInput(geojson=json.dumps(square(64.0 + shift, 28.8 + shift))))


def _check_outcome(cli, expected: int) -> None:
    apps = cli.json("cadastre", "applications")["items"]
    assert [a["number"] for a in apps] == list(range(1, expected + 1))  # none lost, no gaps
    assert all(a["priority"] == "competing" and a["competition_group"] == "PK-BA/G1" for a in apps)  # the first too
    assert all(len(a["competing_with"]) == expected - 1 for a in apps)
    assert all(a["conflicts"] for a in apps[1:])
    groups = cli.json("cadastre", "competition", "list")["items"]
    assert [(g["ref"], [m["number"] for m in g["members"]]) for g in groups] == [("PK-BA/G1", list(range(1, expected + 1)))]
    assert cli("audit", "verify")[0] == 0
    kinds = [e["kind"] for e in cli.json("audit", "log")["items"]]
    assert kinds.count("application.received") == expected
    assert kinds.count("competition.formed") == 1 and kinds.count("competition.changed") == expected - 2


def test_threads_filing_at_once(copy_cli):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": copy_cli.url}))
    barrier = threading.Barrier(N_THREADS)
    errors: list[BaseException] = []

    def file(i: int) -> None:
        try:
            barrier.wait()
            service.apply(UnitOfWork(engine, write=True), _input(i), actor=f"thread-{i}")
        except BaseException as exc:  # collected and reported below
            errors.append(exc)

    threads = [threading.Thread(target=file, args=(i,)) for i in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    engine.dispose()
    assert not errors, errors
    _check_outcome(copy_cli, N_THREADS)


def test_processes_filing_at_once(copy_cli, tmp_path):
    maadan = shutil.which("maadan", path=str(Path(sys.executable).parent)) or "maadan"
    env = dict(os.environ, MAADAN_DATABASE_URL=copy_cli.url)
    procs = []
    for i in range(N_PROCESSES):
        area = tmp_path / f"p{i}.geojson"
        area.write_text(json.dumps(square(64.0 + 0.001 * i, 28.8 + 0.001 * i)))
        procs.append(subprocess.Popen(
            [maadan, "cadastre", "apply", str(area), "--type", "EL", "--mineral", "copper",
             "--holder", f"Process {i} (Pvt) Ltd=100:PK", "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [r[1] for r in results]
    receipts = [json.loads(out) for out, _ in results]
    assert sorted(r["number"] for r in receipts) == list(range(1, N_PROCESSES + 1))
    assert sum(r["holds_priority"] for r in receipts) == 1
    _check_outcome(copy_cli, N_PROCESSES)
