"""Uploads that try to make GDAL read something else (issue 15, the critical finding): an OGR VRT that
runs SQL over a database, one that reads /etc/passwd through the CSV driver, one that fetches a
URL through /vsicurl/, GML named .geojson, polyglot files. Each is refused by the area upload and
by `maadan cadastre import`, on every backend, with a message that names no server path; nothing
is read (a FIFO canary would notice an open, a loopback listener a request) and the database's
fingerprint is unchanged."""

from __future__ import annotations

import errno
import http.server
import io
import json
import os
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely

from maadan.ingest import geofiles

from .security_site import changed, fingerprint, make_site, square

SECRET = "s3cr3t-canary-row"
POLYGON_WKT = "POLYGON((66.5 28,66.55 28,66.55 28.05,66.5 28.05,66.5 28))"


@pytest.fixture
def site(seeded_copy):
    yield from make_site(seeded_copy.url)


@pytest.fixture
def secret_db(tmp_path) -> Path:
    """An SQLite file holding a secret, standing in for any database the server can read."""
    path = tmp_path / "secret.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE app_user (username TEXT, password_hash TEXT)")
        conn.execute("INSERT INTO app_user VALUES (?, ?)", (SECRET, "$argon2id$" + SECRET))
    return path


class Canary:
    """A named pipe: opening it for reading, which any reader must do first, is seen by a watcher
    thread (a non-blocking open for writing succeeds only while a reader has it open)."""

    def __init__(self, folder: Path):
        self.path = folder / "canary.csv"
        os.mkfifo(self.path)
        self.opened = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                time.sleep(0.005)
                continue
            self.opened.set()
            os.close(fd)  # the reader sees end of file and goes on
            time.sleep(0.05)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


@pytest.fixture
def canary(tmp_path):
    c = Canary(tmp_path)
    yield c
    c.close()


class Listener:
    """An HTTP server on loopback that records every request it gets."""

    def __init__(self):
        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                seen.append((self.path, self.headers.get("User-Agent")))
                body = f"WKT,name\n\"{POLYGON_WKT}\",{SECRET}\n".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def vrt(source: str, sql: str | None = None, layer: str | None = None) -> bytes:
    inner = f"<SrcSQL>{sql}</SrcSQL>" if sql else f"<SrcLayer>{layer or 'canary'}</SrcLayer>"
    return (f'<OGRVRTDataSource><OGRVRTLayer name="area"><SrcDataSource>{source}</SrcDataSource>{inner}'
            f'<GeometryType>wkbPolygon</GeometryType><GeometryField encoding="WKT" field="wkt"/>'
            f"</OGRVRTLayer></OGRVRTDataSource>").encode()


def database_vrt(db: Path) -> bytes:
    return vrt(str(db), sql=f"SELECT username, password_hash, '{POLYGON_WKT}' AS wkt FROM app_user")


def passwd_vrt(path: str = "/etc/passwd") -> bytes:
    # The CSV driver reads any text file; every line becomes a row beside a polygon.
    return (f'<OGRVRTDataSource><OGRVRTLayer name="area"><SrcDataSource>CSV:{path}</SrcDataSource>'
            f'<SrcSQL dialect="SQLITE">SELECT *, \'{POLYGON_WKT}\' AS wkt FROM passwd</SrcSQL>'
            f'<GeometryField encoding="WKT" field="wkt"/></OGRVRTLayer></OGRVRTDataSource>').encode()


GML = (b'<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
       b'xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><ogr:area><ogr:geometryProperty>'
       b'<gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>66.5,28 66.55,28 66.55,28.05 '
       b'66.5,28.05 66.5,28</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon>'
       b'</ogr:geometryProperty></ogr:area></gml:featureMember></ogr:FeatureCollection>')
AREA_NAMES = ("area.geojson", "area.json", "area.kml", "area.csv", "area.gpkg", "area.zip")


def _upload(site, name: str, data: bytes):
    """The upload as an applicant's browser sends it (one web session per site, made once)."""
    if not hasattr(site, "applicant_web"):
        site.applicant_web = site.cookie_client("applicant.a")
    web, csrf = site.applicant_web
    return web.post("/cadastre/upload-area", files={"file": (name, data, "application/octet-stream")},
                    headers={"X-CSRF-Token": csrf})


def _refused_without_a_trace(r, *secrets: str) -> None:
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_input", body
    text = r.text
    for secret in (SECRET, "root:x:0:0", "/tmp", "/etc/", "argon2", "secret.sqlite", *secrets):
        assert secret not in text, (secret, text)


# --- the payloads are live: GDAL left to itself reads through them ------------------------------------

def test_the_payloads_really_exfiltrate_when_gdal_picks_the_reader(tmp_path, secret_db):
    """A control: without Maadan's checks, GDAL reads the VRT named .geojson and returns the secret.
    (So the refusals below are refusals of working attacks.)"""
    import pyogrio.raw

    path = tmp_path / "area.geojson"
    path.write_bytes(database_vrt(secret_db))
    meta, _, geometry, fields = pyogrio.raw.read(str(path))
    assert SECRET in [str(v) for v in fields[0]] and len(geometry) == 1


# --- the web's area upload ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", AREA_NAMES)
def test_a_vrt_over_the_database_is_refused_and_reads_nothing(site, secret_db, name):
    targets = [secret_db]
    if site.engine.dialect.name == "sqlite":
        targets.append(Path(site.engine.url.database))  # the server's own database
    _upload(site, "warm.geojson", b"{}")  # the web session exists before the fingerprint
    before = fingerprint(site.engine)
    for db in targets:
        r = _upload(site, name, database_vrt(db))
        _refused_without_a_trace(r, "officer.one", "applicant.b", str(db))
    assert changed(before, fingerprint(site.engine)) == []


@pytest.mark.parametrize("name", AREA_NAMES)
def test_a_vrt_reading_etc_passwd_or_a_canary_is_refused_and_opens_nothing(site, canary, name):
    for payload in (passwd_vrt(), passwd_vrt(str(canary.path)), vrt(str(canary.path))):
        r = _upload(site, name, payload)
        _refused_without_a_trace(r, "root:", "nologin")
    time.sleep(0.1)
    assert not canary.opened.is_set(), "something opened the canary file"


@pytest.mark.parametrize("name", AREA_NAMES)
def test_a_vrt_or_geojson_pointing_at_a_url_makes_no_request(site, listener, name):
    payloads = [vrt(f"/vsicurl/{listener.url}/area.csv"), vrt(f"{listener.url}/area.csv"),
                json.dumps({"type": "FeatureCollection", "features": f"{listener.url}/x.geojson"}).encode(),
                f"{listener.url}/area.geojson".encode(), f"/vsicurl/{listener.url}/area.geojson".encode()]
    for payload in payloads:
        r = _upload(site, name, payload)
        _refused_without_a_trace(r, "127.0.0.1")
    time.sleep(0.1)
    assert listener.requests == [], listener.requests


def test_gml_named_geojson_is_refused_as_not_json(site):
    for name in ("area.geojson", "area.json", "area.kml"):
        r = _upload(site, name, GML)
        _refused_without_a_trace(r)
        assert "XML" in r.json()["message"] or "not KML" in r.json()["message"], r.text


def _shapefile_zip(tmp_path: Path) -> bytes:
    path = geofiles.write(tmp_path / "clean.zip", geofiles.Records(
        fields=["name"], rows=[{"name": "block"}], wkb=[shapely.to_wkb(shapely.geometry.shape(square(66.5, 28.0)))]),
        "area")
    return path.read_bytes()


def test_polyglot_files_are_read_as_their_declared_format_or_refused(site, tmp_path, secret_db, canary):
    shp = _shapefile_zip(tmp_path)
    evil = database_vrt(secret_db)
    # A VRT with a real zipped Shapefile appended: a zip reader finds the archive at the end, GDAL the VRT
    # at the start.
    both = evil + b"\n" + shp
    assert zipfile.is_zipfile(io.BytesIO(both))
    for name in AREA_NAMES:
        _refused_without_a_trace(_upload(site, name, both))
    # GeoJSON text with a zip appended: JSON readers stop at the first value, zip readers look at the end.
    geojson_then_zip = json.dumps(square(66.5, 28.0)).encode() + shp
    for name in ("area.geojson", "area.zip"):
        _refused_without_a_trace(_upload(site, name, geojson_then_zip))
    # A zipped Shapefile whose archive comment and extra member hold the VRT: read as a Shapefile only.
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(shp)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        out.writestr("area.vrt", evil)
        out.comment = evil[:60000]
    r = _upload(site, "area.zip", buf.getvalue())
    assert r.status_code == 200 and r.json()["features"] == 1, r.text
    # A GeoJSON whose property holds the VRT: data, never a reader's instructions.
    doc = {"type": "Feature", "properties": {"note": evil.decode()}, "geometry": square(66.5, 28.0)}
    r = _upload(site, "area.geojson", json.dumps(doc).encode())
    assert r.status_code == 200 and SECRET not in r.text
    assert not canary.opened.is_set()


def test_a_geopackage_with_a_view_or_a_foreign_virtual_table_is_refused(site, tmp_path):
    import numpy as np
    import pyogrio.raw

    path = tmp_path / "area.gpkg"
    pyogrio.raw.write(str(path), np.array([shapely.to_wkb(shapely.geometry.shape(square(66.5, 28.0)))], dtype=object),
                      [np.array(["block"], dtype=object)], ["name"], layer="area", driver="GPKG",
                      geometry_type="Polygon", crs="EPSG:4326")
    assert _upload(site, "area.gpkg", path.read_bytes()).status_code == 200
    for ddl, said in (("CREATE VIEW v AS SELECT * FROM area", "view"),
                      ("CREATE VIRTUAL TABLE t USING fts5(x)", "virtual table")):
        copy = tmp_path / f"evil-{said[:4]}.gpkg"
        copy.write_bytes(path.read_bytes())
        with sqlite3.connect(copy) as conn:
            conn.execute(ddl)
        r = _upload(site, "area.gpkg", copy.read_bytes())
        _refused_without_a_trace(r)
        assert said in r.json()["message"]
    # an SQLite database that is not a GeoPackage (e.g. the server's own kind of file)
    r = _upload(site, "area.gpkg", (tmp_path / "evil-view.gpkg").read_bytes()[:68] + b"\0\0\0\0"
                + (tmp_path / "evil-view.gpkg").read_bytes()[72:])
    _refused_without_a_trace(r)
    assert "not a GeoPackage" in r.json()["message"]


def test_caps_on_features_and_vertices_refuse_before_reading(site, tmp_path):
    many = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": square(66.5 + (i % 30) * 0.01, 28.0 + (i // 30) * 0.01, 0.005)}
        for i in range(1001)]}
    r = _upload(site, "many.geojson", json.dumps(many).encode())
    assert r.status_code == 422 and "more than 1,000 features" in r.json()["message"], r.text
    ring = [[66.5 + 0.05 * np.cos(a), 28.0 + 0.05 * np.sin(a)] for a in np.linspace(0, 2 * np.pi, 100_001)[:-1]]
    ring.append(ring[0])
    r = _upload(site, "dense.geojson", json.dumps({"type": "Polygon", "coordinates": [ring]}).encode())
    assert r.status_code == 422 and "more than 100,000 vertices" in r.json()["message"], r.text
    rows = "WKT,name\n" + "".join(f"\"{POLYGON_WKT}\",r{i}\n" for i in range(1001))
    r = _upload(site, "many.csv", rows.encode())
    assert r.status_code == 422 and "more than 1,000 features" in r.json()["message"], r.text
    dense = shapely.Polygon(ring)
    shp = geofiles.write(tmp_path / "dense.zip", geofiles.Records(["name"], [{"name": "x"}], [shapely.to_wkb(dense)]),
                         "area")
    r = _upload(site, "dense.zip", shp.read_bytes())
    assert r.status_code == 422 and "more than 100,000 vertices" in r.json()["message"], r.text


def test_deeply_nested_json_is_a_422_not_a_500(site):
    r = _upload(site, "deep.geojson", b"[" * 100_000 + b"]" * 100_000)
    assert r.status_code == 422, r.text
    r = _upload(site, "deep.geojson", b'{"type": "Polygon", "coordinates": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert r.status_code == 422 and "nests" in r.json()["message"], r.text


# --- the command line's import ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ("titles.geojson", "titles.gpkg", "titles.kml", "titles.csv", "titles.zip"))
def test_cadastre_import_refuses_the_same_files(copy_cli, tmp_path, secret_db, canary, listener, name):
    from sqlalchemy import create_engine

    engine = create_engine(copy_cli.url)
    before = fingerprint(engine)
    for payload in (database_vrt(secret_db), passwd_vrt(), vrt(str(canary.path)),
                    vrt(f"/vsicurl/{listener.url}/area.csv"), GML):
        path = tmp_path / name
        path.write_bytes(payload)
        code, out, err = copy_cli("cadastre", "import", str(path))
        assert code == 2, (name, code, out, err)
        assert SECRET not in out + err and "root:x" not in out + err and str(tmp_path) not in err.replace(str(path), "")
    assert changed(before, fingerprint(engine)) == []
    engine.dispose()
    time.sleep(0.1)
    assert not canary.opened.is_set() and listener.requests == []


# --- the isolated reader -----------------------------------------------------------------------------

def test_the_gdal_child_has_exactly_one_driver_or_refuses_to_read(tmp_path):
    import subprocess
    import sys

    from maadan.ingest.gdal_reader import child_environment

    env = child_environment("GPKG", tmp_path)
    skipped = set(env["GDAL_SKIP"].split(","))
    assert {"OGR_VRT", "GML", "CSV", "GeoJSON", "KML", "ESRI Shapefile", "SQLite"} <= skipped and "GPKG" not in skipped
    assert env["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] and env["PROJ_NETWORK"] == "OFF"
    request = {"driver": "CSV", "path": str(tmp_path / "x.csv"), "max_features": 1, "max_vertices": 1}
    done = subprocess.run([sys.executable, "-I", "-m", "maadan.ingest.gdal_child", json.dumps(request)],
                          cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert done.returncode == 3  # the driver asked for is not the one left: it reads nothing
    header = json.loads(done.stdout[8:8 + int.from_bytes(done.stdout[:8], "big")])
    assert header == {"error": "not_isolated", "drivers": ["GPKG"]}


def test_an_upload_the_server_has_no_room_to_read_is_a_503_not_a_500(site, monkeypatch, tmp_path):
    """A file GDAL reads is first written to a private temporary folder; when that disk is full the
    fault is the server's: 503 `cannot_write` with Retry-After, and the message names no path."""
    real = Path.write_bytes

    def full(self, data):
        if self.parent.name.startswith("maadan-read-"):  # the reader's private folder
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    for name, data in (("area.csv", f'WKT,name\n"{POLYGON_WKT}",a\n'.encode()), ("area.zip", _shapefile_zip(tmp_path))):
        r = _upload(site, name, data)
        assert r.status_code == 503 and r.headers["retry-after"] == "60", r.text
        assert r.json()["error"] == "cannot_write" and name in r.json()["message"] and "/tmp" not in r.text



def test_an_upload_with_no_temporary_folder_at_all_is_a_503_not_a_500(site, monkeypatch, tmp_path):
    """When no temporary folder can be made (the configured one gone, or tempfile finding no usable
    one: a FileNotFoundError, not a full disk's ENOSPC), the fault is still the server's."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # as TMPDIR naming a folder removed since
    r = _upload(site, "area.csv", f'WKT,name\n"{POLYGON_WKT}",a\n'.encode())
    assert r.status_code == 503 and r.headers["retry-after"] == "60", r.text
    assert r.json()["error"] == "cannot_write" and "area.csv" in r.json()["message"] and str(tmp_path) not in r.text
    r = _upload(site, "area.geojson", json.dumps({"type": "Polygon", "coordinates": [[[64, 28], [64.01, 28], [64.01, 28.01], [64, 28]]]}).encode())
    assert r.status_code != 503, r.text  # GeoJSON is read in memory by Maadan's own reader: no folder needed
