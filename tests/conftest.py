"""Shared fixtures. Every store test runs on SQLite and, when MAADAN_TEST_POSTGRES_URL points at a
PostgreSQL server (.ci/run starts one), on PostgreSQL too."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MAADAN_TEST_SHARED") or ROOT.parent / "shared")  # the research folder beside the checkout
PG_URL = os.environ.get("MAADAN_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
IN_CI = os.environ.get("CI") == "true"
# Tests marked local_only need what no CI machine may hold (the news evaluation's copyrighted texts):
# under CI=true they are not collected and the run's header says so; a run without -n also lists them
# with the reason in its summary (under pytest-xdist the workers collect, and the controller has no
# list). Anything else missing under CI fails the run (require, pytest_runtest_makereport).
LOCAL_ONLY = pytest.StashKey[list]()
# Per-test limits (pytest-timeout): a deadlock or a hung server fails its test instead of stalling the run.
TIMEOUT_S = 240
SLOW_TIMEOUT_S = 900  # tests marked slow: browsers, fuzzing, subprocesses

if IN_CI and not PG_URL:  # CI must exercise both stores
    raise pytest.UsageError("CI=true but MAADAN_TEST_POSTGRES_URL is not set: run the suite through .ci/run")

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _no_event_loop_left_running(request) -> None:
    """No event loop runs in a test's thread when it starts, but in the browser tests (Playwright's
    sync API runs one there while Chromium is open: tests/browser/conftest.py closes it with the
    package). A loop left running by an earlier test made a later `asyncio.run` fail, depending on
    which tests a worker happened to run before; this names the cause instead, in the first test after."""
    import asyncio

    if not request.node.path.is_relative_to(ROOT / "tests" / "browser"):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        assert loop is None, f"an earlier test left an event loop running in this thread: {loop!r}"


def require(present: object, what: str, *, module: bool = False) -> None:
    """Skip, saying what is missing, when a test's tool or file is absent; under CI=true fail
    instead, so that CI cannot pass without its heaviest tests."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"CI=true and this test needs {what}", pytrace=False)
    pytest.skip(f"needs {what}", allow_module_level=module)


def require_tools(*names: str, package: str) -> None:
    """Each program on PATH (e.g. GDAL's ogr2ogr), else skip, or fail under CI."""
    missing = [n for n in names if shutil.which(n) is None]
    require(not missing, f"{' and '.join(missing)} on PATH (Debian package {package})")


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    require(path.exists(), f"{path} (the ../shared research folder is not beside this checkout)")
    return path


def pytest_configure(config) -> None:
    # Hypothesis (properties and schemathesis): the same examples on every run, unless
    # MAADAN_FUZZ_RANDOM=1 asks for new ones (replay a failure with --hypothesis-seed=<the seed printed>).
    from hypothesis import settings

    settings.register_profile("maadan", derandomize=os.environ.get("MAADAN_FUZZ_RANDOM") != "1", deadline=None,
                              database=None, print_blob=True)
    settings.load_profile("maadan")
    # Cheap Argon2 parameters for every password hashed in the test process (a documented setting;
    # refused when MAADAN_ENV=prod). Tests of the hashing itself pass their own environment.
    os.environ.setdefault("MAADAN_PASSWORD_HASHING", "fast-insecure")


def pytest_collection_modifyitems(config, items) -> None:
    if IN_CI:  # tests whose inputs no CI machine may hold: not run, and said so (see LOCAL_ONLY)
        local = [item for item in items if item.get_closest_marker("local_only") is not None]
        if local:
            config.hook.pytest_deselected(items=local)
            items[:] = [item for item in items if item.get_closest_marker("local_only") is None]
            config.stash[LOCAL_ONLY] = [(item.nodeid, item.get_closest_marker("local_only").args[0]) for item in local]
    for item in items:
        if item.get_closest_marker("timeout") is None:
            slow = item.get_closest_marker("slow") is not None
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT_S if slow else TIMEOUT_S))


def pytest_report_header(config) -> str | None:
    return "CI=true: tests marked local_only are not run (their inputs may not be on a CI machine)" if IN_CI else None


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    local = config.stash.get(LOCAL_ONLY, [])
    if local:
        terminalreporter.write_sep("-", f"not run under CI=true: {len(local)} local_only tests")
        for nodeid, reason in local:
            terminalreporter.write_line(f"{nodeid}: {reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test, whatever skipped it."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: no test may be skipped, and this one was: {reason}"


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
                try:
                    conn.execute(text(f'CREATE DATABASE "{name}"{tpl}'))
                except OperationalError:
                    if template is None:
                        raise
                    # PostgreSQL copies a template only while nobody is connected to it. An engine an
                    # earlier test did not dispose (tests/integration/ops/test_database_down.py disposed
                    # one while the app's warm-up thread held a connection) keeps an idle session until
                    # garbage collection: end it, copy, and warn, so that the leak is seen and fixed.
                    ended = conn.execute(text("SELECT pid, state, left(query, 80) FROM pg_stat_activity "
                                              "WHERE datname = :db AND pid <> pg_backend_pid()"),
                                         {"db": make_url(template.url).database}).all()
                    conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE datname = :db AND pid <> pg_backend_pid()"),
                                 {"db": make_url(template.url).database})
                    conn.execute(text(f'CREATE DATABASE "{name}"{tpl}'))
                    warnings.warn(f"an earlier test left {len(ended)} session(s) on {make_url(template.url).database}, "
                                  f"ended to copy it: {ended} (an engine not disposed)", stacklevel=2)
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


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread on 127.0.0.1; yields its base URL.
    The socket is bound to port 0 and handed to uvicorn, so the kernel picks a free port and no
    other process can take it between choosing and listening."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + 30
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def bundled_agreement_ids(*, withdrawn: bool = False) -> list[str]:
    """The ids of the agreements bundled in maadan/data/agreements (the seed) that the registry lists;
    with `withdrawn`, also those retracted as a whole (stored and shown on their page, not listed)."""
    from maadan.agreements.model import References
    from maadan.ingest.agreement_data import load_agreements

    return [a.id for a in load_agreements(References()) if withdrawn or a.withdrawn is None]


def bundled_project_count() -> int:
    """How many deposits and projects are bundled in maadan/data/projects."""
    from maadan.ingest.reference import data_dir

    return len(list((data_dir() / "projects").glob("*.yaml")))
