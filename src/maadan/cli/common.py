"""What every command shares: settings and engine built on first use, output consoles, the shared
options (--json, --actor), and turning Maadan errors into a message and an exit code (JSON when
--json was asked for)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import uuid
from datetime import timedelta
from functools import cached_property
from typing import Any, Callable

import typer
from rich.console import Console
from sqlalchemy import Engine

from maadan import actors
from maadan.config import Settings, load_settings
from maadan.errors import InvalidInput, MaadanError
from maadan.serialize import to_jsonable
from maadan.store.database import create_db_engine, require_schema
from maadan.store.uow import UnitOfWork


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun that agrees with it: "1 event", "2 events", "1,204 entries" (plural given)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


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


IDEMPOTENCY_KEY = typer.Option(
    None, "--idempotency-key",
    help="Run this write at most once: a rerun with the same key (and the same input) prints the first run's "
         "result and writes nothing. Default: a new key, printed with the result.")


def once(command: str, key: str | None, request: Any, actor_name: str,
         work: Callable[[UnitOfWork], dict[str, Any]]) -> tuple[dict[str, Any], str, bool]:
    """Run the write `work(uow)` exactly once for `key` (issue 18): the key, the input's digest and the
    result are committed with the write in one transaction, so a rerun after a lost connection or a killed
    terminal prints the stored result instead of writing twice. Returns (result, key, replayed)."""
    from maadan.errors import Conflict
    from maadan.store.idempotency import Claim, lookup

    c = get()
    key = key if key is not None else str(uuid.uuid4())
    if not 1 <= len(key) <= 255 or not key.isprintable() or not key.isascii() or " " in key:
        raise InvalidInput("--idempotency-key: 1 to 255 visible ASCII characters, e.g. a UUID")
    require_schema(c.engine)
    owner = hashlib.sha256(f"cli:{actor_name}".encode()).hexdigest()
    digest = hashlib.sha256(json.dumps([command, to_jsonable(request)], sort_keys=True, default=str).encode())
    stored = lookup(c.engine, owner, key)
    if stored is not None:
        if stored.fingerprint != digest.hexdigest():
            raise Conflict(f"--idempotency-key {key} was used with different input; use a new key for a new write")
        return json.loads(stored.body), key, True
    claim = Claim(owner, key, digest.hexdigest(), "CLI", command, timedelta(hours=c.settings.idempotency_hours))
    try:
        result = work(UnitOfWork(c.engine, write=True, claim=claim))
        if claim.session is not None:
            claim.finish(0, [], json.dumps(to_jsonable(result)).encode())
    finally:
        claim.release()
    return result, key, False
