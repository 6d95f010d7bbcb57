"""The real app served by uvicorn on a port it picks, in a background thread, against a SQLite
database with the bundled data, `maadan demo cadastre --titles 50 --seed 1` and two users; Debian's
Chromium driven by Playwright. Tests that only read share one site (`site`); a test that writes asks
for its own (`own_site`, a copy of the same database), so that no test sees another's changes.
Skipped, with the reason, when Chromium or Playwright is absent; under CI=true that fails instead."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import require, serve

CHROMIUM = Path(os.environ.get("MAADAN_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "amber Chagai ledger 47 kites"
APPLICANT = ("applicant.chagai", "chagai-minerals")
OFFICER = "officer.quetta"
# Playwright's wait for one action. 20 s is ample for a page or a click. An action whose server work is seconds
# of CPU (a Monte Carlo valuation, a PDF report, reading a news text) passes SLOW_ACTION_MS: on a loaded
# machine, with test workers in parallel, that work alone has taken over 20 s of wall time (CPU starvation,
# not a wait that never ends: the same requests answer in 2-5 s on a quiet machine).
ACTION_MS = 20_000
SLOW_ACTION_MS = 120_000


def _requirements() -> None:
    try:
        import playwright.sync_api  # noqa: F401
        found = True
    except ImportError:
        found = False
    require(found, "the playwright package (pip install -e '.[test]'); its bundled browsers are not used")
    require(CHROMIUM.exists(), f"Chromium at {CHROMIUM} (Debian: apt-get install chromium)")


@dataclass
class Site:
    url: str
    engine: object
    app: object = None  # the FastAPI app being served

    def uow(self, write: bool = False):
        from maadan.store.uow import UnitOfWork

        return UnitOfWork(self.engine, write=write)


@pytest.fixture(scope="session")
def site_database(tmp_path_factory) -> Path:
    """The SQLite file every site starts from: built once per session."""
    _requirements()
    from maadan.auth.service import create_user
    from maadan.store.database import create_db_engine
    from maadan.config import load_settings
    from maadan.store.uow import UnitOfWork
    from tests.conftest import run_maadan

    path = tmp_path_factory.mktemp("browser-db") / "template.sqlite"
    url = f"sqlite:///{path}"
    run_maadan(url, ["db", "init"], ["demo", "cadastre", "--titles", "50", "--seed", "1"])
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    create_user(UnitOfWork(engine, write=True), APPLICANT[0], PASSWORD, "applicant", APPLICANT[1])
    create_user(UnitOfWork(engine, write=True), OFFICER, PASSWORD, "officer")
    engine.dispose()
    return path


@contextlib.contextmanager
def _site(template: Path, folder: Path) -> Iterator[Site]:
    from maadan.http.app import create_app
    from maadan.config import load_settings

    path = folder / "maadan.sqlite"
    shutil.copyfile(template, path)
    app = create_app(load_settings({"MAADAN_DATABASE_URL": f"sqlite:///{path}"}))
    try:
        with serve(app) as url:
            yield Site(url, app.state.engine, app)
    finally:
        app.state.engine.dispose()


@pytest.fixture(scope="session")
def site(site_database, tmp_path_factory) -> Iterator[Site]:
    """The shared site: tests using it must not change its database."""
    with _site(site_database, tmp_path_factory.mktemp("browser-site")) as s:
        yield s


@pytest.fixture
def own_site(site_database, tmp_path) -> Iterator[Site]:
    """A site with a private copy of the database, for a test that writes."""
    with _site(site_database, tmp_path) as s:
        yield s


@pytest.fixture(scope="package")
def browser(site):
    """Chromium, for the browser tests of this package. Playwright's sync API keeps its event loop
    running in this thread while it is open: a later test's `asyncio.run` would fail ("cannot be
    called from a running event loop"), so it is closed when the package's tests end, not the session."""
    from playwright.sync_api import sync_playwright

    if ARTIFACTS.exists() and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(ARTIFACTS)  # a parallel run's workers share the folder: they overwrite, never clear it
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Network:
    """The requests a browser context has in flight, for `idle`: `Network.watch(context)` before its
    first page opens."""

    _watched: "weakref.WeakKeyDictionary[object, Network]" = weakref.WeakKeyDictionary()

    @classmethod
    def watch(cls, context) -> "Network":
        network = cls._watched[context] = cls(context)
        return network

    def __init__(self, context):
        self.in_flight: set = set()
        context.on("request", lambda r: self.in_flight.add(r))
        context.on("requestfinished", lambda r: self.in_flight.discard(r))
        context.on("requestfailed", lambda r: self.in_flight.discard(r))

    def idle(self, page, quiet_ms: int = 100) -> None:
        """Wait until the page has loaded and no request has been in flight for `quiet_ms`: what
        Playwright's "networkidle" waits for, with a fifth of its fixed 500 ms (which was most of
        the time of tests that visit a hundred pages)."""
        page.wait_for_load_state("load")
        deadline = time.monotonic() + ACTION_MS / 1000
        quiet_since = None
        while True:
            now = time.monotonic()
            if self.in_flight:
                quiet_since = None
                if now > deadline:
                    raise AssertionError(f"requests still in flight after {ACTION_MS} ms: "
                                         f"{sorted(r.url for r in self.in_flight)}")
            elif quiet_since is None:
                quiet_since = now
            elif (now - quiet_since) * 1000 >= quiet_ms:
                return
            page.wait_for_timeout(20)  # events (requests answered) are delivered while waiting


def idle(page) -> None:
    """Network.idle for a page of a watched context."""
    Network._watched[page.context].idle(page)


class Visitor:
    """One browser context (one person): records every request it sends and every script error."""

    def __init__(self, browser, site: Site, name: str, phone: bool = False):
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(viewport=size, base_url=site.url, accept_downloads=False)
        self.context.set_default_timeout(ACTION_MS)
        self.site, self.name = site, name
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        Network.watch(self.context)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def idle(self) -> None:
        idle(self.page)

    def login(self, username: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.site.url + "/")

    def shot(self, label: str) -> Path:
        path = ARTIFACTS / f"{self.name}-{label}.png"
        settle(self.page)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.site.url) and not u.startswith("data:")]

    def close(self) -> None:
        self.context.close()


def settle(page) -> None:
    """Wait until no CSS transition or animation runs (map zoom and pan, popups fading in)."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


@pytest.fixture
def visitor(browser, site, request):
    """visitor(name, phone=False, on=site): a new person in the browser, on the shared site or on
    the `own_site` given."""
    made: list[Visitor] = []

    def make(name: str, phone: bool = False, on: Site | None = None) -> Visitor:
        v = Visitor(browser, on or site, name, phone)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()
