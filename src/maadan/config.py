"""Settings: every setting is a row of (name, default, help), read from the environment once,
by `load_settings()`, never at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from maadan.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    help: str


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "maadan"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MAADAN_DATA_DIR",
        "$XDG_DATA_HOME/maadan (~/.local/share/maadan)",
        "Folder for the embedded SQLite database and other local state.",
    ),
    Setting(
        "MAADAN_DATABASE_URL",
        "sqlite:///<MAADAN_DATA_DIR>/maadan.sqlite",
        "SQLAlchemy URL of the store. SQLite by default; "
        "postgresql+psycopg://user@host/db for PostgreSQL with PostGIS.",
    ),
    Setting(
        "MAADAN_BOUNDARIES_DIR",
        "unset (bundled Natural Earth outlines)",
        "Folder of official jurisdiction boundary files named <CODE>.geojson (e.g. PK-BA.geojson); "
        "each one found replaces the bundled ~1 km outline for the cadastre's checks.",
    ),
    Setting(
        "MAADAN_SQL_ECHO",
        "0",
        "Set to 1 to log every SQL statement (debugging).",
    ),
)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    sql_echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file for a file-backed SQLite URL, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix):].split("?", 1)[0]
        if not rest or rest == ":memory:":
            return None
        return Path(rest)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (or the mapping given)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("MAADAN_DATA_DIR") or _default_data_dir(env)).expanduser()
    url = env.get("MAADAN_DATABASE_URL") or f"sqlite:///{data_dir / 'maadan.sqlite'}"
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            f"MAADAN_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, got {url.split(':', 1)[0]}://…"
        )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    echo = (env.get("MAADAN_SQL_ECHO") or "0").strip().lower() in {"1", "true", "yes", "on"}
    return Settings(data_dir=data_dir, database_url=url, sql_echo=echo)
