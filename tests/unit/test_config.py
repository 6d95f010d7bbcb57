from pathlib import Path

import pytest

from maadan.config import SETTINGS, load_settings
from maadan.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_defaults_use_the_data_dir():
    s = load_settings({"MAADAN_DATA_DIR": "/srv/maadan"})
    assert s.database_url == "sqlite:////srv/maadan/maadan.sqlite"
    assert s.sqlite_path == Path("/srv/maadan/maadan.sqlite")


def test_database_url_overrides_and_postgres_gets_a_driver():
    s = load_settings({"MAADAN_DATABASE_URL": "postgresql://u@h/db"})
    assert s.database_url == "postgresql+psycopg://u@h/db" and not s.is_sqlite


def test_unknown_database_is_refused():
    with pytest.raises(ConfigError) as err:
        load_settings({"MAADAN_DATABASE_URL": "mysql://x"})
    assert "MAADAN_DATABASE_URL" in err.value.message


def test_every_setting_is_documented():
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert s.env in guide, f"{s.env} is not in docs/user-guide.md"


def test_password_hashing_setting():
    assert load_settings({}).password_hashing == "standard"
    assert load_settings({"MAADAN_PASSWORD_HASHING": "Fast-Insecure"}).password_hashing == "fast-insecure"
    with pytest.raises(ConfigError) as err:
        load_settings({"MAADAN_PASSWORD_HASHING": "none"})
    assert "standard or fast-insecure" in err.value.message
    with pytest.raises(ConfigError) as err:
        load_settings({"MAADAN_PASSWORD_HASHING": "fast-insecure", "MAADAN_ENV": "prod", "MAADAN_SECRET_KEY": "k" * 40})
    assert "refused when MAADAN_ENV=prod" in err.value.message


def test_read_replicas_are_postgresql_only():
    s = load_settings({"MAADAN_DATABASE_URL": "postgresql://u@db1/m",
                       "MAADAN_READ_DATABASE_URL": " postgresql://u@db2/m , postgresql+psycopg://u@db3:5433/m"})
    assert s.read_database_urls == ("postgresql+psycopg://u@db2/m", "postgresql+psycopg://u@db3:5433/m")
    assert load_settings({}).read_database_urls == ()
    with pytest.raises(ConfigError) as err:  # SQLite: refused, not silently ignored
        load_settings({"MAADAN_READ_DATABASE_URL": "postgresql://u@db2/m"})
    assert "SQLite" in err.value.message and "unset MAADAN_READ_DATABASE_URL" in err.value.message
    with pytest.raises(ConfigError) as err:
        load_settings({"MAADAN_DATABASE_URL": "postgresql://u@db1/m", "MAADAN_READ_DATABASE_URL": "sqlite:///x.db"})
    assert "URL 1 must be postgresql" in err.value.message
