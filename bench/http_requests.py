"""What one request and one app cost in the HTTP layer, in one process: the median microseconds of a few
representative requests through `TestClient` (CPU time of the process: the machine is shared) (JSON, HTML, OGC, errors in both forms), building an app
(`create_app`), its first request, and building its OpenAPI document, on a seeded SQLite database with the
50-title synthetic demo cadastre.

The script is written against what every checkout since before the HTTP redesign (issue 11) has, so the
same file runs in an older clone to give the baseline: run it with that clone's interpreter, e.g.
  /work/t-prehttp/.venv/bin/python bench/http_requests.py     (the app factory of f9dfbad)
  .venv/bin/python bench/http_requests.py                      (this checkout)
or let it alternate between checkouts itself:
  .venv/bin/python bench/http_requests.py --compare /path/to/old/clone [--rounds 3]
which runs each checkout's interpreter on this file in turn, ROUNDS times, and prints the medians of
each figure side by side with the ratio (new / old). Usage: bench/http_requests.py [--requests 200]
[--apps 5] [--json] [--compare CLONE [--rounds N]]"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# A check of one application on the demo cadastre's ground (Chagai), as the benches send it.
CHECK = json.dumps({"title_type": "EL", "area": {"geojson": {"type": "Polygon", "coordinates": [
    [[64.0, 28.0], [64.1, 28.0], [64.1, 28.1], [64.0, 28.1], [64.0, 28.0]]]}}}).encode()

# (label, method, path, headers[, body]): a JSON list, one JSON record, an OGC page, a check, two HTML
# pages, errors, the bare endpoint. A POST without a body of its own sends {}.
REQUESTS = [
    ("GET /api/minerals", "GET", "/api/minerals", {}),
    ("GET /api/cadastre/titles", "GET", "/api/cadastre/titles", {}),
    ("GET /api/agreements", "GET", "/api/agreements", {}),
    ("GET /ogc/collections/titles/items", "GET", "/ogc/collections/titles/items?limit=10", {}),
    ("POST /api/cadastre/check", "POST", "/api/cadastre/check", {}, CHECK),
    ("GET / (html)", "GET", "/", {"Accept": "text/html"}),
    ("GET /cadastre (html)", "GET", "/cadastre", {"Accept": "text/html"}),
    ("GET /api/nowhere (404 json)", "GET", "/api/nowhere", {}),
    ("POST /api/cadastre/check {} (422)", "POST", "/api/cadastre/check", {}),
    ("GET /api/ping", "GET", "/api/ping", {}),  # last: the app's warm-up thread has long finished
]


def create_app_factory():
    try:
        from maadan.http.app import create_app  # after the redesign
    except ImportError:
        from maadan.api.app import create_app  # f9dfbad
    return create_app


def database(folder: str) -> str:
    from maadan.cadastre import service as cadastre
    from maadan.cli.app import main
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    url = f"sqlite:///{folder}/bench.sqlite"
    os.environ["MAADAN_DATABASE_URL"] = url
    assert main(["db", "init"]) == 0
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    cadastre.load_demo_cadastre(UnitOfWork(engine, write=True), titles=50, seed=1, actor="cli:bench")
    engine.dispose()
    return url


def measure(requests: int, apps: int) -> dict[str, float]:
    os.environ.setdefault("MAADAN_PASSWORD_HASHING", "fast-insecure")
    from fastapi.testclient import TestClient

    from maadan.config import load_settings

    create_app = create_app_factory()
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = database(folder)
        settings = {"MAADAN_DATABASE_URL": url, "MAADAN_CLIENT_RATE": "0"}
        build, first, openapi = [], [], []
        for _ in range(apps + 1):  # the first one also imports: left out
            t = time.process_time()
            app = create_app(load_settings(settings))
            build.append(time.process_time() - t)
            with TestClient(app) as client:
                t = time.process_time()
                client.get("/nowhere/at/all")  # matched against every route: builds each one's state
                first.append(time.process_time() - t)
                t = time.process_time()
                app.openapi()
                openapi.append(time.process_time() - t)
            app.state.engine.dispose()
        out["create_app (ms)"] = statistics.median(build[1:]) * 1e3
        out["first request, all routes built (ms)"] = statistics.median(first[1:]) * 1e3
        out["openapi document (ms)"] = statistics.median(openapi[1:]) * 1e3
        app = create_app(load_settings(settings))
        with TestClient(app) as client:  # runs the app's lifespan; requests go straight to the app below
            for label, method, path, headers, *given in REQUESTS:
                body = given[0] if given else b"{}" if method == "POST" else b""
                status, times = client.portal.call(asgi_requests, app, method, path, headers, body, requests)
                out[f"{label} [{status}] (µs)"] = statistics.median(times) * 1e6
        app.state.engine.dispose()
    return out


async def asgi_requests(app, method: str, path: str, headers: dict[str, str], body: bytes,
                        n: int) -> tuple[int, list[float]]:
    """`n` times the request, each sent to the ASGI app directly on this event loop (no test-client
    threads in between): its status and the CPU seconds of each."""
    raw_path, _, query = path.partition("?")
    head = [(k.lower().encode(), v.encode()) for k, v in headers.items()] + [(b"host", b"testserver")]
    if body:
        head += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    status, times = 0, []
    for _ in range(n + 1):
        sent = False

        async def receive():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": raw_path, "raw_path": raw_path.encode(), "root_path": "",
                 "query_string": query.encode(), "headers": list(head), "client": ("127.0.0.1", 50000),
                 "server": ("testserver", 80), "state": {}, "app": None}
        scope.pop("app")
        t = time.process_time()
        await app(scope, receive, send)
        times.append(time.process_time() - t)
    return status, times[1:]  # the first one warms what a route builds lazily


def compare(old: Path, rounds: int, requests: int, apps: int) -> None:
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    pythons = {"old": old / ".venv" / "bin" / "python", "new": ROOT / ".venv" / "bin" / "python"}
    env = {k: v for k, v in os.environ.items() if k != "MAADAN_DATABASE_URL"}
    for i in range(rounds):
        for side in ("old", "new") if i % 2 == 0 else ("new", "old"):
            done = subprocess.run([str(pythons[side]), __file__, "--json", "--requests", str(requests),
                                   "--apps", str(apps)], capture_output=True, text=True, env=env,
                                  cwd=str(old if side == "old" else ROOT), check=True)
            runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"old = {old} ({git_head(old)}), new = {ROOT} ({git_head(ROOT)}); medians of {rounds} runs; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'figure':48} {'old':>10} {'new':>10} {'new/old':>8}")
    for key in runs["new"][0]:
        if key not in runs["old"][0]:
            continue
        a = statistics.median(r[key] for r in runs["old"])
        b = statistics.median(r[key] for r in runs["new"])
        print(f"{key:48} {a:10.1f} {b:10.1f} {b / a:8.2f}")


def git_head(path: Path) -> str:
    return subprocess.run(["git", "-C", str(path), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--apps", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="one JSON line of figures (for --compare)")
    ap.add_argument("--compare", type=Path, help="another checkout (with its own .venv) to run side by side")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.compare:
        compare(args.compare.resolve(), args.rounds, args.requests, args.apps)
        return
    import logging

    logging.disable(logging.INFO)  # the request log would dominate the figures' output
    figures = measure(args.requests, args.apps)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:48} {value:10.1f}")


if __name__ == "__main__":
    main()
