"""The `maadan` command: Typer app assembled from one module per concept."""

from __future__ import annotations

import os
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from maadan import __version__
from maadan.cli import agreements, analytics, cadastre, common, competition, db, ingest, minerals, news, projects, users
from maadan.errors import MaadanError

app = typer.Typer(
    name="maadan",
    help="Maadan: critical minerals, deposits and projects, mineral titles and agreements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(minerals.app, name="minerals")
app.add_typer(ingest.app, name="ingest")
app.add_typer(projects.projects_app, name="projects")
app.add_typer(projects.deposits_app, name="deposits")
app.add_typer(cadastre.app, name="cadastre")
cadastre.app.add_typer(competition.app, name="competition")
cadastre.app.add_typer(competition.notices_app, name="notices")
app.add_typer(cadastre.audit_app, name="audit")
app.add_typer(cadastre.demo_app, name="demo")
app.add_typer(users.app, name="users")
app.add_typer(agreements.app, name="agreements")
app.add_typer(agreements.partners_app, name="partners")
app.add_typer(news.app, name="news")
app.add_typer(analytics.app)
app.command("summary")(db.summary)


@app.command("serve")
def serve(host: str = typer.Option(None, help="Address to listen on (default MAADAN_HOST or 127.0.0.1)."),
          port: int = typer.Option(None, help="Port (default MAADAN_PORT or 8000)."),
          workers: int = typer.Option(1, min=1, max=16, help="Worker processes.")) -> None:
    """Run the web app and the APIs (REST at /api, OGC API – Features at /ogc, docs at /docs)."""
    import uvicorn

    from maadan.api.app import create_app

    c = common.get()
    settings = c.settings
    host, port = host or settings.host, port or settings.port
    create_app(settings).router  # fail here, with a clear message, if the database is not ready
    c.err.print(f"Maadan at http://{host}:{port}/  (API docs http://{host}:{port}/docs, "
                f"OGC API http://{host}:{port}/ogc); {settings.database_url.split('://')[0]}; Ctrl+C stops it")
    # Workers are separate processes: each builds its app (and warms its spatial index) from the
    # environment. Proxy headers are read by Maadan itself, only from MAADAN_TRUSTED_PROXIES.
    uvicorn.run("maadan.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=settings.log_level, access_log=False, proxy_headers=False,
                log_config=_log_config(settings.log_level))


def _log_config(level: str) -> dict:
    """uvicorn's logging, plus Maadan's own loggers (one JSON line per request) on stderr."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["maadan"] = {"format": "%(message)s"}
    config["handlers"]["maadan"] = {"class": "logging.StreamHandler", "formatter": "maadan",
                                    "stream": "ext://sys.stderr"}
    config["loggers"]["maadan"] = {"handlers": ["maadan"], "level": level.upper(), "propagate": False}
    return config


@app.callback()
def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")) -> None:
    if version:
        typer.echo(f"maadan {__version__}")
        raise typer.Exit()


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command and maps errors to messages and exit codes (no tracebacks).
    With `argv` (tests), returns the exit code instead of exiting."""
    code = 0
    try:
        app(args=argv, prog_name="maadan")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MaadanError as exc:
        common.report_error(exc)
        code = exc.exit_code
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        common.report_error(MaadanError(f"database error: {detail}"))
        code = 5
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # a bug: say so plainly; MAADAN_DEBUG=1 shows the traceback
        if os.environ.get("MAADAN_DEBUG"):
            raise
        common.get().err.print(f"internal error ({type(exc).__name__}): {exc}. "
                               "Please report it; MAADAN_DEBUG=1 shows the details.", markup=False)
        code = 70
    finally:
        common.reset()
    if argv is None:
        sys.exit(code)
    return code
