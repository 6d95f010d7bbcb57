"""`maadan serve --workers N`'s parent (http/workers.py): which worker the next connection goes to
(a ready one before one still starting, then the fewest open connections, then the next in turn),
and what it does when a worker has gone."""

import socket
import time

from uvicorn.config import STARTUP_FAILURE, Config

from maadan.http import workers
from maadan.http.workers import preference


def test_fewest_open_first_then_in_turn():
    assert preference([3, 1, 2], [True] * 3, turn=0) == [1, 2, 0]
    assert preference([0, 0, 0], [True] * 3, turn=0) == [0, 1, 2]
    assert preference([0, 0, 0], [True] * 3, turn=2) == [2, 0, 1]  # ties go round from the turn


def test_eight_connections_at_once_split_evenly():
    handed, turn = [0, 0], 0
    for _ in range(8):
        i = preference(handed, [True, True], turn)[0]
        handed[i] += 1
        turn = (i + 1) % 2
    assert handed == [4, 4]


def test_a_worker_still_starting_comes_last_however_idle():
    assert preference([5, 0], [True, False], turn=1) == [0, 1]
    assert preference([5, 0], [False, False], turn=0) == [1, 0]  # none ready: fewest open still first


class GoneWorker:
    """A worker process that has exited with `exitcode` (what the parent's health check sees)."""

    def __init__(self, exitcode: int):
        self.exitcode, self.pid, self.killed = exitcode, 4242, False
        self.process = self

    def is_alive(self) -> bool:
        return False

    def kill(self) -> None:
        self.killed = True

    def join(self) -> None:
        pass


def supervisor(monkeypatch) -> tuple[workers.Supervisor, list[int]]:
    started: list[int] = []
    with socket.socket() as listener:
        s = workers.Supervisor(Config("maadan.http.app:create_served_app", factory=True), listener, 2)
    monkeypatch.setattr(s, "_start", started.append)
    return s, started


def test_a_worker_that_cannot_start_stops_the_service_with_uvicorns_startup_failure(monkeypatch):
    s, started = supervisor(monkeypatch)
    s.processes = [GoneWorker(STARTUP_FAILURE), GoneWorker(0)]
    s._keep_alive()
    assert s.failed and s.should_exit.is_set() and started == []  # not replaced: it would fail again


def test_a_worker_that_died_serving_is_replaced(monkeypatch):
    s, started = supervisor(monkeypatch)
    s.processes = [GoneWorker(-9), None]
    s._keep_alive()
    assert s.processes[0].killed and started == [0] and not s.failed and not s.should_exit.is_set()


class SilentWorker:
    """A live worker process whose health pings nobody answers (its pong thread gone), which then exits."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self.parent_conn, self._unanswered = ctx.Pipe()
        self.process = ctx.Process(target=time.sleep, args=(1.0,))
        self.process.start()


def test_a_worker_that_exits_without_answering_is_given_up_at_once_not_after_the_timeout():
    worker = SilentWorker()
    t0 = time.monotonic()
    assert workers._answers(worker, timeout=60) is False
    assert time.monotonic() - t0 < 30  # the exit is seen; the 60 s timeout is not waited out
    worker.process.join()


def test_a_warm_worker_comes_before_one_still_warming_however_idle():
    assert preference([5, 0], [True, True], turn=1, warm=[True, False]) == [0, 1]
    assert preference([5, 0], [True, True], turn=0, warm=[False, False]) == [1, 0]  # none warm: fewest open


class LiveWorker:
    """A worker process that is running (or, once `die`d, has exited) and records what it is sent."""

    def __init__(self, pid: int, alive: bool = True):
        self.pid, self.alive, self.terminated, self.killed = pid, alive, False, False
        self.process = self

    def is_alive(self) -> bool:
        return self.alive

    def terminate(self) -> None:
        self.terminated = True

    def kill(self) -> None:
        self.killed, self.alive = True, False

    def join(self) -> None:
        pass


def restarting(monkeypatch, new_worker) -> workers.Supervisor:
    """A parent with two running workers, whose SIGHUP's new worker is `new_worker(slot, supervisor)`."""
    monkeypatch.setattr(workers, "RESTART_WAIT_S", 2.0)
    monkeypatch.setattr(workers, "HANDED_LAST_S", 0.0)
    with socket.socket() as listener:
        s = workers.Supervisor(Config("maadan.http.app:create_served_app", factory=True), listener, 2)
    s.processes[0], s.processes[1] = LiveWorker(100), LiveWorker(101)

    def start(slot: int) -> None:
        s.processes[slot] = new_worker(slot, s)

    monkeypatch.setattr(s, "_start", start)
    return s


def test_sighup_brings_each_new_worker_in_once_warm_then_stops_the_old(monkeypatch):
    made = iter(range(200, 300))

    def warm_at_once(slot, s):
        s.ready[slot], s.warm[slot] = 1, 1
        return LiveWorker(next(made))

    s = restarting(monkeypatch, warm_at_once)
    old = list(s.processes[:2])
    s._restart_all()
    assert all(w.terminated for w in old)
    assert sorted(s.processes[i].pid for i in s.active) == [200, 201] and len(set(s.active + [s.spare])) == 3
    assert s.processes[s.spare] is None


def test_sighup_stops_at_a_new_worker_that_never_warms_up_and_the_old_goes_on(monkeypatch):
    def never_warm(slot, s):
        s.ready[slot] = 1  # serving, but its warm-up never ends
        return LiveWorker(300)

    s = restarting(monkeypatch, never_warm)
    old = list(s.processes[:2])
    t0 = time.monotonic()
    s._restart_all()
    assert time.monotonic() - t0 < 10
    assert s.active == [0, 1] and [s.processes[i] for i in s.active] == old and not any(w.terminated for w in old)
    assert s.processes[s.spare] is None  # the new one was killed


def test_sighup_stops_at_a_new_worker_that_exits(monkeypatch):
    s = restarting(monkeypatch, lambda slot, s: LiveWorker(301, alive=False))
    old = list(s.processes[:2])
    s._restart_all()
    assert [s.processes[i] for i in s.active] == old and not any(w.terminated for w in old)
