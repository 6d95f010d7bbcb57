"""The `maadan` command: a Typer app assembled from the CLI modules, each declaring its command
groups (`GROUPS = {"name": typer_app}`; "" puts a group's commands at the top level, "parent name"
nests it under another module's group, e.g. "cadastre competition") and its single commands
(`COMMANDS = {"name": function}`)."""

from __future__ import annotations

import functools
import os
import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from maadan import __version__
from maadan.cli import common
from maadan.errors import MaadanError
from maadan.registry import collect


def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")) -> None:
    if version:
        typer.echo(f"maadan {__version__}")
        raise typer.Exit()


@functools.cache
def build() -> typer.Typer:
    """The whole command, from every CLI module's declarations."""
    app = typer.Typer(
        name="maadan",
        help="Maadan: critical minerals, deposits and projects, mineral titles and agreements.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    declared = [(name, group) for _, groups in collect("maadan.cli", "GROUPS") for name, group in groups.items()]
    top = {name: group for name, group in declared if " " not in name}
    for name, group in declared:
        if " " in name:  # a group nested in another module's group
            parent, child = name.split(" ", 1)
            top[parent].add_typer(group, name=child)
    for name, group in top.items():
        app.add_typer(group, name=name or None)
    for _, commands in collect("maadan.cli", "COMMANDS"):
        for name, command in commands.items():
            app.command(name)(command)
    return app


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the command and maps errors to messages and exit codes (no tracebacks).
    With `argv` (tests), returns the exit code instead of exiting."""
    code = 0
    try:
        build()(args=argv, prog_name="maadan")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except MaadanError as exc:
        common.report_error(exc)
        code = exc.exit_code
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        common.report_error(MaadanError(f"database error: {detail}"))
        code = 5
    except OSError as exc:  # a full disk, a folder that cannot be written: the machine's, not a bug
        common.report_error(MaadanError(f"input/output error: {exc}"))
        code = 74  # EX_IOERR
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
