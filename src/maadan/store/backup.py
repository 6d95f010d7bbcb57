"""Copies of the whole database, by each backend's own tool: SQLite's online backup API (a consistent
copy while writers go on) and PostgreSQL's `pg_dump` custom format (one snapshot) with `pg_restore`.
What proves a copy (the register's signed seal) is `audit/seal.py`; `maadan db backup/restore`
puts the two together."""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from maadan.errors import ConfigError, Conflict, InvalidInput

EXTENSION_TABLES = {"spatial_ref_sys"}  # PostGIS's own, present in every PostGIS database


def kind(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "pg_dump"


def tables(engine: Engine) -> list[str]:
    """The database's own tables (not the extensions')."""
    return [t for t in inspect(engine).get_table_names() if t not in EXTENSION_TABLES]


def require_empty(engine: Engine, where: str) -> None:
    found = tables(engine)
    if found:
        raise Conflict(f"{where} is not empty ({len(found)} tables, e.g. {', '.join(sorted(found)[:3])}): a backup "
                       "is restored into an empty database only. Create a new one (or move this one away)")


def tool(name: str, folder: Path | None = None) -> str:
    """The path of a PostgreSQL client program: in `folder` (MAADAN_PG_BIN), else on PATH, else the newest
    installed."""
    if folder:
        path = Path(folder) / name
        if not os.access(path, os.X_OK):
            raise ConfigError(f"MAADAN_PG_BIN={folder}: no {name} there")
        return str(path)
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                                                   key=lambda p: int(Path(p).parts[-3]), reverse=True)), None)
    if not found:
        raise ConfigError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client) or set "
                          "MAADAN_PG_BIN to its folder")
    return found


def _pg_env(engine: Engine) -> dict[str, str]:
    """libpq's environment for the engine's database: credentials never appear on a command line."""
    url = engine.url
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"PGHOST": url.host or "localhost", "PGPORT": str(url.port or 5432),
                "PGDATABASE": url.database or "", "PGUSER": url.username or os.environ.get("USER", "postgres")})
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    for name, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                      ("sslkey", "PGSSLKEY")):
        if name in url.query:
            env[var] = str(url.query[name])
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())[:600]
        raise InvalidInput(f"{what} failed (exit {done.returncode}): {detail}")


def _sync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def dump(engine: Engine, target: Path, pg_bin: Path | None = None) -> None:
    """Write a consistent copy of the whole database to `target` (which must not exist yet)."""
    if engine.dialect.name == "sqlite":
        source = engine.url.database
        if not source or source == ":memory:":
            raise InvalidInput("an in-memory SQLite database cannot be backed up")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, a consistent copy
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
            src.close()
    else:
        # PostGIS's own table of reference systems is the extension's: restoring its rows would need a superuser
        _run([tool("pg_dump", pg_bin), "--format=custom", "--no-owner", "--no-privileges",
              "--exclude-table-data=spatial_ref_sys", "--file", str(target)],
             _pg_env(engine), "pg_dump")
    _sync(target)


def check_sqlite_file(path: Path) -> None:
    """InvalidInput unless `path` is an intact SQLite database."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is not a SQLite database: {exc}") from None
    if result != "ok":
        raise InvalidInput(f"{path}: SQLite integrity check failed: {result[:200]}")


def restore_sqlite(backup: Path, target: Path) -> None:
    """Copy the backup into `target`, a new file (the caller checks and then moves it into place)."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    _sync(target)


def restore_pg(backup: Path, engine: Engine, pg_bin: Path | None = None) -> None:
    """pg_restore into the engine's (empty) database, in one transaction: all of it or none."""
    # --no-comments: the dump's COMMENT ON EXTENSION postgis needs the extension's owner (a superuser)
    _run([tool("pg_restore", pg_bin), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
          "--no-comments",
          "--dbname", engine.url.database or "", str(backup)], _pg_env(engine), "pg_restore")


def empty_pg(engine: Engine) -> None:
    """Drop what a restore created in the engine's database (it was empty before)."""
    names = tables(engine)
    with engine.begin() as conn:
        for name in names:
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
