"""Shared fixtures. Every store test runs on SQLite and, when MAADAN_TEST_POSTGRES_URL points at a
PostgreSQL server (.ci/run starts one), on PostgreSQL too."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("MAADAN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

if os.environ.get("CI") == "true" and not PG_URL:  # CI must exercise both stores
    raise pytest.UsageError("CI=true but MAADAN_TEST_POSTGRES_URL is not set: run the suite through .ci/run")

_counter = itertools.count()


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the ../shared research folder is not beside this checkout)")
    return path


class Database:
    """A fresh database on one backend (empty, or a copy of `template`); dropped afterwards."""

    def __init__(self, backend: str, tmp_path: Path, template: "Database | None" = None):
        self.backend = backend
        if backend == "sqlite":
            path = tmp_path / f"maadan-{next(_counter)}.sqlite"
            if template is not None:
                shutil.copyfile(make_url(template.url).database, path)
            self.url = f"sqlite:///{path}"
            self._drop = None
        else:
            name = f"maadan_t_{uuid.uuid4().hex[:12]}"
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                tpl = f' TEMPLATE "{make_url(template.url).database}"' if template is not None else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{tpl}'))
            admin.dispose()
            self.url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

            def drop() -> None:
                eng = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
                with eng.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                eng.dispose()

            self._drop = drop

    def close(self) -> None:
        if self._drop:
            self._drop()


@pytest.fixture(params=BACKENDS)
def fresh_db(request, tmp_path) -> Iterator[Database]:
    db = Database(request.param, tmp_path)
    yield db
    db.close()


def run_maadan(url: str, *commands: list[str]) -> None:
    """Run `maadan` commands in-process against the database at `url`; each must succeed."""
    from maadan.cli.app import main

    old = os.environ.get("MAADAN_DATABASE_URL")
    os.environ["MAADAN_DATABASE_URL"] = url
    try:
        for command in commands:
            assert main(command) == 0, command
    finally:
        if old is None:
            os.environ.pop("MAADAN_DATABASE_URL", None)
        else:
            os.environ["MAADAN_DATABASE_URL"] = old


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_db(request, tmp_path_factory) -> Iterator[Database]:
    """One database per backend, initialised and seeded once; tests must not change it."""
    db = Database(request.param, tmp_path_factory.mktemp("seeded"))
    run_maadan(db.url, ["db", "init"])
    yield db
    db.close()


@pytest.fixture
def seeded_copy(seeded_db, tmp_path) -> Iterator[Database]:
    """A private copy of the seeded database that a test may change."""
    db = Database(seeded_db.backend, tmp_path, template=seeded_db)
    yield db
    db.close()


class CLI:
    """Runs `maadan` in-process against one database and captures its output."""

    def __init__(self, url: str, capsys, monkeypatch):
        self.url = url
        self.capsys = capsys
        monkeypatch.setenv("MAADAN_DATABASE_URL", url)
        monkeypatch.setenv("COLUMNS", "200")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        from maadan.cli.app import main

        self.capsys.readouterr()
        code = main([str(a) for a in args])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def json(self, *args: str, expect: int = 0):
        code, out, err = self(*args, "--json")
        assert code == expect, f"exit {code}: {err}"
        return json.loads(out)


@pytest.fixture
def cli(seeded_db, capsys, monkeypatch) -> CLI:
    return CLI(seeded_db.url, capsys, monkeypatch)


@pytest.fixture
def fresh_cli(fresh_db, capsys, monkeypatch) -> CLI:
    return CLI(fresh_db.url, capsys, monkeypatch)


@pytest.fixture
def copy_cli(seeded_copy, capsys, monkeypatch) -> CLI:
    return CLI(seeded_copy.url, capsys, monkeypatch)


def bundled_agreement_ids() -> list[str]:
    """The ids of the agreements bundled in maadan/data/agreements (the seed)."""
    from maadan.agreements.model import References
    from maadan.ingest.agreement_data import load_agreements

    return [a.id for a in load_agreements(References())]
