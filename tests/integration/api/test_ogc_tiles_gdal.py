"""GDAL's MVT driver reads Maadan's vector tiles fetched from a real server: the layer, every
feature with its attributes, and coordinates placed in Web Mercator where the titles are."""

from __future__ import annotations

import json
import re
import urllib.request

import mapbox_vector_tile
import morecantile
import shapely

from maadan.ogc import tiles
from tests.integration.api.test_ogc_gdal import gdal, server  # noqa: F401  (the server fixture)


def fetch(url: str, media_type: str = tiles.MVT) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 directly
    with opener.open(url, timeout=30) as r:
        assert r.status == 200 and r.headers["content-type"].startswith(media_type)
        return r.read()


def test_ogrinfo_reads_a_title_tile(server, tmp_path):  # noqa: F811
    first = json.loads(fetch(f"{server}/collections/titles/items?limit=1", "application/geo+json"))["features"][0]
    centre = shapely.geometry.shape(first["geometry"]).centroid
    t = morecantile.tms.get("WebMercatorQuad").tile(centre.x, centre.y, tiles.GENERAL_MAX_ZOOM + 1)  # every attribute
    body = fetch(f"{server}/collections/titles/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}")
    features = mapbox_vector_tile.decode(body)["titles"]["features"]
    assert len(features) >= 1
    path = tmp_path / "tile.pbf"
    path.write_bytes(body)
    out = gdal("ogrinfo", "-ro", "-al", f"MVT:{path}", "-oo", f"Z={t.z}", "-oo", f"X={t.x}", "-oo", f"Y={t.y}")
    assert "Layer name: titles" in out
    assert f"Feature Count: {len(features)}" in out
    for field in ("number (String)", "type (String)", "state (String)", "holder (String)",
                  "synthetic (Integer(Boolean))"):
        assert field in out
    assert f"number (String) = {first['properties']['number']}" in out
    # GDAL places the tile's features in EPSG:3857 inside the tile (and its buffer), around the title.
    minx, miny, maxx, maxy = tiles.TileAddress(t.z, t.x, t.y).mercator_bounds()
    m = re.search(r"Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)", out)
    assert m, out
    ex = [float(v) for v in m.groups()]
    pad = (maxx - minx) * tiles.BUFFER / tiles.EXTENT
    assert minx - pad <= ex[0] <= ex[2] <= maxx + pad and miny - pad <= ex[1] <= ex[3] <= maxy + pad
    cx, cy = tiles.lonlat_to_mercator(shapely.get_coordinates(centre))[0]
    assert ex[0] <= cx <= ex[2] and ex[1] <= cy <= ex[3]
