"""Static files are compressed once per process and sent gzipped to clients that accept it; the
rest of what StaticFiles does (ETag → 304, byte ranges, HEAD, 404) is unchanged."""

from __future__ import annotations

import gzip

from maadan.http import static_files
from maadan.web import static_dir

SCRIPT = "/static/vendor/maplibre-gl/maplibre-gl-csp.js"


def test_a_large_script_is_sent_gzipped_and_compressed_once(read_web):
    static_files._gzipped.cache_clear()
    on_disk = (static_dir() / "vendor" / "maplibre-gl" / "maplibre-gl-csp.js").read_bytes()
    first = read_web.client.get(SCRIPT, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert first.headers["content-type"].startswith("text/javascript")
    assert first.content == on_disk  # the client decompressed it
    assert "Accept-Encoding" in first.headers["vary"] and "accept-ranges" not in first.headers
    again = read_web.client.get(SCRIPT, headers={"Accept-Encoding": "gzip"})
    assert again.headers["etag"] == first.headers["etag"] and again.content == on_disk
    info = static_files._gzipped.cache_info()
    assert (info.misses, info.hits) == (1, 1)  # compressed on the first request only
    raw = static_files._gzipped(str(static_dir() / "vendor" / "maplibre-gl" / "maplibre-gl-csp.js"),
                                len(on_disk), (static_dir() / "vendor" / "maplibre-gl" / "maplibre-gl-csp.js")
                                .stat().st_mtime_ns)
    assert gzip.decompress(raw) == on_disk and len(raw) < len(on_disk) / 2


def test_clients_that_refuse_gzip_ranges_and_small_files_get_the_file_as_it_is(read_web):
    size = (static_dir() / "vendor" / "maplibre-gl" / "maplibre-gl-csp.js").stat().st_size
    for accept in ("identity", "gzip;q=0", ""):
        r = read_web.client.get(SCRIPT, headers={"Accept-Encoding": accept})
        assert r.status_code == 200 and "content-encoding" not in r.headers, accept
        assert int(r.headers["content-length"]) == size
    part = read_web.client.get(SCRIPT, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100 and "content-encoding" not in part.headers
    head = read_web.client.head(SCRIPT, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and "content-encoding" not in head.headers
    small = static_dir() / "favicon.svg"
    assert small.stat().st_size < 1024  # below the size worth compressing
    r = read_web.client.get("/static/favicon.svg", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "content-encoding" not in r.headers


def test_conditional_requests_and_missing_files_are_as_before(read_web):
    tag = read_web.client.get(SCRIPT, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    r = read_web.client.get(SCRIPT, headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert r.status_code == 304 and not r.content
    assert read_web.client.get("/static/vendor/nothing-here.js").status_code == 404
    assert read_web.client.get("/static/../pyproject.toml").status_code == 404
