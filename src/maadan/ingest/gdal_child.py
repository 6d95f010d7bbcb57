"""The child process that lets GDAL read one checked file (run by `gdal_reader`, never imported by
the app). It starts with every GDAL driver but one switched off (GDAL_SKIP, set by the parent
before GDAL loads), refuses to go on if any other driver is registered, caps its own memory, CPU
time and file writes, and reads only the file it is given inside its private folder.

Protocol: argv[1] is a JSON request; stdout is an 8-byte big-endian length, a JSON header
({fields, rows, crs, lengths} or {error, ...}) and then the geometries as WKB, back to back."""

from __future__ import annotations

import json
import resource
import sys

MEMORY_BYTES = 3 * 1024**3
CPU_SECONDS = 120
MEMORY_CAP_BYTES, CPU_CAP_SECONDS = 16 * 1024**3, 3_600  # what a request may raise them to (a whole register)
WRITE_BYTES = 256 * 1024**2  # SQLite may write a -shm file beside a GeoPackage


def _limit(memory_bytes: int = MEMORY_BYTES, cpu_seconds: int = CPU_SECONDS) -> None:
    for which, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds),
                         (resource.RLIMIT_FSIZE, WRITE_BYTES), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a lower hard limit is already in place


def _emit(header: dict, blobs: list[bytes] = ()) -> None:
    raw = json.dumps(header).encode("utf-8")
    out = sys.stdout.buffer
    out.write(len(raw).to_bytes(8, "big"))
    out.write(raw)
    for b in blobs:
        out.write(b)
    out.flush()


def _plain(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bytes):
        return None  # binary fields carry nothing Maadan reads
    if value is not None and not isinstance(value, (str, int, float, bool)):
        return str(value)
    return value


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    _limit(min(int(request.get("memory_bytes") or MEMORY_BYTES), MEMORY_CAP_BYTES),
           min(int(request.get("cpu_seconds") or CPU_SECONDS), CPU_CAP_SECONDS))
    import pyogrio
    import pyogrio.raw
    import shapely

    drivers = set(pyogrio.list_drivers())
    if drivers != {request["driver"]}:
        _emit({"error": "not_isolated", "drivers": sorted(drivers)})
        return 3
    path, cap_features, cap_vertices = request["path"], request["max_features"], request["max_vertices"]
    layers = [request["layer"]] if request.get("layer") else None
    if layers is None:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        layers = names if request.get("all_layers") else names[:1]
    fields: list[str] = []
    rows: list[dict] = []
    blobs: list[bytes] = []
    crs = None
    for layer in layers:
        meta, _, geometry, data = pyogrio.raw.read(path, layer=layer, max_features=cap_features - len(rows) + 1,
                                                   **request.get("open_options", {}))
        crs = crs or meta.get("crs")
        names = [str(f) for f in meta["fields"]]
        fields += [f for f in names if f not in fields]
        n = len(geometry) if geometry is not None else (len(data[0]) if data else 0)
        if len(rows) + n > cap_features:
            _emit({"error": "features", "limit": cap_features})
            return 4
        wkb = list(geometry) if geometry is not None else [None] * n
        counted = sum(int(shapely.get_num_coordinates(g)) for g in shapely.from_wkb([w for w in wkb if w]))
        cap_vertices -= counted
        if cap_vertices < 0:
            _emit({"error": "vertices", "limit": request["max_vertices"]})
            return 4
        rows += [{f: _plain(data[i][k]) for i, f in enumerate(names)} for k in range(n)]
        blobs += [bytes(w) if w is not None else b"" for w in wkb]
    _emit({"fields": fields, "rows": [[r.get(f) for f in fields] for r in rows], "crs": crs,
           "lengths": [len(b) for b in blobs]}, blobs)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except MemoryError:
        sys.exit(5)
    except Exception as exc:  # the parent says "cannot be read"; the reason goes to stderr (the log)
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
