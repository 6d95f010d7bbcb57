"""In-process vector tile encoding at 100,000 synthetic titles: this tree's encoder against a
baseline git revision's (src/maadan/ogc/tiles.py and mvt.py as of --baseline), on the same layer
in the same process, runs interleaved (A, B, A, B ...), timed in CPU time of the process
(time.process_time: the machine's load from other processes does not count, its cache effects do).

For z8, z12 and z14 tiles (by default) over the Chagai belt: median and p99 CPU milliseconds per tile of each
encoder, the ratio (this tree / baseline), and whether both write tiles that decode to the same
features. Each encoder builds its layer once (every title read once into an STRtree), from the same
rows; tiles carry what the server's do (`tiles.tile_keys`). This measures the encoding, not the
database.

Usage: .venv/bin/python bench/tile_encode.py [--database-url sqlite:///var/bench-tiles/tiles-100000.sqlite]
[--baseline main] [--tiles 12] [--rounds 5] [--zooms 8,12,14]. The database is the one bench/tiles.py prepares."""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.tiles import ZOOMS, chagai_tiles  # noqa: E402


def baseline_modules(ref: str, where: Path):
    """The baseline's tiles module, wired to the baseline's mvt module (their sources written under
    `where` and imported from there as baseline_mvt and baseline_tiles)."""
    out = {}
    for name in ("mvt", "tiles"):
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:src/maadan/ogc/{name}.py"], check=True,
                                capture_output=True, text=True).stdout
        path = where / f"baseline_{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"baseline_{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        out[name] = module
    out["tiles"].mvt = out["mvt"]
    return out["tiles"]


def decoded(body: bytes) -> list:
    """A tile's features as (id, shape, properties); the shape normalised (where a ring starts and
    which way it runs are not part of it)."""
    import mapbox_vector_tile
    import shapely

    layer = mapbox_vector_tile.decode(body).get("titles", {"features": []})
    return sorted((f["id"], shapely.normalize(shapely.geometry.shape(f["geometry"])).wkt,
                   sorted(f["properties"].items())) for f in layer["features"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-tiles' / 'tiles-100000.sqlite'}")
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--tiles", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--zooms", default=",".join(map(str, ZOOMS)))
    args = ap.parse_args()

    from maadan.config import load_settings
    from maadan.ogc import tiles
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    old = baseline_modules(args.baseline, Path(tempfile.mkdtemp(prefix="tile-encode-")))
    uow = UnitOfWork(create_db_engine(load_settings({"MAADAN_DATABASE_URL": args.database_url})))
    c = tiles.tiled("titles")
    items = tiles._stored_items(uow, "titles")
    layer = tiles._Layer(tiles._Base.of(items))
    old_layer = old._Layer(old._Base.of(items))  # each encoder on its own layer (their layouts differ)
    for k in c.properties:  # as the server's layer cache does when it builds a layer
        if hasattr(layer.base, "column"):
            layer.base.column(k)
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}; {len(layer):,} titles; "
          f"baseline {args.baseline}")
    for z in (int(z) for z in args.zooms.split(",")):
        addresses = [tiles.TileAddress(z, x, y) for z, y, x in chagai_tiles(z, args.tiles)]
        ms = {"new": [], "old": []}
        same = True
        sizes = []
        for _ in range(args.rounds):
            for a in addresses:
                t0 = time.process_time()
                new = tiles.encode(layer, "titles", a, tiles.tile_keys(c, z))
                t1 = time.process_time()
                was = old.encode(old_layer, "titles", old.TileAddress(a.z, a.x, a.y), tiles.tile_keys(c, z))
                t2 = time.process_time()
                ms["new"].append((t1 - t0) * 1e3)
                ms["old"].append((t2 - t1) * 1e3)
                if len(sizes) < len(addresses):
                    sizes.append(len(new))
                    same = same and decoded(new) == decoded(was)
        q = {k: (statistics.median(v), sorted(v)[min(len(v) - 1, int(0.99 * len(v)))]) for k, v in ms.items()}
        print(f"  z{z:<2} {len(addresses)} tiles x {args.rounds}, {statistics.median(sizes) / 1024:,.1f} KiB median "
              f"({max(sizes) / 1024:,.1f} max); same features: {same}")
        print(f"      baseline p50 {q['old'][0]:7.1f} ms  p99 {q['old'][1]:7.1f} ms")
        print(f"      this     p50 {q['new'][0]:7.1f} ms  p99 {q['new'][1]:7.1f} ms  "
              f"(p50 {q['new'][0] / q['old'][0]:.2f}x, p99 {q['new'][1] / q['old'][1]:.2f}x the baseline)")
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
