"""Soak (issue 18): mixed load on loopback against `maadan serve --workers N` while a worker is killed
with SIGKILL every `--kill-every` seconds (0: none), the service is reloaded with SIGHUP every
`--reload-every` seconds (0, the default: none; its workers restarted one by one, http/workers.py)
and, on PostgreSQL, the database server is restarted once (`pg_ctl restart -m immediate`: a crash,
then recovery from the write-ahead log).

The load, from `--clients` threads: public reads (titles, minerals, the home page, one application),
OGC items pages, spatial checks, filings with an Idempotency-Key (retried with the same key after a
lost connection or a 5xx, as a client on a poor line would), officers' decisions (accept, then
review; keyed too), and a rent run (`maadan cadastre rent`) every 60 s.

At the end it checks, against the database itself:
- every answer that was 2xx is durable: each filing that got a 201 is there with the number it was
  given, each decision that got a 200 left its application at least in that state;
- every filing was filed once: one application per idempotency key, whatever the retries;
- no 5xx except while the database restarts (the window from the restart to the first successful
  health check after it, plus 2 s), counted apart;
- the register verifies (`maadan audit verify`);
and it prints the memory (RSS) of each worker at the start and the end (killed workers are replaced
by the parent, `http/workers.py`: the end figures are for the workers alive then).

It starts its own database (SQLite in a temp folder, or its own PostgreSQL cluster with
`scripts/pg-test-server` on `--pg-port`), so nothing else is touched. The machine is shared: the
load average at the start and end is printed with the figures.

Usage: .venv/bin/python bench/soak.py --backend sqlite|postgresql [--duration 600] [--workers 2]
       [--clients 6] [--kill-every 30] [--reload-every 0] [--port 8740] [--pg-port 54700] [--json FILE]
A smoke run: --duration 60 (one kill at 30 s, the restart at 20 s)."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MAADAN = str(Path(sys.executable).with_name("maadan"))
PG_SERVER = str(ROOT / "scripts" / "pg-test-server")
PASSWORD = "soak passphrase long enough"
ORDER = ("received", "accepted", "under-review")


# --- the database and the server -------------------------------------------------------------------

class Database:
    def __init__(self, backend: str, work: Path, pg_port: int):
        self.backend, self.work = backend, work
        if backend == "sqlite":
            self.url = f"sqlite:///{work / 'soak.sqlite'}"
            self.pg_dir = None
        else:
            self.pg_dir = work / "pg"
            env = {**os.environ, "PGTEST_PORT": str(pg_port)}
            self.url = subprocess.run([PG_SERVER, "start", str(self.pg_dir)], env=env, check=True,
                                      capture_output=True, text=True).stdout.strip()

    @property
    def _state(self) -> Path:
        loc = self.pg_dir / "location"
        return Path(loc.read_text().splitlines()[0]) if loc.exists() else self.pg_dir

    def _as_postgres(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def restart(self) -> None:
        """A crash and a restart: immediate shutdown (no checkpoint), then recovery from the WAL."""
        pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl"
        data, log = self._state / "data", self._state / "postgres.log"
        subprocess.run(self._as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "-s", "stop"]),
                       check=True, cwd="/")
        time.sleep(1.0)
        subprocess.run(self._as_postgres([pg_ctl, "-D", str(data), "-l", str(log), "-w", "-s", "start"]),
                       check=True, cwd="/")

    def close(self) -> None:
        if self.pg_dir is not None:
            subprocess.run([PG_SERVER, "stop", str(self.pg_dir)], capture_output=True)


def maadan(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([MAADAN, *args], env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"maadan {' '.join(args)}: exit {done.returncode}: {done.stderr[-800:]}")
    return done.stdout


def children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = []
    for k in map(int, kids):
        try:
            cmd = Path(f"/proc/{k}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"resource_tracker" not in cmd:
            out.append(k)
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# --- the load ------------------------------------------------------------------------------------

@dataclass
class Record:
    kind: str
    status: int | str  # an HTTP status, or "conn" for a lost connection / timeout
    start: float
    end: float


@dataclass
class State:
    records: list[Record] = field(default_factory=list)
    filings: dict[str, list] = field(default_factory=dict)  # key -> [tag, number or None, retries]
    decided: dict[int, str] = field(default_factory=dict)  # application number -> state a 200 reported
    to_decide: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cells: list[tuple[float, float]] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)  # 4xx answers to filings and decisions, by error code

    def add(self, r: Record) -> None:
        with self.lock:
            self.records.append(r)


def square(x: float, y: float, d: float = 0.02) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def request(client: httpx.Client, state: State, kind: str, method: str, url: str, **kw) -> httpx.Response | None:
    t0 = time.monotonic()
    try:
        r = client.request(method, url, **kw)
    except httpx.HTTPError:
        state.add(Record(kind, "conn", t0, time.monotonic()))
        return None
    state.add(Record(kind, r.status_code, t0, time.monotonic()))
    return r


def file_once(client: httpx.Client, state: State, token: str) -> None:
    with state.lock:
        if not state.cells:
            return
        x, y = state.cells.pop()
    key, tag = str(uuid.uuid4()), uuid.uuid4().hex[:10]
    body = {"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"],
            # the applicant's own organisation must be among the holders (the portal's rule, issue 16)
            "holders": [{"name": "US Strategic Metals", "share_pct": 60, "country": "US"},
                        {"name": f"Soak Minerals {tag} (Pvt) Ltd", "share_pct": 40, "country": "PK"}],
            "area": {"geojson": square(x, y)}}
    entry = [tag, None, 0]
    with state.lock:
        state.filings[key] = entry
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    for attempt in range(12):  # a client on a poor line retries with the same key
        r = request(client, state, "filing", "POST", "/api/cadastre/applications", json=body, headers=headers)
        if r is not None and r.status_code == 429:  # this account's concurrent expensive requests: wait
            time.sleep(float(r.headers.get("retry-after", "1")))
            entry[2] += 1
            continue
        if r is not None and r.status_code < 500 and r.status_code != 409 or \
                r is not None and r.status_code == 409 and r.json().get("error") != "idempotency_key_in_use":
            if r.status_code == 201:
                entry[1] = r.json()["number"]
                with state.lock:
                    state.to_decide.append(entry[1])
            else:
                with state.lock:
                    state.refused[f"filing {r.status_code} {r.json().get('message', '')[:70]}"] += 1
            return
        entry[2] += 1
        time.sleep(0.5 + attempt * 0.25)


def decide_one(client: httpx.Client, state: State, token: str) -> None:
    with state.lock:
        if not state.to_decide:
            return
        number = state.to_decide.pop(0)
        now = state.decided.get(number, "received")
    action = {"received": "accept", "accepted": "review"}.get(now)
    if action is None:
        return
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"decide-{number}-{action}"}
    for attempt in range(12):
        r = request(client, state, "decision", "POST", f"/api/cadastre/applications/PK-BA/{number}/decisions",
                    json={"action": action}, headers=headers)
        if r is not None and r.status_code < 500 and not (r.status_code == 409 and
                                                          r.json().get("error") == "idempotency_key_in_use"):
            if r.status_code == 200:
                with state.lock:
                    state.decided[number] = r.json()["state"]
                    if action == "accept":
                        state.to_decide.append(number)
            else:
                with state.lock:
                    state.refused[f"decision {r.status_code} {r.json().get('message', '')[:70]}"] += 1
            return
        time.sleep(0.5 + attempt * 0.25)


def client_loop(base: str, state: State, tokens: dict, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    with httpx.Client(base_url=base, timeout=30.0) as client:
        while not stop.is_set():
            p = rnd.random()
            if p < 0.40:
                url = rnd.choice(["/api/cadastre/titles?limit=20&offset=%d" % rnd.randrange(0, 100),
                                  "/api/minerals", "/", "/api/cadastre/applications?limit=20"])
                request(client, state, "read", "GET", url)
            elif p < 0.60:
                request(client, state, "ogc", "GET", "/ogc/collections/titles/items",
                        params={"limit": 50, "offset": rnd.randrange(0, 150)})
            elif p < 0.75:
                x, y = rnd.uniform(65.0, 66.5), rnd.uniform(26.6, 28.4)
                request(client, state, "check", "POST", "/api/cadastre/check",
                        json={"jurisdiction": "PK-BA", "title_type": "EL", "area": {"geojson": square(x, y)}})
            elif p < 0.88:
                file_once(client, state, tokens["applicant"])
            else:
                decide_one(client, state, tokens["officer"])


# --- the run -------------------------------------------------------------------------------------

def wait_healthy(base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become healthy")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def soak(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"maadan-soak-{args.backend}-"))
    db = Database(args.backend, work, args.pg_port)
    env = {**os.environ, "MAADAN_DATABASE_URL": db.url, "MAADAN_DATA_DIR": str(work),
           "MAADAN_PASSWORD_HASHING": "fast-insecure", "MAADAN_CLIENT_RATE": "0",
           "MAADAN_EXPENSIVE_CONCURRENCY": "0", "MAADAN_LOG_LEVEL": "warning",
           "MAADAN_REGISTER_KEY": str(work / "register-key.pem")}
    server = None
    try:
        maadan(env, "db", "init")
        maadan(env, "demo", "cadastre", "--titles", "150", "--seed", "5")
        maadan(env, "users", "create", "soak.officer", "--role", "officer", "--password-stdin", stdin=PASSWORD + "\n")
        maadan(env, "users", "create", "soak.applicant", "--role", "applicant", "--org", "ussm",
               "--password-stdin", stdin=PASSWORD + "\n")
        base = f"http://127.0.0.1:{args.port}"
        log = open(work / "serve.log", "w")
        server = subprocess.Popen([MAADAN, "serve", "--workers", str(args.workers), "--port", str(args.port)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_healthy(base)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (len(children(server.pid)) < args.workers or
                                               any((rss_mb(p) or 0) < 60 for p in children(server.pid))):
            time.sleep(0.5)  # every worker started and imported the app
        tokens = {}
        for role in ("officer", "applicant"):
            r = httpx.post(base + "/api/auth/token", json={"username": f"soak.{role}", "password": PASSWORD})
            tokens[role] = r.json()["access_token"]
        workers = children(server.pid)
        memory_start = {pid: rss_mb(pid) for pid in workers}
        # filings go to their own cells of a grid in central Balochistan, away from the demo titles
        state = State(cells=[(65.0 + 0.025 * i, 26.6 + 0.025 * j) for i in range(60) for j in range(72)])
        random.Random(7).shuffle(state.cells)
        stop = threading.Event()
        load_start = load_average()
        t0 = time.monotonic()
        threads = [threading.Thread(target=client_loop, args=(base, state, tokens, stop, i), daemon=True)
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        kills, reloads, restart, rents = [], [], None, []
        restart_at = t0 + (args.restart_at if args.restart_at is not None else args.duration / 2)
        never = float("inf")
        next_kill = t0 + args.kill_every if args.kill_every > 0 else never
        next_reload = t0 + args.reload_every if args.reload_every > 0 else never
        next_rent = t0 + 10
        while time.monotonic() - t0 < args.duration:
            now = time.monotonic()
            if now >= next_reload:
                os.kill(server.pid, signal.SIGHUP)
                reloads.append(round(now - t0, 1))
                next_reload += args.reload_every
            if now >= next_kill:
                alive = children(server.pid)
                if alive:
                    victim = random.choice(alive)
                    os.kill(victim, signal.SIGKILL)
                    kills.append(round(now - t0, 1))
                next_kill += args.kill_every
            if args.backend == "postgresql" and restart is None and now >= restart_at:
                began = time.monotonic()
                db.restart()
                wait_healthy(base, 120)
                restart = (began, time.monotonic() + 2.0)
            if now >= next_rent:
                t = time.monotonic()
                try:
                    maadan(env, "cadastre", "rent", "--actor", "soak", "--json")
                    rents.append(("ok", round(time.monotonic() - t, 2)))
                except RuntimeError as exc:
                    rents.append((str(exc)[:200], round(time.monotonic() - t, 2)))
                next_rent += 60
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - t0
        load_end = load_average()
        time.sleep(1)
        workers_end = children(server.pid)
        memory_end = {pid: rss_mb(pid) for pid in workers_end}
        return finish(args, env, db, state, (kills, reloads), restart, rents, elapsed, memory_start, memory_end,
                      load_start, load_end, workers)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        db.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} (serve.log: the server's log)", file=sys.stderr)


def finish(args, env, db, state, signalled, restart, rents, elapsed, memory_start, memory_end, load_start, load_end,
           workers_start) -> dict:
    kills, reloads = signalled  # the seconds of each SIGKILL to a worker and each SIGHUP to the service
    from sqlalchemy import create_engine, text

    engine = create_engine(db.url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT a.number, a.state, h.name FROM application a JOIN holder h "
                                 "ON h.application_id = a.id WHERE h.name LIKE 'Soak Minerals %'")).all()
    engine.dispose()
    by_tag: dict[str, list] = defaultdict(list)
    for number, app_state, name in rows:
        by_tag[name.split()[2]].append((number, app_state))
    lost, twice, filed = [], [], 0
    for key, (tag, number, _retries) in state.filings.items():
        found = by_tag.get(tag, [])
        if len(found) > 1:
            twice.append((key, found))
        if number is not None:
            filed += 1
            if [n for n, _ in found] != [number]:
                lost.append((key, number, found))
    states = {n: s for rows_ in by_tag.values() for n, s in rows_}
    undone = [(n, s, states.get(n)) for n, s in state.decided.items()
              if states.get(n) not in ORDER or ORDER.index(states[n]) < ORDER.index(s)]
    verify = subprocess.run([MAADAN, "audit", "verify", "--json"], env=env, capture_output=True, text=True)
    verified = json.loads(verify.stdout) if verify.stdout.strip().startswith("{") else {"ok": False}

    def in_restart(r: Record) -> bool:
        return restart is not None and r.end >= restart[0] and r.start <= restart[1]

    by_kind: dict[str, Counter] = defaultdict(Counter)
    latency: dict[str, list[float]] = defaultdict(list)
    five_in, five_out = Counter(), Counter()
    for r in state.records:
        label = r.status if r.status == "conn" else f"{r.status // 100}xx"
        by_kind[r.kind][label] += 1
        if isinstance(r.status, int) and r.status < 300:
            latency[r.kind].append((r.end - r.start) * 1000)
        if isinstance(r.status, int) and r.status >= 500:
            (five_in if in_restart(r) else five_out)[f"{r.kind} {r.status}"] += 1
    retried = sum(1 for e in state.filings.values() if e[2])
    out = {
        "backend": args.backend, "seconds": round(elapsed, 1), "workers": args.workers, "clients": args.clients,
        "load_average": {"start": load_start, "end": load_end},
        "requests": {k: dict(v) for k, v in sorted(by_kind.items())},
        "requests_total": len(state.records),
        "median_ms": {k: round(statistics.median(v), 1) for k, v in sorted(latency.items()) if v},
        "p95_ms": {k: round(sorted(v)[int(0.95 * (len(v) - 1))], 1) for k, v in sorted(latency.items()) if v},
        "kills_at_s": kills, "reloads_at_s": reloads, "db_restart_s": round(restart[1] - 2.0 - restart[0], 1) if restart else None,
        "rent_runs": rents,
        "filings": {"keys": len(state.filings), "filed_2xx": filed, "retried_keys": retried,
                    "filed_twice": len(twice), "lost_after_2xx": len(lost)},
        "refused_4xx": dict(state.refused),
        "decisions_2xx": len(state.decided), "decisions_not_durable": len(undone),
        "5xx_during_db_restart": dict(five_in), "5xx_outside_db_restart": dict(five_out),
        "register_verifies": bool(verified.get("ok")), "register_events": verified.get("events"),
        "worker_rss_mb": {"start": list(memory_start.values()), "end": list(memory_end.values())},
        "workers_new_at_end": len(set(memory_end) - set(memory_start)),  # replaced after kills or reloads
    }
    out["ok"] = (not twice and not lost and not undone and not five_out and out["register_verifies"])
    if twice or lost or undone:
        out["problems"] = {"twice": twice[:5], "lost": lost[:5], "undone": undone[:5]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--kill-every", type=float, default=30.0, help="seconds between SIGKILLs (0: none)")
    ap.add_argument("--reload-every", type=float, default=0.0, help="seconds between SIGHUPs (0: none)")
    ap.add_argument("--restart-at", type=float, default=None, help="seconds in (default: half the duration)")
    ap.add_argument("--port", type=int, default=8740)
    ap.add_argument("--pg-port", type=int, default=54700)
    ap.add_argument("--keep", action="store_true", help="keep the work folder (database, serve.log)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = ap.parse_args()
    result = soak(args)
    text_out = json.dumps(result, indent=2)
    print(text_out)
    if args.json:
        args.json.write_text(text_out + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
