"""`maadan serve --workers N`: N uvicorn worker processes, each handed its connections by the parent.

Under uvicorn's own supervisor every worker accepts from one shared socket, and the worker that
wakes first takes every connection waiting (uvloop accepts until none is left). Eight clients that
connect at once can split 6 and 2, or 8 and 0, and the busier worker's answers wait behind each
other while the other worker idles: the check's closed-loop p99 followed that split (rounds 15-16).

Here the parent accepts, and hands each connection's file descriptor over a Unix socket pair to the
ready worker with the fewest connections open, the next in turn on a tie (Node's cluster module
does the same). A worker serves what it is handed with uvicorn's own protocol and server (its
lifespan, graceful shutdown, health pings) and counts in shared memory the connections it has
closed; the parent counts those it handed, so it knows each worker's open connections without
asking. A handed connection costs the parent one `accept` and one `sendmsg`, once per connection,
not per request. A worker that dies is replaced, as under uvicorn's supervisor. A worker whose
warm-up (http/warmup.py: the spatial index, the map's tiles) has ended is preferred to one still
warming, which is handed connections only while no warm worker is serving.

SIGHUP restarts the workers one by one (uvicorn's supervisor does the same): a fresh process is
started in a spare slot and brought into service once it has warmed up; only then is the worker it
replaces handed no more connections and stopped gracefully (its requests answered, its idle
connections closed). A fresh process imports the code and reads the rule files and boundaries again.
If the new worker does not warm up in `RESTART_WAIT_S`, or exits, the restart stops there and the old
worker goes on serving.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from multiprocessing import connection as mp_connection
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.server import Server
from uvicorn.supervisors.multiprocess import Process

logger = logging.getLogger("uvicorn.error")

SEND_TIMEOUT_S = 1.0  # a worker whose channel is full this long is passed over for the next one
HANDED_LAST_S = 0.5  # SIGHUP: how long a retired worker has to take what was handed to it last
RESTART_WAIT_S = 900.0  # SIGHUP: how long a new worker may take to warm up (a million titles: minutes)

# This process's slot in the parent's `warm` flags when it is a handed worker (set by its server).
_warm_slot: tuple[Any, int] | None = None


def warmed() -> None:
    """Called once this process's warm-up has ended (http/warmup.py): its parent prefers it now."""
    if _warm_slot is not None:
        flags, index = _warm_slot
        flags[index] = 1


def preference(open_connections: Sequence[int], ready: Sequence[bool], turn: int,
               warm: Sequence[bool] | None = None) -> list[int]:
    """The workers to try for the next connection, best first: ready before not yet serving, warm
    (its warm-up ended) before still warming, then fewest open connections, then the nearest in
    turn from `turn` (so ties go round)."""
    n = len(open_connections)
    warm = warm if warm is not None else [True] * n
    return sorted(range(n), key=lambda i: (not ready[i], not warm[i], open_connections[i], (i - turn) % n))


class HandedServer(Server):
    """uvicorn's server for connections handed over a channel instead of accepted from a socket.
    `index` is this worker's slot in the parent's shared counters."""

    def __init__(self, config: Config, index: int, closed, ready, warm) -> None:
        super().__init__(config)
        self.index, self.closed, self.ready, self.warm = index, closed, ready, warm

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        global _warm_slot
        (channel,) = sockets or [None]
        _warm_slot = (self.warm, self.index)  # before the lifespan starts the warm-up
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(STARTUP_FAILURE)
        loop = asyncio.get_running_loop()
        self.servers = [_Channel(loop, channel, self._protocol_factory(loop), self._handover_failed,
                                 self._parent_gone)]  # type: ignore[list-item]
        self.started = True
        self.ready[self.index] = 1

    def _protocol_factory(self, loop: asyncio.AbstractEventLoop) -> Callable[[], asyncio.Protocol]:
        base, closed, index = self.config.http_protocol_class, self.closed, self.index

        class Counted(base):  # type: ignore[misc, valid-type]
            def connection_lost(self, exc: Exception | None) -> None:
                try:
                    super().connection_lost(exc)
                finally:
                    closed[index] += 1

        def make() -> asyncio.Protocol:
            return Counted(config=self.config, server_state=self.server_state, app_state=self.lifespan.state,
                           _loop=loop)

        return make

    def _handover_failed(self) -> None:
        self.closed[self.index] += 1  # handed but never served: no connection_lost will count it

    def _parent_gone(self) -> None:
        logger.error("The parent process is gone; this worker stops.")
        self.should_exit = True


class _Channel:
    """What uvicorn's shutdown closes in place of a listening server: the end of the Unix socket
    pair that connections arrive by, one file descriptor a message."""

    def __init__(self, loop: asyncio.AbstractEventLoop, channel: socket.socket,
                 protocol: Callable[[], asyncio.Protocol], failed: Callable[[], None],
                 gone: Callable[[], None]) -> None:
        self.loop, self.channel, self.protocol, self.failed, self.gone = loop, channel, protocol, failed, gone
        self.tasks: set[asyncio.Task] = set()
        channel.setblocking(False)
        loop.add_reader(channel.fileno(), self._take)

    def _take(self) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.channel, 1, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:  # the parent's end closed
                self.close()
                self.gone()
                return
            for fd in fds:
                task = self.loop.create_task(self._serve(socket.socket(fileno=fd)))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def _serve(self, conn: socket.socket) -> None:
        try:
            conn.setblocking(False)
            await self.loop.connect_accepted_socket(self.protocol, conn)
        except OSError:  # the client went away before it was served
            conn.close()
            self.failed()

    def close(self) -> None:
        if self.channel.fileno() != -1:
            self.loop.remove_reader(self.channel.fileno())
            self.channel.close()

    async def wait_closed(self) -> None:
        return None


class _Worker(Process):
    """uvicorn's worker process (its health pings and its signals), running a `HandedServer`."""

    def __init__(self, config: Config, channel: socket.socket, index: int, closed, ready, warm) -> None:
        self.index, self.closed, self.ready, self.warm = index, closed, ready, warm
        super().__init__(config, [channel])

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = HandedServer(self.config, self.index, self.closed, self.ready, self.warm)
        return self._server


def _answers(process: _Worker, timeout: float) -> bool:
    """Whether the worker is alive and answers uvicorn's health ping within `timeout`, given up as
    soon as the process exits: a worker killed while its threads wind down (its main thread already
    a zombie) never answers, and waiting out the whole timeout (120 s) held the parent that long."""
    if not process.process.is_alive():
        return False
    try:
        process.parent_conn.send(b"ping")
        ready = mp_connection.wait([process.parent_conn, process.process.sentinel], timeout)
        if process.parent_conn not in ready:
            return False
        process.parent_conn.recv()
        return True
    except (OSError, EOFError):
        return False


class Supervisor:
    """The parent: accepts on `listener`, hands connections to `workers` processes, replaces a
    worker that dies or stops answering its health ping, restarts them one by one on SIGHUP, and
    stops all on SIGINT or SIGTERM. Workers live in slots (shared counters, a channel, a process):
    `active` lists the slots serving; one more is kept spare for a SIGHUP's new worker."""

    def __init__(self, config: Config, listener: socket.socket, workers: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        slots = workers + 1
        self.config, self.listener, self.n = config, listener, workers
        self.closed = spawn.RawArray("q", slots)  # written by the slot's worker only
        self.ready = spawn.RawArray("b", slots)   # set by the slot's worker once it serves
        self.warm = spawn.RawArray("b", slots)    # set by the slot's worker once its warm-up has ended
        self.handed = [0] * slots                 # written by the dispatcher only
        self.channels: list[socket.socket | None] = [None] * slots
        self.processes: list[_Worker | None] = [None] * slots
        self.active = list(range(workers))        # the slots connections are handed to (under `lock`)
        self.spare = workers
        self.lock = threading.Lock()
        self.turn = 0
        self.signalled: int | None = None
        self.restart = False
        self.should_exit = threading.Event()
        self.failed = False

    def run(self) -> int:
        """Serves until a signal; the exit status: 0, or uvicorn's STARTUP_FAILURE when a worker
        could not start (the app, or its database, is broken: every replacement would fail too)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        signal.signal(signal.SIGHUP, self._on_hup)
        logger.info("Started parent process [%d], handing connections to %d workers", os.getpid(), self.n)
        for i in self.active:
            self._start(i)
        dispatcher = threading.Thread(target=self._dispatch, name="maadan-dispatch", daemon=True)
        dispatcher.start()
        while not self.should_exit.is_set():
            if self.signalled is not None:
                logger.info("Received %s, exiting.", signal.Signals(self.signalled).name)
                break
            if self.restart:
                self.restart = False
                self._restart_all()
                continue
            self._keep_alive()
            self.should_exit.wait(0.5)
        self.should_exit.set()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the dispatcher's accept
        except OSError:
            pass
        dispatcher.join(timeout=5)
        self.listener.close()
        for process in self.processes:
            if process is not None:
                process.terminate()
        for process in self.processes:
            if process is not None:
                process.join()
        logger.info("Stopping parent process [%d]", os.getpid())
        return STARTUP_FAILURE if self.failed else 0

    def _on_signal(self, sig: int, frame) -> None:
        self.signalled = sig

    def _on_hup(self, sig: int, frame) -> None:
        self.restart = True

    def _stopping(self) -> bool:
        return self.should_exit.is_set() or self.signalled is not None

    def _start(self, i: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ours.settimeout(SEND_TIMEOUT_S)
        process = _Worker(self.config, theirs, i, self.closed, self.ready, self.warm)
        with self.lock:  # the old worker is gone: its counts start again with the new one
            old = self.channels[i]
            self.closed[i], self.ready[i], self.warm[i], self.handed[i] = 0, 0, 0, 0
            self.channels[i], self.processes[i] = ours, process
        process.start()  # what the dispatcher hands meanwhile waits in the channel
        theirs.close()  # the worker has its own copy now
        if old is not None:
            old.close()

    def _restart_all(self) -> None:
        """SIGHUP: each worker replaced in turn by a fresh one, brought into service once warm (see
        the module's docstring)."""
        logger.info("Received SIGHUP, restarting the workers one by one")
        for slot in list(self.active):
            if self._stopping():
                return
            new = self.spare
            self._start(new)
            process = self.processes[new]
            if not self._warmed_up(new):
                process.kill()
                process.join()
                self.processes[new] = None
                if not self._stopping():
                    logger.error("New worker [%s] did not warm up; worker [%s] goes on serving, and the "
                                 "restart stops here.", process.pid, self.processes[slot].pid)
                return
            with self.lock:  # from here the old worker is handed nothing
                self.active[self.active.index(slot)] = new
                self.spare = slot
            self.should_exit.wait(HANDED_LAST_S)  # what was handed to it just before is taken, not dropped
            old = self.processes[slot]
            old.terminate()  # SIGTERM: uvicorn's graceful shutdown
            old.join()
            with self.lock:
                self.processes[slot] = None
                channel, self.channels[slot] = self.channels[slot], None
            if channel is not None:
                channel.close()
            logger.info("Worker [%s] replaced by [%s]", old.pid, process.pid)
        logger.info("Every worker restarted")

    def _warmed_up(self, slot: int) -> bool:
        """Whether the worker in `slot` serves with its warm-up ended within RESTART_WAIT_S; False
        as soon as it exits or the parent is told to stop. The serving workers are still looked
        after meanwhile (a warm-up takes minutes at a million titles)."""
        process = self.processes[slot]
        deadline = checked = time.monotonic()
        deadline += RESTART_WAIT_S
        while not (self.ready[slot] and self.warm[slot]):
            if self._stopping() or not process.process.is_alive() or time.monotonic() > deadline:
                return False
            if time.monotonic() - checked > 5:
                self._keep_alive()
                checked = time.monotonic()
            self.should_exit.wait(0.2)
        return True

    def _keep_alive(self) -> None:
        for i in list(self.active):
            process = self.processes[i]
            if process is None or _answers(process, self.config.timeout_worker_healthcheck):
                continue
            if self._stopping():
                return
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                logger.error("Child process [%s] failed to start, stopping the parent process.", process.pid)
                self.failed = True
                self.should_exit.set()
                return
            logger.info("Child process [%s] died; starting another", process.pid)
            self._start(i)

    def _dispatch(self) -> None:
        while not self.should_exit.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError as exc:
                if self.should_exit.is_set():
                    return
                logger.error("accept failed: %s", exc)  # e.g. out of file descriptors: let some close
                time.sleep(0.1)
                continue
            with conn:
                try:
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:  # not TCP (a Unix socket) or already reset
                    pass
                self._hand(conn)

    def _hand(self, conn: socket.socket) -> None:
        with self.lock:
            slots = self.active
            n = len(slots)
            open_now = [self.handed[i] - self.closed[i] for i in slots]
            order = preference(open_now, [bool(self.ready[i]) for i in slots], self.turn,
                               [bool(self.warm[i]) for i in slots])
            for k in order:
                i = slots[k]
                channel = self.channels[i]
                if channel is None:
                    continue
                try:
                    socket.send_fds(channel, [b"c"], [conn.fileno()])
                except OSError:  # that worker is gone or stuck: the next one; _keep_alive replaces it
                    continue
                self.handed[i] += 1
                self.turn = (k + 1) % n
                return
        logger.error("No worker took a connection; it is closed.")


def run(config: Config, workers: int) -> int:
    """Bind the configured address and run `workers` workers under a `Supervisor`; its exit status."""
    listener = config.bind_socket()  # bound, not yet listening: uvicorn's workers would listen
    listener.setblocking(True)
    listener.listen(config.backlog)
    return Supervisor(config, listener, workers).run()
