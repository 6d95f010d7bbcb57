"""Schema migrations through Alembic, configured in code (no alembic.ini to find)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from maadan.errors import DatabaseNotReady

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest). Refuses a database whose revision this code
    does not know (a newer Maadan migrated it): nothing is changed."""
    refuse_newer(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def known(revision: str) -> bool:
    """Whether `revision` is in this code's chain of migrations."""
    return revision in {r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions()}


def revisions() -> list[str]:
    """Every revision of this code's chain, oldest first."""
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(_config()).walk_revisions()))]


def refuse_newer(engine: Engine) -> None:
    """Raise DatabaseNotReady when the database's schema revision is not one this code knows: a newer
    version of Maadan migrated it, and an older one must not touch it (nor downgrade it)."""
    current = current_revision(engine)
    if current is not None and not known(current):
        raise DatabaseNotReady(
            f"The database {engine.url.database} has schema revision {current}, which this version of Maadan does not "
            f"know (its newest is {head_revision()}): the database was migrated by a newer Maadan. "
            "Run that version (or newer); nothing was changed."
        )


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest revision of the migration scripts this code carries. Read once per process (parsing
    the scripts took ~10 ms, paid by every app built and every /api/health answer)."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer tool: write a new migration from the difference between tables.py and the database."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
