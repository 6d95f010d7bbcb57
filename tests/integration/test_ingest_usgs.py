"""`maadan ingest usgs-mcs` on the official file, on broken files, and when killed midway. The broken
files and the kill use tests/data/usgs/world-data-sample.csv (synthetic, in the USGS layout), so they
run without ../shared."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from maadan.store import tables as t
from tests.conftest import shared_file

WORLD = ("data", "usgs-mcs-2025", "MCS2025_World_Data.csv")
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "usgs" / "world-data-sample.csv"


def count(url: str) -> int:
    eng = create_engine(url)
    with eng.connect() as conn:
        n = conn.execute(select(func.count()).select_from(t.world_statistic)).scalar_one()
    eng.dispose()
    return n


@pytest.fixture
def empty_stats_cli(fresh_cli):
    """A database with schema and catalogue but no bundled statistics, like a new jurisdiction."""
    assert fresh_cli("db", "init")[0] == 0
    eng = create_engine(fresh_cli.url)
    with eng.begin() as conn:
        conn.execute(t.world_statistic.delete())
    eng.dispose()
    return fresh_cli


def test_ingest_official_file_is_complete_and_idempotent(empty_stats_cli):
    cli = empty_stats_cli
    path = shared_file(*WORLD)
    first = cli.json("ingest", "usgs-mcs", str(path))
    assert first["edition"] == "MCS 2025"
    assert first["rows_read"] == 1250
    assert first["inserted"] == first["figures"] > 6000
    assert [s["line"] for s in first["skipped_rows"]] == [1132]  # the row with no unit
    assert count(cli.url) == first["figures"]
    second = cli.json("ingest", "usgs-mcs", str(path))
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, first["figures"])
    # Germanium: the label is misspelled "Gemanium" in the release and every figure is empty.
    ge = cli.json("minerals", "show", "germanium")
    assert ge["production"] and all(r["statistic"]["figure"]["value"] is None
                                    for tb in ge["production"] for r in tb["rows"])
    # the bundled data were built from the same release: after seeding, an ingest changes nothing
    code, out, _ = cli("ingest", "usgs-mcs", str(path))
    assert code == 0 and "0 updated" in out and "line 1132" in out


def test_ingest_on_top_of_bundled_data_changes_no_bundled_figure(fresh_cli):
    assert fresh_cli("db", "init")[0] == 0
    report = fresh_cli.json("ingest", "usgs-mcs", str(shared_file(*WORLD)))
    assert report["updated"] == 0


def test_sample_in_the_usgs_layout_is_read_whole_and_idempotent(empty_stats_cli):
    first = empty_stats_cli.json("ingest", "usgs-mcs", str(SAMPLE))
    assert (first["edition"], first["rows_read"], first["figures"], first["inserted"]) == ("MCS 2025", 24, 110, 110)
    assert [s["line"] for s in first["skipped_rows"]] == [23, 24]  # an unknown label, a row with no unit
    assert count(empty_stats_cli.url) == 110
    second = empty_stats_cli.json("ingest", "usgs-mcs", str(SAMPLE))
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 0, 110)


def _broken(tmp_path: Path, kind: str) -> Path:
    lines = SAMPLE.read_bytes().split(b"\r\n")
    if kind == "text-in-number":
        assert lines[10].startswith(b"MCS2025,Copper ,Testland,")
        lines[10] = lines[10].replace(b",1200,", b",lots,")  # file line 11
    elif kind == "missing-column":
        lines[0] = lines[0].replace(b"UNIT_MEAS", b"UNITS")
    elif kind == "encoding":
        lines[14] = lines[14] + b"\xff"  # file line 15
    p = tmp_path / f"{kind}.csv"
    p.write_bytes(b"\r\n".join(lines))
    return p


@pytest.mark.parametrize("kind, where", [
    ("text-in-number", "line 11, column 'PROD_2023'"),
    ("missing-column", "line 1"),
    ("encoding", "line 15"),
])
def test_malformed_files_write_nothing(empty_stats_cli, tmp_path, kind, where):
    cli = empty_stats_cli
    before = count(cli.url)
    code, out, err = cli("ingest", "usgs-mcs", str(_broken(tmp_path, kind)), "--json")
    assert code == 2, err
    assert where in err
    assert json.loads(out)["error"] == "invalid_data_file"
    assert count(cli.url) == before


def test_missing_file(cli):
    code, _, err = cli("ingest", "usgs-mcs", "/nonexistent/world.csv")
    assert code == 2 and "no such file" in err


@pytest.mark.slow
def test_sigkill_midway_leaves_database_unchanged_and_rerun_completes(empty_stats_cli):
    cli = empty_stats_cli
    path = SAMPLE
    before = count(cli.url)
    env = dict(os.environ, MAADAN_DATABASE_URL=cli.url, MAADAN_TEST_PAUSE_DURING_INGEST="60")
    maadan = shutil.which("maadan", path=str(Path(sys.executable).parent)) or "maadan"
    proc = subprocess.Popen([maadan, "ingest", "usgs-mcs", str(path), "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if "paused" in line or not line:
            break
    assert "paused" in line, "the ingest never reached its first write"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert count(cli.url) == before
    again = cli.json("ingest", "usgs-mcs", str(path))
    assert again["inserted"] == again["figures"]
    assert count(cli.url) == before + again["figures"]
