"""The `maadan` command: Typer app assembled from one module per concept."""

from __future__ import annotations

import os
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from maadan import __version__
from maadan.cli import cadastre, common, db, ingest, minerals, projects
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
app.add_typer(cadastre.audit_app, name="audit")
app.add_typer(cadastre.demo_app, name="demo")
app.command("summary")(db.summary)


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
