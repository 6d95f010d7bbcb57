"""When the database cannot be reached (a restart, a failover), requests are answered 503
`database_unavailable` with Retry-After, not 500: nothing was written and a retry will work. The
soak (bench/soak.py) restarts PostgreSQL under load; this is the same answer, made on purpose."""

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from maadan.config import load_settings
from maadan.http.app import create_app

GONE = "postgresql+psycopg://maadan@127.0.0.1:9/gone"  # port 9 (discard): connection refused at once


def test_an_unreachable_database_is_503_with_retry_after(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app, raise_server_exceptions=False) as client:
        # The app's own engine is left to its lifespan, which disposes it after the warm-up thread ends. Disposing
        # it here, while that thread held a connection, orphaned the connection: an idle session on the read-only
        # seeded database until garbage collection, and a later copy of that database was refused ("being
        # accessed by other users").
        gone = app.state.engine = create_engine(GONE, connect_args={"connect_timeout": 2})
        for method, url, headers in (("GET", "/api/minerals", {}), ("GET", "/api/cadastre/titles", {}),
                                     ("POST", "/api/cadastre/check", {"Idempotency-Key": "k-1"})):
            r = client.request(method, url, headers=headers, json={} if method == "POST" else None)
            assert r.status_code == 503, (url, r.status_code, r.text)
            assert r.json()["error"] == "database_unavailable" and r.headers["retry-after"] == "5"
            assert r.headers["x-request-id"]
        page = client.get("/minerals", headers={"Accept": "text/html"})
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    gone.dispose()
