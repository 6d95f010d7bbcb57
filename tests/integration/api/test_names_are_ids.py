"""Names in URLs are ids, never paths (issue 15): a screening profile, a report's name, a project's
case or a boundary code is looked up among the bundled files; a file of that name in the server's
working directory, a folder or the database itself is never opened, and no name gives a 500."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from maadan.analytics.profiles import profiles_dir

PLANTED_KEY = "planted_key_from_the_working_directory"


@pytest.fixture
def planted(tmp_path, monkeypatch) -> Path:
    """The server's working directory holds a YAML file (a valid profile, plus a key of its own),
    a folder and a binary file, each named like something a URL could ask for."""
    profile = yaml.safe_load((profiles_dir() / "us-investor.yaml").read_text(encoding="utf-8"))
    profile["name"] = "Planted profile"
    (tmp_path / "evil.yaml").write_text(yaml.safe_dump(profile | {PLANTED_KEY: 1}))
    (tmp_path / "planted.yaml").write_text(yaml.safe_dump(profile))
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "reko-diq").write_text("not a case")
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 64)
    monkeypatch.chdir(tmp_path)
    return tmp_path


NAMES = ["evil.yaml", "planted.yaml", "./evil.yaml", "folder.yaml", "binary.yaml", "evil", "folder", "..",
         "../evil.yaml", "%2e%2e%2fevil.yaml", "maadan-0.sqlite", "us-investor.yaml"]


@pytest.mark.parametrize("name", NAMES)
def test_a_report_name_is_never_a_path(read_client, planted, name):
    for fmt in ("html", "pdf"):
        r = read_client.get(f"/api/analytics/reports/screening/{name}.{fmt}")
        assert r.status_code in (404, 422), (name, r.status_code, r.text[:300])
        assert PLANTED_KEY not in r.text and "Planted profile" not in r.text
        if r.status_code == 404:
            assert r.json()["error"] == "not_found"


@pytest.mark.parametrize("name", NAMES)
def test_a_screening_profile_is_a_bundled_id(read_client, planted, name):
    r = read_client.get("/api/analytics/screening", params={"profile": name})
    assert r.status_code in (404, 422), (name, r.text[:300])
    assert PLANTED_KEY not in r.text and "Planted profile" not in r.text
    r = read_client.get("/analytics/screening", params={"profile": name})  # the web page
    assert r.status_code in (404, 422), (name, r.status_code)
    assert PLANTED_KEY not in r.text and "Planted profile" not in r.text


def test_the_bundled_ids_still_work_from_any_working_directory(read_client, planted):
    r = read_client.get("/api/analytics/screening", params={"profile": "us-investor"})
    assert r.status_code == 200 and r.json()["profile"]["id"] == "us-investor"
    r = read_client.get("/api/analytics/reports/screening/us-investor.html")
    assert r.status_code == 200 and "Planted" not in r.text
    # A file named like a project id sits in the working directory: the bundled case is used.
    r = read_client.get("/api/analytics/economics/reko-diq")
    assert r.status_code == 200, r.text
    assert all("reko-diq" not in f or f.startswith("data/") for f in r.json().get("files", []))


def test_the_command_line_reads_its_own_files_and_says_why_one_cannot_be_read(planted, seeded_db, capsys, monkeypatch):
    from maadan.cli.app import main

    monkeypatch.setenv("MAADAN_DATABASE_URL", seeded_db.url)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["screen", "--profile", "planted.yaml", "--json"]) == 0
    assert "Planted profile" in capsys.readouterr().out
    for name, said in (("folder.yaml", "folder"), ("binary.yaml", "not UTF-8"), ("missing.yaml", "no such file")):
        assert main(["screen", "--profile", name]) == 2, name
        assert said in capsys.readouterr().err, name
    # an id is never a file, even when a file of that name exists
    assert main(["screen", "--profile", "evil"]) == 2
    assert "Unknown screening profile" in capsys.readouterr().err


def test_a_boundary_code_is_looked_up_among_the_official_files(tmp_path, monkeypatch):
    from maadan.cadastre import boundaries
    from maadan.errors import NotFound

    official = tmp_path / "official"
    official.mkdir()
    outside = tmp_path / "secret.geojson"
    outside.write_text('{"type": "Polygon", "coordinates": [[[60, 25], [61, 25], [61, 26], [60, 25]]]}')
    monkeypatch.setenv("MAADAN_BOUNDARIES_DIR", str(official))
    for code in ("../secret", "..\\secret", "../SECRET", str(outside.with_suffix(""))):
        with pytest.raises(NotFound):
            boundaries.load_boundary(code)
    assert boundaries.load_boundary("PK-BA").code == "PK-BA"  # the bundled one, the folder lacks it
    assert os.listdir(official) == []
