"""The real app served by uvicorn on a free 127.0.0.1 port, in a background thread, against a fresh
SQLite database with the bundled data and `maadan demo cadastre --titles 50 --seed 1`; Debian's
Chromium driven by Playwright. Skipped, with the reason, when Chromium or Playwright is absent."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path(os.environ.get("MAADAN_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "a long enough passphrase"
APPLICANT = ("applicant.chagai", "chagai-minerals")
OFFICER = "officer.quetta"


def _requirements() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install playwright); "
                    "its bundled browsers are not used", allow_module_level=True)
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                    allow_module_level=True)


@dataclass
class Site:
    url: str
    engine: object
    app: object = None  # the FastAPI app being served

    def uow(self, write: bool = False):
        from maadan.store.uow import UnitOfWork

        return UnitOfWork(self.engine, write=write)


def _database(folder: Path) -> str:
    from tests.conftest import run_maadan

    url = f"sqlite:///{folder / 'maadan.sqlite'}"
    run_maadan(url, ["db", "init"], ["demo", "cadastre", "--titles", "50", "--seed", "1"])
    return url


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    _requirements()
    import uvicorn

    from maadan.api.app import create_app
    from maadan.auth.service import create_user
    from maadan.config import load_settings
    from maadan.store.uow import UnitOfWork

    url = _database(tmp_path_factory.mktemp("browser-db"))
    app = create_app(load_settings({"MAADAN_DATABASE_URL": url}))
    create_user(UnitOfWork(app.state.engine, write=True), APPLICANT[0], PASSWORD, "applicant", APPLICANT[1])
    create_user(UnitOfWork(app.state.engine, write=True), OFFICER, PASSWORD, "officer")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", app.state.engine, app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def browser(site):
    from playwright.sync_api import sync_playwright

    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visitor:
    """One browser context (one person): records every request it sends and every script error."""

    def __init__(self, browser, site: Site, name: str, phone: bool = False):
        size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        self.context = browser.new_context(viewport=size, base_url=site.url, accept_downloads=False)
        self.context.set_default_timeout(20_000)
        self.site, self.name = site, name
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def login(self, username: str) -> None:
        self.page.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.site.url + "/")

    def shot(self, label: str) -> Path:
        path = ARTIFACTS / f"{self.name}-{label}.png"
        self.page.wait_for_timeout(350)  # let popups and map animations settle
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(self.site.url) and not u.startswith("data:")]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser, site, request):
    made: list[Visitor] = []

    def make(name: str, phone: bool = False) -> Visitor:
        v = Visitor(browser, site, name, phone)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()
