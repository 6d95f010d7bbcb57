"""Reading a checked file with exactly one GDAL driver, in a child process that can reach nothing else.

GDAL chooses its reader from a file's content, and some readers (OGR VRT, GML, CSV with a path,
/vsicurl/) open other files or URLs. So GDAL never reads an upload in the app's own process: a
child Python process (`gdal_child`) starts with GDAL_SKIP naming every vector driver but the one
the format checks allowed, with no network (curl extensions allowed: none; PROJ network off;
HTTP timeouts of a second), an empty environment otherwise, its private folder as working
directory, and caps on memory, CPU and time. What comes back is JSON and WKB, never objects;
GDAL's own messages go to the log, and the user sees a generic one."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from maadan.errors import MaadanError
from maadan.ingest.formats import Limits, Prepared, refuse

log = logging.getLogger("maadan.ingest")

# GDAL configuration for the child (read from the environment when GDAL starts).
NO_NETWORK = {
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".maadan-no-network",  # /vsicurl/ opens no URL at all
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "PROJ_NETWORK": "OFF",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # GDAL looks for no sibling files it was not given
    "GDAL_PAM_ENABLED": "NO",  # and writes no .aux.xml beside them
    "CPL_DEBUG": "OFF",
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
}


class ReaderNotIsolated(MaadanError):
    """The child process had more than its one GDAL driver: a fault of the installation, not the file."""

    status = 503
    code = "reader_unavailable"


@lru_cache(maxsize=1)
def _vector_drivers() -> tuple[str, ...]:
    import pyogrio

    return tuple(pyogrio.list_drivers())


def child_environment(driver: str, folder: Path) -> dict[str, str]:
    skip = [d for d in _vector_drivers() if d != driver]
    if any("," in d for d in skip):
        raise ReaderNotIsolated("a GDAL driver name holds a comma; the reader cannot be isolated")
    return {**NO_NETWORK, "GDAL_SKIP": ",".join(skip), "HOME": str(folder), "TMPDIR": str(folder),
            "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}


def read_with_gdal(prepared: Prepared, folder: Path, name: str, limits: Limits):
    """(fields, rows, wkb list, crs) of the prepared file written into `folder` (private, empty)."""
    for file_name, blob in prepared.files.items():
        (folder / file_name).write_bytes(blob)
    request = {"driver": prepared.driver, "path": str(folder / prepared.main), "layer": prepared.layer,
               "all_layers": prepared.all_layers, "open_options": prepared.open_options,
               "max_features": limits.max_features, "max_vertices": limits.max_vertices,
               "cpu_seconds": limits.max_cpu_seconds, "memory_bytes": limits.max_memory_bytes}
    try:
        done = subprocess.run([sys.executable, "-I", "-m", "maadan.ingest.gdal_child", json.dumps(request)],
                              cwd=folder, env=child_environment(prepared.driver, folder), capture_output=True,
                              timeout=limits.max_seconds, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise refuse(name, f"took longer than {limits.max_seconds} s to read; it was not read") from None
    header, blob = _parse(done.stdout)
    if done.returncode != 0 or header is None or "error" in header:
        error = (header or {}).get("error")
        if error == "not_isolated":
            log.error("GDAL reader not isolated: drivers %s", header.get("drivers"))
            raise ReaderNotIsolated("the file reader is not available; the operator has been told")
        if error in ("features", "vertices"):
            raise refuse(name, f"holds more than {header['limit']:,} {error}; the limit is {header['limit']:,}",
                         limit=header["limit"])
        log.info("GDAL (%s) could not read an upload: exit %s: %s", prepared.driver, done.returncode,
                 done.stderr.decode("utf-8", "replace")[-500:].strip())
        if done.returncode == 5 or done.returncode < 0:
            raise refuse(name, "needs more memory or time to read than an upload may take")
        raise refuse(name, f"cannot be read as {_NAMES.get(prepared.key, prepared.key)}")
    del done  # the child's whole output (hundreds of MB for a million features): parsed by now
    wkb, at = [], 0
    for n in header["lengths"]:
        wkb.append(blob[at:at + n] or None)
        at += n
    fields, listed = header["fields"], header.pop("rows")
    rows = []
    for i, values in enumerate(listed):  # each feature's list let go as its dict is made
        rows.append(dict(zip(fields, values)))
        listed[i] = None
    return fields, rows, wkb, header.get("crs")


_NAMES = {"shp": "a zipped Shapefile", "gpkg": "a GeoPackage", "kml": "KML", "csv": "CSV with a WKT column"}


def _parse(out: bytes) -> tuple[dict | None, bytes]:
    if len(out) < 8:
        return None, b""
    size = int.from_bytes(out[:8], "big")
    try:
        header = json.loads(out[8:8 + size])
    except ValueError:
        return None, b""
    return (header if isinstance(header, dict) else None), out[8 + size:]
