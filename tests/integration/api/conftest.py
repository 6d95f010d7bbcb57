import pytest
from fastapi.testclient import TestClient

from maadan.api.app import create_app
from maadan.config import load_settings


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
