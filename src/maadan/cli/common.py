"""What every command shares: settings and engine built on first use, output consoles, the shared
options (--json, --actor), and turning Maadan errors into a message and an exit code (JSON when
--json was asked for)."""

from __future__ import annotations

import json
import os
import sys
from functools import cached_property
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import Engine

from maadan import actors
from maadan.config import Settings, load_settings
from maadan.errors import MaadanError
from maadan.serialize import to_jsonable
from maadan.store.database import create_db_engine, require_schema
from maadan.store.uow import UnitOfWork


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else int(os.environ.get("COLUMNS", "160"))
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


class Context:
    """Built once per command; nothing is opened until a command asks for it."""

    json_mode = False

    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def engine(self) -> Engine:
        return create_db_engine(self.settings)

    def uow(self, *, write: bool = False, require: bool = True) -> UnitOfWork:
        if require:
            require_schema(self.engine)
        return UnitOfWork(self.engine, write=write)

    @cached_property
    def out(self) -> Console:
        return _console()

    @cached_property
    def err(self) -> Console:
        return _console(stderr=True)


ctx = Context()


def reset() -> None:
    """Forget settings and engine (tests call the CLI in one process many times)."""
    global ctx
    if "engine" in ctx.__dict__:
        ctx.engine.dispose()
    ctx = Context()


def get() -> Context:
    return ctx


def _json_chosen(value: bool) -> bool:
    if value:  # errors, too, are printed as JSON from here on
        get().json_mode = True
    return value


def json_option(help: str = "Print JSON instead of tables.", default: bool = False) -> Any:
    """The --json option; choosing it also makes errors JSON."""
    return typer.Option(default, "--json", help=help, callback=_json_chosen)


JSON = json_option()
ACTOR = typer.Option(None, "--actor", help="Who does it, recorded as cli:NAME (default: your login name).")


def actor(name: str | None = None) -> str:
    """The command line's actor for the audit log and stored records: cli:NAME."""
    return actors.for_cli(name)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False) + "\n")


def report_error(exc: MaadanError) -> None:
    if ctx.json_mode:
        print_json(exc.to_dict())
    ctx.err.print(f"[bold red]error:[/] {exc.message}", markup=True, highlight=False)
