"""Read replicas (issue 18 item 3) on a real PostgreSQL streaming standby (`scripts/pg-test-server
replica`, started by .ci/run): public reads are served by the standby, a write is visible to its
writer at once (read-your-writes by the primary's WAL position), and the lag is reported in
/api/health and /metrics. The standby's replay is paused to make "served by the standby" visible:
what it has not replayed, its readers cannot see."""

from __future__ import annotations

import os
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from maadan.auth import service as auth
from maadan.config import load_settings
from maadan.http.app import create_app
from maadan.store.audit_repository import register_size
from maadan.store.uow import UnitOfWork
from tests.conftest import PG_URL, Database

REPLICA_URL = os.environ.get("MAADAN_TEST_POSTGRES_REPLICA_URL")
pytestmark = pytest.mark.skipif(not (PG_URL and REPLICA_URL), reason=(
    "needs MAADAN_TEST_POSTGRES_URL and MAADAN_TEST_POSTGRES_REPLICA_URL: a streaming standby of it, from "
    "`scripts/pg-test-server replica PRIMARY_DIR DIR`"))
PASSWORD = "a long enough passphrase"


def lsn(engine, sql: str) -> int:
    with engine.connect() as conn:
        hi, lo = conn.execute(text(f"SELECT ({sql})::text")).scalar().split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def caught_up(primary, replica, timeout: float = 60) -> None:
    target = lsn(primary, "pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while lsn(replica, "pg_last_wal_replay_lsn()") < target:
        assert time.monotonic() < deadline, "the standby did not catch up within a minute"
        time.sleep(0.05)


def replay(replica, action: str) -> None:
    with replica.connect() as conn:
        conn.execute(text(f"SELECT pg_wal_replay_{action}()"))
        conn.commit()


def metric(body: str, name: str, **labels) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    m = re.search(rf"^{name}{{{re.escape(want)}}} (\S+)$" if want else rf"^{name} (\S+)$", body, re.M)
    return float(m.group(1)) if m else 0.0


def file_application(writer):
    """applicant.a files one application in PK-BA (64.0-64.1 E, 28.8-28.9 N); the 201 answer."""
    token = writer.post("/api/auth/token", json={"username": "applicant.a", "password": PASSWORD}).json()
    r = writer.post("/api/cadastre/applications", headers={"Authorization": f"Bearer {token['access_token']}"},
                    json={"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"],
                          "holders": [{"name": "US Strategic Metals", "share_pct": 100, "country": "US"}],
                          "area": {"geojson": {"type": "Polygon", "coordinates": [[[64.0, 28.8], [64.1, 28.8],
                                               [64.1, 28.9], [64.0, 28.9], [64.0, 28.8]]]}}})
    assert r.status_code == 201, r.text
    return r


# Replicas are PostgreSQL's: SQLite refuses MAADAN_READ_DATABASE_URL (tests/unit/test_config.py).
pytestmark = [pytestmark, pytest.mark.parametrize("seeded_db", ["postgresql"], indirect=True)]
TOKEN = "t" * 40


@pytest.fixture
def cluster(seeded_db, tmp_path):
    db = Database("postgresql", tmp_path, template=seeded_db)
    name = make_url(db.url).database
    replica_url = make_url(REPLICA_URL).set(database=name).render_as_string(hide_password=False)
    app = create_app(load_settings({"MAADAN_DATABASE_URL": db.url, "MAADAN_READ_DATABASE_URL": replica_url,
                                    "MAADAN_PASSWORD_HASHING": "fast-insecure",
                                    "MAADAN_METRICS_TOKEN": TOKEN}))
    auth.create_user(UnitOfWork(app.state.engine, write=True), "applicant.a", PASSWORD, "applicant", "ussm")
    replica = create_engine(replica_url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + 60
    while True:  # the new database reaches the standby by replication, too
        try:
            caught_up(app.state.engine, replica)
            break
        except Exception:
            assert time.monotonic() < deadline, "the database never appeared on the standby"
            time.sleep(0.1)
    try:
        with TestClient(app) as writer, TestClient(app) as public:
            yield app, writer, public, replica
    finally:
        replay(replica, "resume")
        replica.dispose()
        db.close()


def test_public_reads_use_the_standby_and_a_writer_reads_its_own_write(cluster):
    app, writer, public, replica = cluster
    primary = app.state.engine
    health = public.get("/api/health").json()
    assert [r["replica"] for r in health["replicas"]] == [1] and health["replicas"][0]["up"]

    replay(replica, "pause")  # from here the standby shows the past
    r = file_application(writer)
    position = r.headers["x-maadan-lsn"]
    assert writer.cookies.get("maadan_lsn") == position
    where = f"/api/cadastre/applications/PK-BA/{r.json()['number']}"

    assert writer.get(where).status_code == 200  # its writer sees it at once: read from the primary
    assert public.get(where).status_code == 404  # everyone else reads the standby, which has not replayed it
    assert public.get(where, headers={"X-Maadan-Min-LSN": position}).status_code == 200  # an API client's way
    assert public.get(where, headers={"X-Maadan-Min-LSN": "not an LSN"}).status_code == 404  # ignored
    assert public.get("/ogc/collections/applications/items?limit=1000").status_code == 200

    health = public.get("/api/health").json()["replicas"][0]
    assert health["up"] and health["lag_bytes"] > 0
    scrape = public.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert metric(scrape, "maadan_replica_up", replica="1") == 1
    assert metric(scrape, "maadan_replica_lag_bytes", replica="1") > 0
    served = metric(scrape, "maadan_db_reads_total", target="replica")
    assert served >= 3 and metric(scrape, "maadan_db_reads_total", target="primary") >= 2

    replay(replica, "resume")
    caught_up(primary, replica)
    assert public.get(where).status_code == 200  # replayed: the public sees it on the standby
    assert writer.get(where).status_code == 200  # and the writer is served by the standby again
    scrape = public.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert metric(scrape, "maadan_db_reads_total", target="replica") >= served + 2
    # Other tests write to the same primary meanwhile (other databases of its cluster), so its WAL can
    # be ahead of the standby at any instant: the health must show no lag once the standby has caught
    # up with them too (a CI run saw 3.7 MB of lag read right after `caught_up`).
    deadline = time.monotonic() + 30
    while True:
        health = public.get("/api/health").json()["replicas"][0]
        if health["lag_bytes"] == 0 and health["lag_seconds"] == 0:
            break
        assert time.monotonic() < deadline, health
        time.sleep(0.1)


def test_a_standby_that_is_down_is_skipped(cluster, tmp_path):
    app, _, public, _ = cluster
    app.state.replicas._replicas[0].engine.dispose()
    app.state.replicas._replicas[0].engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none",
                                                           connect_args={"connect_timeout": 1})
    app.state.replicas._replicas[0].seen_at = 0
    assert public.get("/api/cadastre/titles?limit=1").status_code == 200  # from the primary
    health = public.get("/api/health").json()["replicas"][0]
    assert health["up"] is False and health["lag_bytes"] is None


def test_a_page_read_on_a_lagging_standby_is_tagged_with_the_standby_s_sequence(cluster):
    """The tag names the register sequence of the data the page was read from: a page read on a
    standby that lags carries the standby's sequence, not the primary's, so once the standby has
    caught up the same request is a 200 with the new data, never a 304 that keeps the old page."""
    app, writer, public, replica = cluster
    primary = app.state.engine
    page = "/ogc/collections/applications/items?limit=1000&bbox=63.9,28.7,64.2,29.0"
    replay(replica, "pause")
    r = file_application(writer)
    ref = f"PK-BA/A{r.json()['number']}"

    old = public.get(page)
    assert old.status_code == 200 and ref not in {f["properties"]["ref"] for f in old.json()["features"]}
    tag = old.headers["etag"]
    assert tag.startswith(f'W/"{register_size(replica)}-') and register_size(replica) < register_size(primary)
    assert public.get(page, headers={"If-None-Match": tag}).status_code == 304  # the standby has not moved

    replay(replica, "resume")
    caught_up(primary, replica)
    new = public.get(page, headers={"If-None-Match": tag})
    assert new.status_code == 200, "a tag of the primary's sequence would keep the standby's old page"
    assert ref in {f["properties"]["ref"] for f in new.json()["features"]}
    assert new.headers["etag"].startswith(f'W/"{register_size(primary)}-')
    # The writer reads the primary (its own write): its tag is the primary's sequence.
    assert writer.get(page).headers["etag"].startswith(f'W/"{register_size(primary)}-')
