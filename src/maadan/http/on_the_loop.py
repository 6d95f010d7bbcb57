"""When a short route may run on the worker's event loop instead of in the thread pool.

FastAPI runs a plain `def` route in its thread pool. The trip there and back costs more than its
two thread switches suggest: on the 2-core test machine, measured in one process and alternated,
0.22 ms of CPU for a trivial route and 0.5-0.8 ms for a check of one application at 100,000 titles,
a fifth of the check's CPU (why the check's trip costs more than a trivial one's was not measured:
perhaps its work landing on the other core, away from what the loop's core has cached).

Work given to `on_the_loop_or_pool` (the check of one application and a title by number, coroutines
in `api/cadastre.py`; the lookup of a signed-in viewer for a tag, `http/conditional.py`) is run on
the event loop when nothing it does can hold the loop for long, and in the pool otherwise:
- the store is the embedded SQLite file. A networked database's round trip, or its outage, would
  hold every request of the worker: on PostgreSQL such work goes to the pool (what those routes can
  do without it, they do after reads made on the loop, on either store: store/loop_reads.py);
- the warm-up has built the spatial index. Before that, the first check would build it on the loop
  (seconds at 100,000 titles) while the worker's other requests wait.

What can still hold the loop after the warm-up is a rebuild the index cannot catch up on (after a
bulk load by another process): the first check after it rebuilds, as it would in the
pool, but the worker's other requests wait for it meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

T = TypeVar("T")


def may_run_on_the_loop(request: Request) -> bool:
    state = request.app.state
    return (getattr(state, "spatial_index", None) == "warm" and getattr(state, "warm_up", None) == "done"
            and state.engine.dialect.name == "sqlite")


async def on_the_loop_or_pool(request: Request, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`func(*args, **kwargs)` on the event loop when `may_run_on_the_loop(request)`, else in the
    thread pool."""
    if may_run_on_the_loop(request):
        return func(*args, **kwargs)
    return await run_in_threadpool(func, *args, **kwargs)
