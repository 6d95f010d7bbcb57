import pytest
from fastapi.testclient import TestClient

from maadan.http.app import create_app
from maadan.auth import service as auth
from maadan.config import load_settings
from maadan.store.uow import UnitOfWork

ROLE_PASSWORD = "a long enough passphrase"


@pytest.fixture
def client(seeded_copy):
    """The real app on a private copy of the seeded database."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def read_client(seeded_db):
    """The real app on the shared seeded database (tests must not write)."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def role_client(seeded_copy):
    """The real app on a private copy of the seeded database, with an officer (officer.a), an admin
    (admin.a) and an applicant of USSM (applicant.a); `role_client.token(name)` gives bearer headers."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    for name, role, org in (("officer.a", "officer", None), ("admin.a", "admin", None),
                            ("applicant.a", "applicant", "ussm")):
        auth.create_user(UnitOfWork(app.state.engine, write=True), name, ROLE_PASSWORD, role, org)
    with TestClient(app) as client:
        def token(name: str) -> dict[str, str]:
            r = client.post("/api/auth/token", json={"username": name, "password": ROLE_PASSWORD})
            assert r.status_code == 200, r.text
            return {"Authorization": f"Bearer {r.json()['access_token']}"}
        client.token = token
        yield client
