"""A register download when the server's disk is full. GDAL does not raise an OSError for it: a
GeoPackage's commit fails (`DataSourceError: Failed to commit transaction`) and a CSV page stops
at a feature (`FeatureError: Could not add feature to layer at index 2377`), both seen on a full
256 KiB tmpfs. `geofiles` turns them into an OSError (`WriteFailed`), so a download the data
folder cannot keep is built for the request instead (200), and one that cannot be written anywhere
is a 503 with Retry-After: never a 500, and no file left behind."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyogrio
import pyogrio.raw
import pytest
from pyogrio.errors import DataSourceError, FeatureError

pytestmark = pytest.mark.slow

PLAIN = {"Accept-Encoding": "identity"}


def gdal_fails_under(monkeypatch, folder: Path | None, error: Exception) -> None:
    """pyogrio's writes fail as GDAL's do on a full disk: under `folder`, or everywhere when None."""
    real = pyogrio.raw.write

    def write(path, *args, **kwargs):
        if folder is None or Path(path).is_relative_to(folder):
            raise error
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pyogrio.raw, "write", write)


@pytest.mark.parametrize("error", [DataSourceError("Failed to commit transaction"),
                                   FeatureError("Could not add feature to layer at index 2377")])
def test_gdal_failing_to_write_is_an_os_error(tmp_path, monkeypatch, error):
    import numpy as np
    import shapely

    from maadan.ingest import geofiles

    gdal_fails_under(monkeypatch, None, error)
    for fmt in ("gpkg", "csv", "geojson", "shp"):
        with pytest.raises(OSError, match="GDAL could not write") as raised:
            geofiles.write_columns(tmp_path / f"t.{fmt}", {"number": np.array(["A1"], dtype=object)},
                                   shapely.to_wkb([shapely.box(0, 0, 1, 1)]), "titles", fmt)
        assert isinstance(raised.value, geofiles.WriteFailed) and raised.value.__cause__ is error


def test_a_shapefile_zip_the_disk_cannot_finish_is_not_left_half_written(tmp_path, monkeypatch):
    import zipfile

    import numpy as np
    import shapely

    from maadan.ingest import geofiles

    def full(self, *args, **kwargs):
        self.fp.write(b"PK\x03\x04 part of an entry")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    with pytest.raises(OSError, match="No space left"):
        geofiles.write_columns(tmp_path / "t.zip", {"number": np.array(["A1"], dtype=object)},
                               shapely.to_wkb([shapely.box(0, 0, 1, 1)]), "titles", "shp")
    assert list(tmp_path.iterdir()) == []


def test_a_geopackage_the_data_folder_cannot_take_is_built_for_the_request(web, monkeypatch):
    folder = web.client.app.state.settings.data_dir / "downloads"
    gdal_fails_under(monkeypatch, folder, DataSourceError("Failed to commit transaction"))
    got = web.client.get("/register/downloads/titles.gpkg", headers=PLAIN)
    assert got.status_code == 200 and int(got.headers["x-feature-count"]) > 0
    assert got.content[:16] == b"SQLite format 3\x00"
    assert not folder.exists() or not [p.name for p in folder.iterdir() if p.name.endswith(".gpkg")]


@pytest.mark.parametrize("fmt", ["gpkg", "csv", "geojson"])
def test_a_download_no_disk_can_take_is_a_503_with_retry_after(web, monkeypatch, fmt):
    import tempfile

    from maadan.web import download_files

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    made: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(Path(real_mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(download_files, "_temporary", full)  # the data folder: full
    gdal_fails_under(monkeypatch, None, DataSourceError("Failed to commit transaction"))  # and the rest
    real_open = open

    def open_full(file, mode="r", *args, **kwargs):  # the GeoJSON, and the CSV's joined pages
        if "w" in mode and any(Path(file).is_relative_to(p) for p in made):
            raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", open_full)
    got = web.client.get(f"/register/downloads/titles.{fmt}", headers={"Accept": "application/json"})
    assert got.status_code == 503 and got.headers["retry-after"] == "60"
    body = got.json()
    assert body["error"] == "cannot_write" and f"titles.{fmt}" in body["message"] and "try again" in body["message"]
    assert made and not any(p.exists() for p in made)  # the request's temporary folder went too
    page = web.client.get(f"/register/downloads/titles.{fmt}", headers={"Accept": "text/html"})
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]

    monkeypatch.undo()  # room again: the same request is answered
    again = web.client.get("/register/downloads/titles.csv", headers=PLAIN)
    assert again.status_code == 200 and len(list(csv.DictReader(io.StringIO(again.text)))) > 0
