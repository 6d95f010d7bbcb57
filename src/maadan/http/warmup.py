"""Warm the per-process caches at startup, in a background thread, so that the first checks and
filings after a start do not pay for building the spatial index (0.55 s over 100,000 titles on
PostgreSQL on the 2-core test machine, more under load), and the first map after a start does not
pay for its low-zoom vector tiles (adapters `add` such warmers: maadan.ogc warms the map's tiles).
Requests are served meanwhile; one arriving before the index is ready builds or waits for it as
before. /api/health reports `spatial_index: warming|warm|failed`."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI

from maadan.store.uow import UnitOfWork

log = logging.getLogger("maadan.api")


def _warm(app: FastAPI) -> None:
    # The served app (which freezes what warm-up built) holds off the collector's automatic
    # collections meanwhile, in the whole process (requests served meanwhile leave their cycles for
    # the collection at the end). Each full collection walked every object built so far: at 100,000
    # titles a worker had run 20 by the end of its warm-up, 2.6 s in all (the later ones 130-250 ms
    # each, the GIL held, requests waiting), most of them while it built. One collection at the end,
    # then the freeze; the collector is back on whatever happens (a warm-up stopped or failed too).
    quiet = getattr(app.state, "freeze_after_warmup", False) and gc.isenabled()
    if quiet:
        gc.disable()
    try:
        _warm_caches(app)
    finally:  # ended, well or not: under `maadan serve --workers N` the parent prefers this worker now
        if quiet:
            gc.enable()
        if not getattr(app.state, "stopping", False):
            from maadan.http import workers

            workers.warmed()  # before /api/health says so: who reads "done" finds the parent told
            app.state.warm_up = "done"


def _warm_caches(app: FastAPI) -> None:
    from maadan.cadastre import caches

    start = time.perf_counter()
    try:
        for jurisdiction in caches.jurisdictions():
            if getattr(app.state, "stopping", False):  # shutting down: what is left is not needed
                return
            uow = UnitOfWork(app.state.engine)
            with uow:
                caches.spatial_index(uow, jurisdiction)
    except Exception:  # a cold cache is slower, never wrong: log and keep serving
        log.exception("warming the spatial index failed")
        app.state.spatial_index = "failed"
    else:
        app.state.spatial_index = "warm"
        log.info("spatial index warm in %.1f s", time.perf_counter() - start)
    for warmer in getattr(app.state, "warmers", ()):
        if getattr(app.state, "stopping", False):
            return
        warmer(app)
    if getattr(app.state, "freeze_after_warmup", False) and not getattr(app.state, "stopping", False):
        gc.collect()
        gc.freeze()
        log.info("warm-up done; %d long-lived objects kept out of garbage collection", gc.get_freeze_count())


def add(app: FastAPI, warmer: Callable[[FastAPI], None]) -> None:
    """Have `warmer(app)` run in the warm-up thread after the spatial index (an adapter's own
    per-process cache; it sets its own state on `app.state` and logs its own failures)."""
    if not hasattr(app.state, "warmers"):
        app.state.warmers = []
    app.state.warmers.append(warmer)


STOP_WAIT_S = 5.0  # at shutdown, how long the warm-up may take to reach a point where it stops


def start(app: FastAPI) -> threading.Thread:
    """Start warming; at shutdown the caller sets `app.state.stopping` and calls `stop`."""
    app.state.spatial_index = "warming"
    thread = threading.Thread(target=_warm, args=(app,), name="maadan-warmup", daemon=True)
    thread.start()
    return thread


def stop(thread: threading.Thread, wait_s: float | None = None) -> None:
    """Wait a little for the warm-up to stop (it checks `app.state.stopping` between jurisdictions,
    warmers and tiles). One step can take a minute at a million titles (one spatial index, one
    tile layer): rather than hold the server's shutdown that long, a daemon thread is left behind,
    which ends with the process."""
    thread.join(STOP_WAIT_S if wait_s is None else wait_s)
    if thread.is_alive():
        log.warning("warm-up still running at shutdown; not waited for")
