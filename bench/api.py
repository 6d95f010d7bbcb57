"""Figures for the HTTP API on this machine, all in one run, on PostgreSQL and on SQLite, each holding
100,000 synthetic titles (--titles):

- the bare endpoint (GET /api/ping: the whole middleware stack, no database): the ceiling every
  other throughput is given against, as a fraction, for the same server, workers and clients;
- one title by number (GET /api/cadastre/titles/{number}) of 2,000, twice in a row like the OGC
  page below: in the first run each process builds each title's body once (about half the requests
  at 100,000 titles), in the second it serves them from its cache (both printed); then its share of
  the bare endpoint's throughput from 6 pairs of short runs side by side (`paired_shares`);
- an OGC API – Features items page of 100 titles in a bbox (GET /ogc/collections/titles/items),
  and the same page revalidated with its ETag (If-None-Match: 304, no body). The page is loaded
  twice in a row, for D seconds each, and the second is the figure: in the first, each process
  fills its cache of encoded features (ogc/collections.py; tens of thousands of titles met for the
  first time), which a server that has run for a while has done. The first is printed too
  ("first D s"). pygeoapi is run the same way;
- a check of one application (POST /api/cadastre/check), with no writes and then while another
  client files applications at --filings per second (POST /api/cadastre/applications, as an
  officer): each filing moves the spatial version, and every worker catches its index up. Before
  them, once, the filer alone for --seconds: the server's CPU a filing, and as a multiple of the
  bare endpoint's CPU a request;
- the server's warm-up (start to every worker's index warm and map tiles built) and resident memory
  (all processes);
- the same OGC items query served by pygeoapi (installed from PyPI into its own virtualenv under
  var/, reading the same titles from a table with a PostGIS geometry column and a GiST index, built
  from the same rows in the setup), side by side (PostgreSQL only).

The servers (`maadan serve`, then pygeoapi, each with 1 and then 2 uvicorn workers) and the load generator run in separate processes on loopback.
The load generator (`Loopback`: http.client, keep-alive, gzip asked for; httpx until round 12) is closed-loop (see --rate for a fixed rate): C concurrent clients, each sending its next request when the
previous answer arrives, for D seconds per scenario; it reports requests per second and latency
percentiles. The per-client limits are off in the server under test (MAADAN_CLIENT_RATE=0,
MAADAN_EXPENSIVE_CONCURRENCY=0) and each load process is its own client (X-Forwarded-For from
loopback, MAADAN_TRUSTED_PROXIES=127.0.0.1): the bench measures the routes, not the limiter. Usage:
.venv/bin/python bench/api.py [--titles 100000] [--seconds 10] [--clients 8] [--workers 2]
[--backends postgresql,sqlite] [--filings 5] [--reuse] [--sqlite FILE] [--scenarios title,304,check]
[--no-pygeoapi] [--checks-only] [--rounds N] [--url DATABASE_URL] [--rate R] [--in-place].
--rounds N runs the OGC page and the checks N times each and prints the medians of their p99s
(one closed-loop p99 moves with the CPU the machine's neighbours take in those ten seconds).
The server reads a fresh copy of the prepared database in each run (`working_copy`), so the busy
check's filings never reach a later run; --in-place serves the prepared database itself.
Closed loop, p99 is mostly time spent queueing behind the other clients' requests (the server is
saturated by design), and it depends on how the clients' connections split over the workers (each
line's `clients a-b`: the fewest and most answers one client got; see `show`) and on the share of the
CPU the hypervisor stole meanwhile (`stolen`, from /proc/stat; see `cpu_stolen`); each line also gives
the CPU the server's processes spent per answer (user and system time, which a stolen slice mostly
leaves alone: steadier than throughput on a shared machine); --rate R also runs the title, OGC page and quiet-check scenarios open-loop at
R requests per second in total (each client on a fixed schedule, latency counted from when each
request was due), which gives the latency at a moderate load below saturation. A PostgreSQL database of your own is named by
MAADAN_BENCH_POSTGRES_URL. Needs PostgreSQL + PostGIS (scripts/pg-test-server install) for the PostgreSQL half.
At a million titles, on databases made once (a server only reads them, and the filings of the busy
check go into them): `--backends sqlite --url sqlite:////path/1m.sqlite --titles 1000000 --reuse
--checks-only --rounds 3` (and the same with --backends postgresql and a postgresql+psycopg:// URL)."""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
PG = ROOT / "scripts" / "pg-test-server"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    """Until `url` answers below 500; gives up after `seconds`, or as soon as `proc` (the server) has exited."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not come up within {seconds:.0f} s")


class Loopback:
    """The load generator's HTTP client: one keep-alive HTTP/1.1 connection (http.client), asking for
    gzip as browsers and GIS clients do, reading each answer whole without decoding it. The load
    generator shares the server's cores, so its own cost is taken from the server: httpx spent
    0.80-0.93 ms of CPU a request here (ping, check), http.client 0.29-0.30 ms (2026-12-05)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None, timeout: float = 30):
        from urllib.parse import urlsplit

        u = urlsplit(base)
        self.host, self.port, self.timeout = u.hostname or "127.0.0.1", u.port or 80, timeout
        self.headers = {"Accept-Encoding": "gzip", **(headers or {})}
        self._conn = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """(status, the body as the server sent it (gzip not undone), the headers with lower-case names);
        status 0 when the connection failed (it is opened again for the next request)."""
        import http.client

        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            r = self._conn.getresponse()
            return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
        except (http.client.HTTPException, OSError):
            self._conn.close()
            self._conn = None
            return 0, b"", {}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def _client(url: str, method: str, bodies: list, seconds: float, out: mp.Queue, headers: list | None,
            me: int, interval: float | None = None) -> None:
    """Closed loop (the next request when the answer arrives), or with `interval` a fixed schedule: a
    request every `interval` seconds, its latency counted from when it was due (so a request that
    waits behind a slow one counts its wait, rather than the schedule slipping). JSON bodies are
    encoded before the clock starts."""
    import json
    from urllib.parse import urlsplit

    lat: list[float] = []
    errors = 0
    statuses: Counter = Counter()
    u = urlsplit(url)
    path = u.path + (f"?{u.query}" if u.query else "")
    sent = [json.dumps(b).encode() for b in bodies] if method == "POST" else [path + b for b in bodies]
    # Each client process is a client of its own (the server trusts loopback as a proxy here), so the
    # per-client concurrency budget on checks is not shared by all load generators at once.
    http = Loopback(f"{u.scheme}://{u.netloc}", {"X-Forwarded-For": f"10.0.0.{me + 1}"})
    json_type = {"Content-Type": "application/json"}
    try:
        start = time.perf_counter()
        if interval is not None:
            start += random.Random(me).uniform(0, interval)  # the clients' schedules interleave
        end = start + seconds
        i = random.randrange(len(bodies))
        k = 0
        while True:
            due = start + k * interval if interval is not None else time.perf_counter()
            if due >= end:
                break
            if interval is not None:
                k += 1
                if (wait := due - time.perf_counter()) > 0:
                    time.sleep(wait)
            extra = headers[i % len(headers)] if headers else None
            if method == "POST":
                status = http.request("POST", path, sent[i % len(sent)], {**json_type, **(extra or {})})[0]
            else:
                status = http.request("GET", sent[i % len(sent)], None, extra)[0]
            i += 1
            lat.append(time.perf_counter() - due)
            errors += status >= 400 or status == 0
            statuses[status] += 1
    finally:
        http.close()
    out.put((lat, errors, statuses))


def _free_square(http, base: str, rng: random.Random) -> dict | None:
    """A small square on free ground near Chagai (the demo cadastre covers most of the province,
    and a filing over an active title is refused): the titles in a random 0.05° box are read through
    the OGC API, and a point at least 0.0015° from all of them is the square's centre."""
    import shapely
    import shapely.geometry

    for _ in range(20):
        x, y = rng.uniform(63.0, 65.5), rng.uniform(27.5, 29.3)
        box = (x, y, x + 0.05, y + 0.05)
        page = http.get(f"{base}/ogc/collections/titles/items",
                        params={"bbox": ",".join(f"{v:.5f}" for v in box), "limit": 1000}).json()
        taken = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in page["features"]])
        inner = shapely.box(*box).difference(taken).buffer(-0.0015)
        if not inner.is_empty:
            p = inner.representative_point()
            d = 0.001
            return {"type": "Polygon", "coordinates": [[[p.x - d, p.y - d], [p.x + d, p.y - d], [p.x + d, p.y + d],
                                                        [p.x - d, p.y + d], [p.x - d, p.y - d]]]}
    return None


def _filer(base: str, tokens: list[str], per_second: float, seconds: float, ready, stop, out: mp.Queue) -> None:
    """Files applications on free ground at `per_second`, open loop (up to 8 in flight, so slow
    answers do not lower the rate), until `stop` is set; the free squares are found before `ready`
    is set. Reports filings, failures and the seconds it ran. Each filing comes on a new connection,
    as from a new browser session, through one `httpx.Client` made once: until round 16 a client
    was made per filing, and making one costs 22 ms of CPU (its TLS context, unused on loopback
    HTTP), which this process took from the 2 cores the server shares: 110 ms a second at 5/s."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    rng = random.Random(11)
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {tokens[0]}"}) as http:
        areas = [a for a in (_free_square(http, base, rng) for _ in range(min(30, int(per_second * (seconds + 10))))) if a]
    ready.set()
    results: list = []

    def file(i: int) -> str:
        """The answer's status code, or the client's error (e.g. a timeout): why a filing failed."""
        body = {"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"],
                "holders": [{"name": f"Bench Filer {i} (Pvt) Ltd", "share_pct": 100, "country": "PK"}],
                "area": {"geojson": areas[i % len(areas)]}}
        try:
            r = filing.post(f"{base}/api/cadastre/applications", json=body,
                            headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"})
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if r.status_code < 400:
            return "ok"
        try:
            detail = str(r.json().get("detail", ""))[:60]
        except ValueError:
            detail = ""
        return f"{r.status_code} {detail}".strip()

    start = time.monotonic()
    filing = httpx.Client(timeout=60, limits=httpx.Limits(max_connections=8, max_keepalive_connections=0))
    with filing, ThreadPoolExecutor(8) as pool:
        done = 0
        while not stop.is_set():
            results.append(pool.submit(file, done))
            done += 1
            wait = start + done / per_second - time.monotonic()
            if wait > 0:
                stop.wait(wait)
        took = time.monotonic() - start
    answers = Counter(r.result() for r in results)
    failed = {k: v for k, v in answers.items() if k != "ok"}
    out.put((len(results), sum(failed.values()), took, failed))


def load(url: str, method: str, bodies: list, seconds: float, clients: int, headers: list | None = None,
         rate: float | None = None) -> dict:
    """Closed-loop load from `clients` processes, or with `rate` a fixed total rate (requests per
    second, shared by the clients); returns throughput and latency percentiles."""
    q: mp.Queue = mp.Queue()
    stolen = cpu_stolen()
    paused = MachinePauses()
    server = SERVER.get("pid")
    cpu0 = cpu_s(server) if server else None
    interval = clients / rate if rate else None
    procs = [mp.Process(target=_client, args=(url, method, bodies, seconds, q, headers, i, interval))
             for i in range(clients)]
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    steal = stolen()
    pauses = paused.stop()
    cpu = cpu_s(server) - cpu0 if server and cpu0 is not None else None
    errors = sum(r[1] for r in results)
    pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1e3  # noqa: E731
    return {"requests": len(lat), "rps": len(lat) / seconds, "p50_ms": pct(50), "p99_ms": pct(99),
            "mean_ms": statistics.mean(lat) * 1e3, "errors": errors, "statuses": sum((r[2] for r in results), Counter()),
            "per_client": sorted(len(r[0]) for r in results), "steal": steal, "pauses": pauses,
            "cpu_ms": cpu / len(lat) * 1e3 if cpu is not None and lat else None}


def cpu_stolen():
    """A function giving the share of the machine's CPU time the hypervisor took (`steal` in
    /proc/stat) since this call, or None where that is not known. On a shared virtual machine a
    stolen slice stops every process at once for tens of milliseconds: 110 ms tails in the check's
    closed loop with 10-20% stolen (vmstat, 2026-12-06), from the code of two rounds alike."""
    def read() -> tuple[int, int] | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        except (OSError, ValueError):
            return None
        return (fields[7], sum(fields)) if len(fields) == 8 else None

    start = read()

    def since() -> float | None:
        end = read()
        if start is None or end is None or end[1] <= start[1]:
            return None
        return (end[0] - start[0]) / (end[1] - start[1])
    return since


class MachinePauses:
    """Counts the moments the whole machine stopped while a line's load ran: a thread of the bench's
    own process that sleeps TICK_S at a time and notes each wake-up more than PAUSE_S late. On this
    machine (a KVM guest, 2 vCPUs) two processes that keep both vCPUs busy see the guest stopped for
    100 ms at a time, several times in 20 s, with 0.5-2% of the CPU counted as stolen; one busy
    process did not in 20 s (2026-12-07, /proc/stat and a spinning loop's gaps): likely the host's
    quota on the guest, in 100 ms periods. A closed-loop line keeps both vCPUs busy, and every request
    in flight when the guest stops is up to 100 ms late, so a line with enough stops (the requests
    they hold past 1% of its requests) has a p99 near 100 ms whatever the code; the line says how
    many there were."""

    TICK_S = 0.005
    PAUSE_S = 0.05

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="machine-pauses", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(self.TICK_S):
            now = time.monotonic()
            if now - last - self.TICK_S > self.PAUSE_S:
                self.pauses.append(now - last - self.TICK_S)
            last = now

    def stop(self) -> list[float]:
        """The pauses seen (seconds each), once the watch has ended."""
        self._stop.set()
        self._thread.join()
        return self.pauses


def start_postgres() -> str:
    subprocess.run([str(PG), "install"], check=True)
    return subprocess.run([str(PG), "start", str(VAR / "pgapibench")], check=True, capture_output=True,
                          text=True).stdout.strip()


BENCH_USER, BENCH_PASSWORD = "bench.officer", "a long bench passphrase"
FILERS = 16  # officers filing in turn: an account may run 2 expensive requests at once per worker
# (http/client_limits.PER_CLIENT_CONCURRENCY, not turned off by MAADAN_CLIENT_RATE=0). With 4 officers and 8
# filings in flight, slow filings (a loaded machine, a million titles) left 3 in flight on one account: 429s
# counted as failed filings. With 16, an account would need 3 of its own in flight among 8.


def prepare_database(url: str, titles: int, reuse: bool = False) -> list[str]:
    from maadan.auth import service as auth
    from maadan.cadastre import service
    from maadan.config import load_settings
    from maadan.ingest.service import seed_reference_data
    from maadan.store import migrate
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    migrate.upgrade(engine)
    seed_reference_data(UnitOfWork(engine, write=True))
    for name in [BENCH_USER] + [f"{BENCH_USER}.{i}" for i in range(FILERS)]:
        try:
            auth.create_user(UnitOfWork(engine, write=True), name, BENCH_PASSWORD, "officer", None)
        except Exception:  # noqa: BLE001 - an earlier run's user
            pass
    with UnitOfWork(engine) as uow:
        held = uow.cadastre.count_titles(synthetic=True)
    if reuse and held == titles:  # an earlier run's cadastre (e.g. a million titles): reused as it is
        with UnitOfWork(engine) as uow:
            numbers = [t.number for t in uow.cadastre.titles(limit=2000)]
        print(f"{held:,} synthetic titles already loaded: reused")
        engine.dispose()
        return numbers
    t0 = time.perf_counter()
    made = service.load_demo_cadastre(UnitOfWork(engine, write=True), titles, 1, "bench")
    print(f"{len(made):,} synthetic titles loaded in {time.perf_counter() - t0:.0f} s", flush=True)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        return [t.number for t in made]
    with engine.begin() as conn:
        # pygeoapi's PostgreSQL provider wants a PostGIS geometry column; Maadan stores WKB plus an
        # envelope. To be fair to pygeoapi it gets a real table built from the same rows, with a
        # geometry column and a GiST index (not a view that decodes WKB on every request).
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        kind = conn.exec_driver_sql("SELECT relkind FROM pg_class WHERE relname = 'title_geo'").scalar()
        if kind is not None:  # an earlier run's view (older bench) or table
            conn.exec_driver_sql(f"DROP {'VIEW' if kind == 'v' else 'TABLE'} title_geo")
        conn.exec_driver_sql(
            "CREATE TABLE title_geo AS SELECT id, number, title_type, state, area_km2, "
            "ST_SetSRID(ST_GeomFromWKB(geometry), 4326)::geometry(Polygon, 4326) AS geom FROM title")
        conn.exec_driver_sql("ALTER TABLE title_geo ADD PRIMARY KEY (id)")
        conn.exec_driver_sql("CREATE INDEX title_geo_geom ON title_geo USING gist (geom)")
        conn.exec_driver_sql("ANALYZE title_geo")
        conn.exec_driver_sql("ANALYZE title")
    engine.dispose()
    return [t.number for t in made]


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += children.get(p, [])
    return tree


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (MB), from /proc."""
    total = 0.0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


SERVER: dict[str, int] = {}  # {"pid": …} while a server runs: `load` counts the CPU its processes spent


def cpu_s(pid: int) -> float:
    """CPU seconds (user and system) a process and its descendants have spent, from /proc. Not the
    database server's: on PostgreSQL a request's CPU in its backend is not counted."""
    total = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def bboxes(n: int) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(n):  # ~0.5° boxes around the Chagai belt, where the demo titles are densest
        x, y = rng.uniform(62.0, 66.0), rng.uniform(28.0, 30.0)
        out.append(f"{x:.3f},{y:.3f},{x + 0.5:.3f},{y + 0.5:.3f}")
    return out


def start_maadan(url: str, port: int, workers: int) -> tuple[subprocess.Popen, float]:
    """`maadan serve --workers N`; returns once every worker has its spatial index warm and its map
    tiles built (the app does both at startup, off the request path), so no scenario pays for a cold
    build or runs beside the warm-up, with the seconds from start to warm."""
    import httpx

    env = dict(os.environ, MAADAN_DATABASE_URL=url, MAADAN_LOG_LEVEL="warning", MAADAN_CLIENT_RATE="0",
               MAADAN_EXPENSIVE_CONCURRENCY="0", MAADAN_TRUSTED_PROXIES="127.0.0.1")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "maadan", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://127.0.0.1:{port}/api/health"
    wait_http(health, 600, proc)
    deadline, warm = time.monotonic() + 900, 0
    while warm < 4 * workers and time.monotonic() < deadline:  # several answers in a row, from any worker
        try:
            body = httpx.get(health, timeout=60).json()
            done = body.get("spatial_index") == "warm" and body.get("map_tiles") not in ("warming", "cold")
            warm = warm + 1 if done else 0
        except httpx.HTTPError:  # a worker busy building a large index on a loaded machine
            warm = 0
        time.sleep(0.1 if warm else 0.5)
    return proc, time.perf_counter() - t0


def start_pygeoapi(url: str, port: int, workers: int = 1) -> subprocess.Popen | None:
    venv = VAR / "pygeoapi-venv"
    py = venv / "bin" / "python"
    if not (venv / "bin" / "pygeoapi").exists() or subprocess.run([str(py), "-c", "import geoalchemy2"], capture_output=True).returncode:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "pygeoapi", "psycopg2-binary", "geoalchemy2", "uvicorn",
                        "starlette"], check=True)
    from sqlalchemy.engine import make_url

    u = make_url(url)
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                   "limits": {"default_items": 10, "max_items": 10000}, "map": {"url": "", "attribution": ""},
                   "pretty_print": False},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                                        "keywords_type": "theme", "terms_of_service": "", "url": ""},
                     "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}, "provider": {"name": "bench", "url": "http://127.0.0.1"},
                     "contact": {"name": "bench", "url": "http://127.0.0.1"}},
        "resources": {"titles": {
            "type": "collection", "title": "titles", "description": "titles", "keywords": ["titles"],
            "extents": {"spatial": {"bbox": [60, 24, 71, 32], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "links": [],
            "providers": [{"type": "feature", "name": "PostgreSQL",
                           "data": {"host": u.host, "port": u.port, "dbname": u.database, "user": u.username,
                                    "password": u.password or "", "search_path": ["public"]},
                           "id_field": "id", "table": "title_geo", "geom_field": "geom"}]}},
    }
    cfg = VAR / "pygeoapi.config.yml"
    import yaml

    cfg.write_text(yaml.safe_dump(config))
    oas = VAR / "pygeoapi.openapi.yml"
    env = dict(os.environ, PYGEOAPI_CONFIG=str(cfg), PYGEOAPI_OPENAPI=str(oas))
    gen = subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(cfg), "--output-file", str(oas)],
                         env=env, capture_output=True, text=True)
    if gen.returncode != 0:
        print("pygeoapi openapi generation failed:", gen.stderr.strip().splitlines()[-1:])
        return None
    proc = subprocess.Popen([str(py), "-m", "uvicorn", "pygeoapi.starlette_app:APP", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                             "--no-access-log"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/collections/titles?f=json")
    return proc


def show(name: str, r: dict, bare: dict | None = None) -> None:
    """One scenario's line. `clients a-b`: the fewest and most answers one client got. Closed loop, a
    wide spread means the clients' keep-alive connections split unevenly over the server's workers
    (each connection stays with the process that accepted it): with 8 clients on 2 workers a 5-3 or
    6-2 split answered the larger group at 1.5-4 times the other's latency, and the run's p99 is
    that group's (round 15: 21-23 ms when 4-4, 30-40 ms when split)."""
    share = f"   {r['rps'] / bare['rps']:5.0%} of bare" if bare else ""
    per = r.get("per_client") or [0]
    steal = f", {r['steal']:.0%} stolen" if r.get("steal") is not None else ""
    stops = (f", machine stopped {len(r['pauses'])}x (longest {max(r['pauses']) * 1e3:.0f} ms)"
             if r.get("pauses") else "")
    cpu = f", server CPU {r['cpu_ms']:.2f} ms a request" if r.get("cpu_ms") is not None else ""
    print(f"{name:<52} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:7.2f} ms   p99 {r['p99_ms']:7.2f} ms"
          f"   ({r['requests']:,} requests, {r['errors']} errors, clients {per[0]:,}-{per[-1]:,}{steal}{stops}{cpu}){share}",
          flush=True)


def paired_shares(name: str, *, bare_path: str, path: str, bodies: list, args, pairs: int = 6) -> float:
    """The throughput of `path` as a share of the bare endpoint's, from `pairs` short runs of each
    taken in turn (bare then `path`, then `path` then bare, ...), a ratio per pair; prints each and
    their median, which it returns. The 10 s runs above are a minute apart, and a stolen share that
    drifts in that minute (5% for one, 14% for the other) moved the ratio by more than a change of the
    code; two runs of a few seconds side by side share the machine's state more nearly."""
    seconds = max(2.0, args.seconds / 3)
    shares, steals = [], []
    for k in range(pairs):
        runs = {}
        for which in ((bare_path, path) if k % 2 == 0 else (path, bare_path)):
            runs[which] = load(which, "GET", [""] if which == bare_path else bodies, seconds, args.clients)
        shares.append(runs[path]["rps"] / runs[bare_path]["rps"])
        steals.append(max(r["steal"] or 0 for r in runs.values()))
    median = statistics.median(shares)
    print(f"{name}, {pairs} pairs of {seconds:.1f} s runs with the bare endpoint: {median:.0%} of bare (median; "
          f"pairs {', '.join(f'{x:.0%}' for x in shares)}; at most {', '.join(f'{x:.0%}' for x in steals)} stolen)",
          flush=True)
    return median


def token(base: str, user: str = BENCH_USER) -> str:
    import httpx

    r = httpx.post(f"{base}/api/auth/token", json={"username": user, "password": BENCH_PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.json()["access_token"]


def etags(base: str, path: str, suffixes: list[str]) -> list[dict[str, str]]:
    """The If-None-Match header for each page, as the load generator's client is answered."""
    http = Loopback(base)
    try:
        return [{"If-None-Match": http.request("GET", path + s)[2]["etag"]} for s in suffixes]
    finally:
        http.close()


def _while_filing(base: str, args, during: Callable[[], T]) -> tuple[T, tuple[int, int, float, dict]]:
    """`during()` while another process files applications at --filings a second (`_filer`): its
    result and the filer's report (filings, failures, seconds, why they failed)."""
    stop, ready = mp.Event(), mp.Event()
    q: mp.Queue = mp.Queue()
    tokens = [token(base, f"{BENCH_USER}.{i}") for i in range(FILERS)]
    filer = mp.Process(target=_filer, args=(base, tokens, args.filings, args.seconds, ready, stop, q))
    filer.start()
    while not ready.wait(1.0):
        if not filer.is_alive():
            raise SystemExit(f"the filer stopped (exit code {filer.exitcode}) before it found free ground to file on")
    time.sleep(1.0)  # the first filings land before the clients start
    r = during()
    stop.set()
    filer.join(120)
    if q.empty():  # it died (its traceback is above) or hangs: no figure rather than a wait for ever
        filer.kill()
        raise SystemExit(f"the filer ended without a report (exit code {filer.exitcode})")
    filed = q.get()
    return r, filed


def checks_while_filing(base: str, checks: list, args, rate: float | None = None) -> tuple[dict, tuple[int, int, float, dict]]:
    return _while_filing(base, args, lambda: load(f"{base}/api/cadastre/check", "POST", checks, args.seconds,
                                                  args.clients, rate=rate))


def filings_alone(base: str, server, args) -> tuple[float, tuple[int, int, float, dict]]:
    """The filer with no other load: the server's CPU (all its processes) a filing over --seconds,
    and the filer's report. The filer files for a second more than that, at its steady rate, so the
    filings in the window are its rate times the window."""
    def per_filing() -> tuple[float, float]:
        cpu0, t0 = cpu_s(server.pid), time.monotonic()
        time.sleep(args.seconds)
        return cpu_s(server.pid) - cpu0, time.monotonic() - t0
    (cpu, window), filed = _while_filing(base, args, per_filing)
    done, _, took, _ = filed
    return (cpu / (done / took * window) if done else float("nan")), filed


def _checks(backend: str, w: str, base: str, checks: list, bare: dict, server, args) -> None:
    """The check of one application with no writes, then while another client files (--rounds
    times each, alternating, so both see the same load): medians of the p99s and their ratio. With
    --rate, both again at that fixed rate (the load below saturation)."""
    per_s, (filed, failed, took, why) = filings_alone(base, server, args)
    per = per_s * 1e3
    print(f"{backend} ({w}): {filed} filings alone in {took:.0f} s ({failed} failed{(': ' + repr(why)) if why else ''}): "
          f"server CPU {per:.1f} ms a filing ({per / bare['cpu_ms']:.0f}x the bare endpoint's a request)", flush=True)
    quiet_p99, busy_p99, quiet_at_p99, busy_at_p99 = [], [], [], []
    for _ in range(args.rounds):
        quiet = load(f"{base}/api/cadastre/check", "POST", checks, args.seconds, args.clients)
        show(f"{backend} ({w}): check one application, no writes", quiet, bare)
        if args.rate:
            quiet_at = load(f"{base}/api/cadastre/check", "POST", checks, args.seconds, args.clients, rate=args.rate)
            show(f"{backend} ({w}): check one application, no writes, at {args.rate:g}/s", quiet_at)
        busy, (filed, failed, took, why) = checks_while_filing(base, checks, args)
        show(f"{backend} ({w}): check while filing {args.filings:g}/s", busy, bare)
        print(f"{backend} ({w}): {filed} filings in {took:.0f} s ({filed / took:.1f}/s, {failed} failed{(': ' + repr(why)) if why else ''}); "
              f"check p99 while filing / without: {busy['p99_ms'] / quiet['p99_ms']:.2f}x; resident memory "
              f"after: {rss_mb(server.pid):,.0f} MB", flush=True)
        quiet_p99.append(quiet["p99_ms"])
        busy_p99.append(busy["p99_ms"])
        if args.rate:
            busy_at, (filed, failed, took, why) = checks_while_filing(base, checks, args, rate=args.rate)
            show(f"{backend} ({w}): check while filing {args.filings:g}/s, at {args.rate:g}/s", busy_at)
            print(f"{backend} ({w}): {filed} filings in {took:.0f} s ({filed / took:.1f}/s, {failed} failed"
                  f"{(': ' + repr(why)) if why else ''}); at {args.rate:g}/s, check p99 while filing / without: "
                  f"{busy_at['p99_ms'] / quiet_at['p99_ms']:.2f}x", flush=True)
            quiet_at_p99.append(quiet_at["p99_ms"])
            busy_at_p99.append(busy_at["p99_ms"])
    if args.rounds > 1:
        q, b = statistics.median(quiet_p99), statistics.median(busy_p99)
        print(f"{backend} ({w}): median of {args.rounds} rounds: check p99 {q:,.0f} ms without writes, {b:,.0f} ms "
              f"while filing: {b / q:.2f}x", flush=True)
        if args.rate:
            q, b = statistics.median(quiet_at_p99), statistics.median(busy_at_p99)
            print(f"{backend} ({w}): median of {args.rounds} rounds at {args.rate:g}/s: check p99 {q:,.1f} ms without "
                  f"writes, {b:,.1f} ms while filing: {b / q:.2f}x", flush=True)


def working_copy(url: str) -> str:
    """A copy of the prepared database for one run, made afresh each time: the busy check files
    applications (56 in 10 s), which stayed in a reused database, and each later run's checks met
    more of them (after many runs, 1,500-1,900 received applications where the checks fall, and
    slower checks; round 14). SQLite: a copy of the file by SQLite's backup API beside it
    (`-run`); PostgreSQL: a database made from it as a template (`_run`; needs CREATEDB)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        import sqlite3

        source = Path(u.database)
        target = source.with_name(source.stem + "-run" + source.suffix)
        for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return u.set(database=str(target)).render_as_string(hide_password=False)
    import psycopg

    run = f"{u.database}_run"
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{run}"')
        conn.execute(f'CREATE DATABASE "{run}" TEMPLATE "{u.database}"')
    return u.set(database=run).render_as_string(hide_password=False)


def bench_backend(backend: str, url: str, args) -> dict:
    numbers = prepare_database(url, args.titles, args.reuse)
    if not args.in_place:
        t0 = time.perf_counter()
        url = working_copy(url)
        print(f"serving a fresh copy of the prepared database, made in {time.perf_counter() - t0:.1f} s", flush=True)
    boxes = bboxes(200)
    square = lambda x, y: {"type": "Polygon", "coordinates": [[[x, y], [x + .1, y], [x + .1, y + .1], [x, y + .1], [x, y]]]}  # noqa: E731
    rng = random.Random(3)
    checks = [{"title_type": "EL", "area": {"geojson": square(rng.uniform(63.0, 65.5), rng.uniform(27.5, 29.3))}}
              for _ in range(200)]
    print(f"\n== {backend}: {args.titles:,} titles; load: {args.clients} client processes, {args.seconds:.0f} s per "
          f"scenario; uptime load {os.getloadavg()[0]:.1f}", flush=True)
    ogc = {}
    for workers in [int(w) for w in args.workers.split(",")]:
        port = free_port()
        server, warm_s = start_maadan(url, port, workers)
        SERVER["pid"] = server.pid
        base = f"http://127.0.0.1:{port}"
        w = f"{workers} worker{'s' if workers > 1 else ''}"
        items = "/ogc/collections/titles/items?limit=100&bbox="
        try:
            print(f"{backend} ({w}): warm in {warm_s:.1f} s; resident memory {rss_mb(server.pid):,.0f} MB "
                  f"(all processes)", flush=True)
            wanted = set(args.scenarios.split(","))
            bare = load(f"{base}/api/ping", "GET", [""], args.seconds, args.clients)
            show(f"{backend} ({w}): bare endpoint /api/ping", bare)
            if args.checks_only:
                _checks(backend, w, base, checks, bare, server, args)
                continue
            if "title" in wanted:
                # Twice, as the OGC page: in the first run each server process builds each of the 2,000
                # titles' bodies once (about half the requests); the second serves them from its cache.
                show(f"{backend} ({w}): one title by number, first {args.seconds:g} s",
                     load(f"{base}/api/cadastre/titles/", "GET", numbers[:2000], args.seconds, args.clients), bare)
                show(f"{backend} ({w}): one title by number", load(f"{base}/api/cadastre/titles/", "GET",
                                                                    numbers[:2000], args.seconds, args.clients), bare)
                paired_shares(f"{backend} ({w}): one title by number", bare_path=f"{base}/api/ping",
                              path=f"{base}/api/cadastre/titles/", bodies=numbers[:2000], args=args)
                if args.rate:
                    show(f"{backend} ({w}): one title by number at {args.rate:g}/s",
                         load(f"{base}/api/cadastre/titles/", "GET", numbers[:2000], args.seconds, args.clients,
                              rate=args.rate))
            show(f"{backend} ({w}): OGC items, first {args.seconds:g} s", load(base + items, "GET", boxes, args.seconds,
                                                                              args.clients), bare)
            pages = []
            for _ in range(args.rounds):
                pages.append(load(base + items, "GET", boxes, args.seconds, args.clients))
                show(f"{backend} ({w}): OGC items, 100 in a bbox", pages[-1], bare)
            ogc[workers] = pages[-1]
            if args.rounds > 1:
                print(f"{backend} ({w}): median of {args.rounds} rounds: OGC items {statistics.median(r['rps'] for r in pages):,.0f} "
                      f"req/s, p99 {statistics.median(r['p99_ms'] for r in pages):,.1f} ms", flush=True)
            if args.rate:
                show(f"{backend} ({w}): OGC items, 100 in a bbox at {args.rate:g}/s",
                     load(base + items, "GET", boxes, args.seconds, args.clients, rate=args.rate))
            if "304" in wanted:
                revalidated = load(base + items, "GET", boxes[:50], args.seconds, args.clients, etags(base, items, boxes[:50]))
                show(f"{backend} ({w}): OGC items, revalidated (304)", revalidated, bare)
                if revalidated["statuses"].get(304, 0) != revalidated["requests"]:
                    print(f"  (not all 304: {dict(revalidated['statuses'])})", flush=True)
            if "check" in wanted:
                _checks(backend, w, base, checks, bare, server, args)
        finally:
            SERVER.clear()
            server.terminate()
            server.wait()
    return ogc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--no-pygeoapi", action="store_true")
    ap.add_argument("--workers", default="2", help="uvicorn worker counts to measure, comma separated")
    ap.add_argument("--backends", default="postgresql,sqlite")
    ap.add_argument("--reuse", action="store_true", help="keep a database that already holds --titles titles")
    ap.add_argument("--filings", type=float, default=5.0, help="applications per second filed during the check")
    ap.add_argument("--scenarios", default="title,304,check",
                    help="besides the bare endpoint and the OGC page: title, 304, check (with the check while filing)")
    ap.add_argument("--sqlite", type=Path, default=None,
                    help="the SQLite database file (default var/apibench-TITLES.sqlite); with --reuse, built once")
    ap.add_argument("--checks-only", action="store_true",
                    help="warm-up, memory, the bare endpoint and the checks (quiet, while filing) only")
    ap.add_argument("--rounds", type=int, default=1,
                    help="rounds of the OGC page and of quiet and busy checks (medians reported)")
    ap.add_argument("--rate", type=float, default=None,
                    help="also run the title, OGC page and quiet check open-loop at this total rate (requests/s): "
                         "latency without the queue a saturating closed loop builds")
    ap.add_argument("--url", help="the database to bench (--backends names one backend): kept, not reloaded")
    ap.add_argument("--in-place", action="store_true",
                    help="serve the prepared database itself, not a fresh copy of it (the busy check's filings stay)")
    args = ap.parse_args()
    ogc: dict = {}
    url = ""
    for backend in args.backends.split(","):
        if backend == "postgresql":
            url = (args.url if args.url and args.url.startswith("postgresql") else None) \
                or os.environ.get("MAADAN_BENCH_POSTGRES_URL") or start_postgres()
            ogc = bench_backend(backend, url, args)
        else:
            VAR.mkdir(exist_ok=True)
            path = args.sqlite or VAR / f"apibench-{args.titles}.sqlite"
            if args.url and args.url.startswith("sqlite"):
                bench_backend(backend, args.url, args)
                continue
            if not args.reuse:
                path.unlink(missing_ok=True)
            bench_backend(backend, f"sqlite:///{path}", args)
    if args.no_pygeoapi or not ogc:
        return
    boxes = bboxes(200)
    for workers, mine in ogc.items():  # pygeoapi with the same number of uvicorn workers
        port2 = free_port()
        other = start_pygeoapi(url, port2, workers)
        if other is None:
            return
        w = f"{workers} worker{'s' if workers > 1 else ''}"
        SERVER["pid"] = other.pid
        try:
            items = f"http://127.0.0.1:{port2}/collections/titles/items?f=json&limit=100&bbox="
            show(f"pygeoapi ({w}): OGC items, first {args.seconds:g} s", load(items, "GET", boxes, args.seconds, args.clients))
            pg = load(items, "GET", boxes, args.seconds, args.clients)
            show(f"pygeoapi ({w}): OGC items, 100 in a bbox", pg)
            print(f"ratio Maadan / pygeoapi, {w} each: throughput {mine['rps'] / pg['rps']:.2f}x, "
                  f"p99 {pg['p99_ms'] / mine['p99_ms']:.2f}x lower")
        finally:
            SERVER.clear()
            other.terminate()
            other.wait()


if __name__ == "__main__":
    main()
