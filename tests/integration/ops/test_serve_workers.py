"""`maadan serve --workers 2` as an operator runs it, in a process of its own: the parent hands each
connection to the worker with the fewest open (http/workers.py), so eight clients that connect at
once are served four by each worker; a worker killed is replaced and the service goes on; SIGTERM
stops the parent and every worker. Which worker serves a connection is read from /proc: the
server-side socket of the client's port, and the worker process holding it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from Linux's /proc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def server_inode(server_port: int, client_port: int) -> int:
    """The inode of the server's end of the loopback connection from `client_port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return int(fields[9])
    raise AssertionError(f"no server socket for client port {client_port}")


def connect(port: int) -> http.client.HTTPConnection:
    return health(port)[0]


def health(port: int) -> tuple[http.client.HTTPConnection, dict]:
    """A new connection, and the /api/health answer over it."""
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/health")
    answer = conn.getresponse()
    body = answer.read()
    assert answer.status == 200, body
    return conn, json.loads(body)


def served_by(port: int, conns: list[http.client.HTTPConnection], workers: list[int]) -> list[int]:
    """For each connection, the worker (its pid) holding the server's end."""
    held = {pid: socket_inodes(pid) for pid in workers}
    out = []
    for conn in conns:
        inode = server_inode(port, conn.sock.getsockname()[1])
        out += [pid for pid, inodes in held.items() if inode in inodes]
    assert len(out) == len(conns), "every connection is held by exactly one worker"
    return out


@pytest.fixture
def served(seeded_db):
    port = free_port()
    env = dict(os.environ, MAADAN_DATABASE_URL=seeded_db.url, MAADAN_LOG_LEVEL="warning",
               MAADAN_MAIL_DISPATCH_SECONDS="0", MAADAN_CLIENT_RATE="0")
    proc = subprocess.Popen([sys.executable, "-m", "maadan", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, seen = time.monotonic() + 120, set()
        while seen != set(workers_of(proc)) or len(seen) != 2:  # both workers serving, their warm-ups done
            if len(workers_of(proc)) == 2:                      # (the parent prefers a warm worker)
                try:
                    conn, body = health(port)
                    if body["warm_up"] == "done":
                        seen.update(served_by(port, [conn], workers_of(proc)))
                    conn.close()
                except OSError:
                    pass
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "maadan serve's two workers were not serving warm in 120 s"
            time.sleep(0.1)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def state(pid: int) -> str:
    """The process's state letter (R, S, Z...), or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def workers_of(proc: subprocess.Popen) -> list[int]:
    """The parent's worker processes: its spawned children, not multiprocessing's resource tracker."""
    return [pid for pid in children(proc.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_eight_clients_at_once_are_served_four_by_each_worker(served):
    proc, port = served
    workers = workers_of(proc)
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]  # all connect before any asks
    conns = []
    for s in socks:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.sock = s
        conns.append(conn)
    for conn in conns:
        conn.request("GET", "/api/health")
    for conn in conns:
        answer = conn.getresponse()
        assert answer.status == 200
        answer.read()
    owners = served_by(port, conns, workers)
    assert sorted(owners.count(pid) for pid in set(owners)) == [4, 4], owners

    # The four that one worker serves close: the next four all go to it, the one with fewer open.
    emptied = owners[0]
    for conn, pid in zip(conns, owners):
        if pid == emptied:
            conn.close()
    time.sleep(0.5)  # the worker counts a connection closed once it has seen it close
    fresh = [connect(port) for _ in range(4)]
    assert served_by(port, fresh, workers) == [emptied] * 4
    for conn in conns + fresh:
        conn.close()


def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(served):
    proc, port = served
    first, second = workers_of(proc)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 120
    # A connection handed to the worker in the instant before it dies goes with it, as one it had
    # accepted would under uvicorn's supervisor. Its main thread is a zombie before its other threads
    # have gone (and its channel with them); once the parent has reaped it, the channel refuses and
    # the parent hands every connection to the worker left.
    while exists(first):
        assert time.monotonic() < deadline, f"{first} was not reaped"
        time.sleep(0.01)
    while True:  # every answer from now on comes from the worker left, or the one that replaces it
        conn = connect(port)
        conn.close()
        now = workers_of(proc)
        if len(now) == 2 and first not in now:
            break
        assert time.monotonic() < deadline, f"no worker replaced {first}: {now}"
        time.sleep(0.2)
    replacement = (set(now) - {second}).pop()
    seen = set()
    deadline = time.monotonic() + 120
    while seen != set(now) and time.monotonic() < deadline:  # new connections go to both again, once
        conn = connect(port)                                  # the replacement has started serving
        seen.update(served_by(port, [conn], now))
        conn.close()
        time.sleep(0.05)
    assert seen == {second, replacement}

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0, proc.stderr.read().decode()
    for pid in now:
        assert state(pid) in ("", "Z")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_sighup_restarts_every_worker_one_by_one_and_no_request_fails(served):
    """An operator's `kill -HUP` (systemd's reload): each worker is replaced by a fresh process,
    brought into service once its warm-up has ended, before the old one is stopped gracefully. A
    client opening a connection per request all along gets every answer."""
    import threading

    proc, port = served
    before = set(workers_of(proc))
    answers: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/api/health")
                answer = conn.getresponse()
                answer.read()
                answers.append(answer.status)
                conn.close()
            except OSError as exc:
                failures.append(repr(exc))
            time.sleep(0.01)

    thread = threading.Thread(target=client)
    thread.start()
    try:
        time.sleep(0.5)
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 180
        while True:
            now = set(workers_of(proc))
            if len(now) == 2 and not now & before and not any(exists(pid) for pid in before):
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, f"not every worker restarted: {before} -> {now}"
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        stop.set()
        thread.join(60)
    assert failures == [] and len(answers) > 50 and set(answers) == {200}, (failures[:3], len(answers))
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while seen != now and time.monotonic() < deadline:  # both new workers serve
        conn = connect(port)
        seen.update(served_by(port, [conn], sorted(now)))
        conn.close()
    assert seen == now
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0, proc.stderr.read().decode()
