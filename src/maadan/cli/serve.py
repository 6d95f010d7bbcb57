"""`maadan serve`: the web app and the APIs under uvicorn."""

from __future__ import annotations

import typer

from maadan.cli import common

WORKER_HEALTHCHECK_S = 120


def serve(host: str = typer.Option(None, help="Address to listen on (default MAADAN_HOST or 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default MAADAN_PORT or 8000)."),
          workers: int = typer.Option(1, min=1, max=16, help="Worker processes (with 2 or more, "
                                                               "SIGHUP restarts them one by one).")) -> None:
    """Run the web app and the APIs (REST at /api, OGC API – Features at /ogc, docs at /docs)."""
    import uvicorn

    from maadan.http.app import create_app

    c = common.get()
    settings = c.settings
    host, port = host or settings.host, port or settings.port
    create_app(settings)  # fail here, with a clear message, if the database is not ready
    c.err.print(f"Maadan at http://{host}:{port}/  (API docs http://{host}:{port}/docs, "
                f"OGC API http://{host}:{port}/ogc); {settings.database_url.split('://')[0]}; Ctrl+C stops it")
    # Workers are separate processes: each builds its app (and warms its spatial index) from the
    # environment. Proxy headers are read by Maadan itself, only from MAADAN_TRUSTED_PROXIES.
    # A worker building a large spatial index (a million titles) can hold the GIL in one GEOS call for
    # seconds on a loaded machine; uvicorn's default 5 s health-check would kill and restart it forever.
    options = {"factory": True, "host": host, "port": port, "workers": workers, "log_level": settings.log_level,
               "access_log": False, "proxy_headers": False, "log_config": _log_config(settings.log_level),
               "timeout_worker_healthcheck": WORKER_HEALTHCHECK_S}
    if workers == 1:
        uvicorn.run("maadan.http.app:create_served_app", **options)
        return
    # Several workers: the parent accepts and hands each connection to the worker with the fewest
    # open (http/workers.py), instead of letting whichever worker wakes first take them all.
    from maadan.http import workers as served

    try:
        status = served.run(uvicorn.Config("maadan.http.app:create_served_app", **options), workers)
    except KeyboardInterrupt:
        status = 0
    if status:
        raise typer.Exit(status)


def _log_config(level: str) -> dict:
    """uvicorn's logging, plus Maadan's own loggers on stderr: every line one JSON object
    (http/logs.py), with the request id inside a request."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["maadan"] = {"()": "maadan.http.logs.JsonFormatter"}
    config["handlers"]["maadan"] = {"class": "logging.StreamHandler", "formatter": "maadan",
                                    "stream": "ext://sys.stderr"}
    config["loggers"]["maadan"] = {"handlers": ["maadan"], "level": level.upper(), "propagate": False}
    return config


COMMANDS = {"serve": serve}
