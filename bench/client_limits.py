"""What per-client limits buy the rest of the app (issue 15): the audit saw 8 clients running Monte
Carlo slow every request to about 5 s and the OGC pages 3-6x. This script serves a fresh SQLite
database (`maadan serve`, one worker, behind "a proxy" on loopback so each load client has its own
address) and measures the latency of an OGC API items page of 100 titles from one reader:

1. alone (the baseline, measured in the same run);
2. while 8 clients loop on /api/analytics/montecarlo (200,000 paths), with the limits off
   (MAADAN_CLIENT_RATE=0, MAADAN_EXPENSIVE_CONCURRENCY=0);
3. the same load with the limits at their defaults.

It prints the reader's median and p90 and their ratio to the baseline, and what the load clients
got (200 / 429 / 503). Usage: .venv/bin/python bench/client_limits.py [--seconds 20] [--clients 8].
On a shared machine, compare the ratios, not the times."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api import free_port, wait_http  # noqa: E402


def serve(url: str, port: int, env_extra: dict[str, str]) -> subprocess.Popen:
    env = {**os.environ, "MAADAN_DATABASE_URL": url, "MAADAN_TRUSTED_PROXIES": "127.0.0.1", "MAADAN_LOG_LEVEL": "warning",
           **env_extra}
    proc = subprocess.Popen([sys.executable, "-m", "maadan", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/api/health")
    return proc


def reader(base: str, seconds: float) -> list[float]:
    import httpx

    out: list[float] = []
    end = time.monotonic() + seconds
    with httpx.Client(timeout=60) as http:
        while time.monotonic() < end:
            t = time.perf_counter()
            r = http.get(f"{base}/ogc/collections/titles/items", params={"limit": 100})
            r.raise_for_status()
            out.append(time.perf_counter() - t)
    return out


def hammer(base: str, i: int, stop: threading.Event, codes: Counter) -> None:
    import httpx

    with httpx.Client(timeout=120, headers={"X-Forwarded-For": f"198.51.100.{i + 1}"}) as http:
        while not stop.is_set():
            r = http.get(f"{base}/api/analytics/montecarlo/reko-diq", params={"paths": 200_000})
            codes[r.status_code] += 1
            if r.status_code in (429, 503):
                time.sleep(min(5.0, float(r.headers.get("retry-after", "1"))))  # a polite client waits


def scenario(base: str, clients: int, seconds: float) -> tuple[list[float], Counter]:
    stop, codes = threading.Event(), Counter()
    threads = [threading.Thread(target=hammer, args=(base, i, stop, codes), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(2)  # let the load build up
    lat = reader(base, seconds)
    stop.set()
    for t in threads:
        t.join(timeout=180)
    return lat, codes


def summary(name: str, lat: list[float], base_p50: float | None) -> float:
    p50 = statistics.median(lat)
    p90 = statistics.quantiles(lat, n=10)[-1] if len(lat) >= 10 else max(lat)
    ratio = f", {p50 / base_p50:.1f}x the baseline median" if base_p50 else ""
    print(f"{name:<28} n={len(lat):>4}  p50 {p50 * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms{ratio}")
    return p50


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        env = {**os.environ, "MAADAN_DATABASE_URL": url}
        for cmd in (["db", "init"], ["demo", "cadastre", "--titles", "2000", "--seed", "1"]):
            subprocess.run([sys.executable, "-m", "maadan", *cmd], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"OGC items page (100 titles) latency, {args.clients} Monte Carlo clients, {args.seconds:.0f} s each, "
              f"{os.cpu_count()} CPUs (shared machine: compare ratios)")
        base_p50 = None
        for name, extra in (("limits off", {"MAADAN_CLIENT_RATE": "0", "MAADAN_EXPENSIVE_CONCURRENCY": "0"}),
                            ("limits on (defaults)", {})):
            port = free_port()
            proc = serve(url, port, extra)
            try:
                b = f"http://127.0.0.1:{port}"
                if base_p50 is None:
                    base_p50 = summary("baseline (no load)", reader(b, args.seconds), None)
                lat, codes = scenario(b, args.clients, args.seconds)
                summary(f"under load, {name}", lat, base_p50)
                print(f"{'':28} load clients got: {dict(sorted(codes.items()))}")
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
