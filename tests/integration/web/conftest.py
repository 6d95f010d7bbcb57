"""The web app on a private copy of the seeded database with a synthetic demo cadastre."""

from __future__ import annotations

import contextlib
import re
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from maadan.http.app import create_app
from maadan.auth import service as auth
from maadan.cadastre import service as cadastre
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import Database
from tests.integration.web.smtp_server import smtp  # noqa: F401 (fixture: a local SMTP server)

PASSWORD = "a long enough passphrase"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
LOGIN_TOKEN = re.compile(r'<form method="post" action="/login"[^>]*>[\s\S]*?name="csrf_token" value="([^"]*)"')


def login_form(client: TestClient, **fields: str) -> dict[str, str]:
    """`fields` plus the sign-in form's CSRF token (GET /login sets the cookie it is bound to)."""
    match = LOGIN_TOKEN.search(client.get("/login").text)
    assert match and match.group(1), "no CSRF token in the sign-in form"
    return {**fields, "csrf_token": match.group(1)}


def square(x: float, y: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


CLEAN = square(66.5, 28.0)  # inside PK-BA, far from the demo titles around Chagai


class Web:
    def __init__(self, client: TestClient, engine, url: str = ""):
        self.client, self.engine, self.url = client, engine, url

    def uow(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def user(self, username: str, role: str, organisation_id: str | None = None):
        return auth.create_user(self.uow(True), username, PASSWORD, role, organisation_id)

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data=login_form(self.client, username=username, password=password,
                                                          next="/"), follow_redirects=False)

    def csrf(self, path: str = "/") -> str:
        match = CSRF_META.search(self.client.get(path).text)
        assert match, "no CSRF token on the page: not signed in?"
        return match.group(1)

    def apply(self, holder: str = "Chagai Minerals (Pvt) Ltd", area: dict = CLEAN, org: str = "chagai-minerals",
              now=None):
        """File an application (at `now`: a time in the past makes its day of receipt over)."""
        from maadan.cadastre.model import Holder

        inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                        holders=(Holder(holder, 100.0, "PK", "private"),),
                                        area=cadastre.AreaInput(geojson=area), applicant_org=org)
        return cadastre.apply(self.uow(True), inp, actor="user:test", now=now).application


def make_web(url: str, base_url: str = "http://testserver", **env: str) -> tuple[TestClient, object]:
    app = create_app(load_settings({"MAADAN_DATABASE_URL": url, **env}))
    return TestClient(app, base_url=base_url), app


@pytest.fixture(scope="session")
def demo_db(seeded_db, tmp_path_factory) -> Iterator[Database]:
    """The seeded database plus the 50-title synthetic demo cadastre (seed 1), built once per backend;
    tests get copies of it, never the database itself."""
    db = Database(seeded_db.backend, tmp_path_factory.mktemp("web-demo"), template=seeded_db)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": db.url}))
    cadastre.load_demo_cadastre(UnitOfWork(engine, write=True), titles=50, seed=1, actor="cli:test")
    engine.dispose()
    yield db
    db.close()


@contextlib.contextmanager
def _web(demo_db: Database, folder) -> Iterator[Web]:
    db = Database(demo_db.backend, folder, template=demo_db)
    (folder / "data").mkdir(exist_ok=True)  # the app's own folder: kept downloads are not shared between tests
    app = create_app(load_settings({"MAADAN_DATABASE_URL": db.url, "MAADAN_DATA_DIR": str(folder / "data")}))
    try:
        with TestClient(app) as client:
            yield Web(client, app.state.engine, db.url)
    finally:
        app.state.engine.dispose()
        db.close()


@pytest.fixture
def web(demo_db, tmp_path) -> Iterator[Web]:
    """The web app on a private copy of the demo database: a test may change it."""
    with _web(demo_db, tmp_path) as w:
        yield w


@pytest.fixture(scope="module")
def read_web(demo_db, tmp_path_factory) -> Iterator[Web]:
    """The web app on one copy of the demo database shared by a module's tests, which only read
    (and do not sign in: the client's cookies are shared too)."""
    with _web(demo_db, tmp_path_factory.mktemp("web-read")) as w:
        yield w


def propose_holders(uow, holders, actor: str, now=None) -> list[str]:
    """Propose holders not in the directory, in a transaction of their own (as a filing does in its)."""
    from maadan.portal.proposals import propose_unknown_holders
    with uow:
        out = propose_unknown_holders(uow, holders, actor, now)
        uow.commit()
    return out
