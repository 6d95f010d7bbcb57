"""When the database cannot be reached (a restart, a failover), requests are answered 503
`database_unavailable` with Retry-After, not 500: nothing was written and a retry will work. The
soak (bench/soak.py) restarts PostgreSQL under load; this is the same answer, made on purpose."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from maadan.config import load_settings
from maadan.http.app import create_app
from maadan.store.loop_reads import AwaitedReads, SQLiteReads, for_engine
from tests.conftest import PG_URL

GONE = "postgresql+psycopg://maadan@127.0.0.1:9/gone"  # port 9 (discard): connection refused at once


def test_an_unreachable_database_is_503_with_retry_after(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app, raise_server_exceptions=False) as client:
        # The app's own engine is left to its lifespan, which disposes it after the warm-up thread ends. Disposing
        # it here, while that thread held a connection, orphaned the connection: an idle session on the read-only
        # seeded database until garbage collection, and a later copy of that database was refused ("being
        # accessed by other users").
        gone = app.state.engine = create_engine(GONE, connect_args={"connect_timeout": 2})
        app.state.loop_reads = for_engine(gone)  # the reads made on the event loop go there too
        for method, url, headers in (("GET", "/api/minerals", {}), ("GET", "/api/cadastre/titles", {}),
                                     ("GET", "/api/cadastre/titles/SYN-PK-BA/EL/2020/0001", {}),  # its ETag too
                                     ("GET", "/ogc/collections/titles/items", {}),  # its ETag reads first
                                     ("POST", "/api/cadastre/check", {"Idempotency-Key": "k-1"})):
            r = client.request(method, url, headers=headers, json={} if method == "POST" else None)
            assert r.status_code == 503, (url, r.status_code, r.text)
            assert r.json()["error"] == "database_unavailable" and r.headers["retry-after"] == "5"
            assert r.headers["x-request-id"]
        page = client.get("/minerals", headers={"Accept": "text/html"})
        assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    gone.dispose()


@pytest.mark.skipif(not PG_URL, reason="a server that closes its connections is PostgreSQL's case: "
                                        "set MAADAN_TEST_POSTGRES_URL")
@pytest.mark.parametrize("seeded_db", ["postgresql"], indirect=True)  # PostgreSQL's case only
def test_a_pooled_connection_the_server_closed_is_a_503_error_and_not_handed_out_again(seeded_db):
    """What Maadan asks on the driver's own connection (the register's size, which every conditional
    GET reads first; PostGIS's vector tiles) on a pooled connection the server has closed meanwhile
    (a restart) is SQLAlchemy's OperationalError, marked invalidated (so a 503), and the pool then
    opens a new connection."""
    from sqlalchemy.exc import OperationalError

    from maadan.http.errors import database_unavailable
    from maadan.ogc import tiles
    from maadan.store.audit_repository import register_size
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    killer = create_engine(seeded_db.url)

    def close_the_pooled_connection() -> None:
        with engine.connect() as conn:  # the pooled connection the next call will get is this one
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with killer.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()

    tile = tiles.TileAddress(8, 173, 108)

    def a_tile() -> bytes:
        return tiles.postgis_tile(UnitOfWork(engine), tiles.tiled("titles"), tile)

    try:
        size, body = register_size(engine), a_tile()
        for ask, before in ((lambda: register_size(engine), size), (a_tile, body)):
            close_the_pooled_connection()
            with pytest.raises(OperationalError) as caught:
                ask()
            assert caught.value.connection_invalidated and database_unavailable(caught.value)
            assert ask() == before  # on a new connection
    finally:
        killer.dispose()
        engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="reads awaited on the event loop are PostgreSQL's: set MAADAN_TEST_POSTGRES_URL")
@pytest.mark.parametrize("seeded_db", ["postgresql"], indirect=True)
def test_an_awaited_read_fails_as_a_503_error_and_then_works_on_a_new_connection(seeded_db):
    """store/loop_reads.py: a connection the server closed, and a statement past the deadline,
    are SQLAlchemy's OperationalError marked invalidated (so a 503); the connection is dropped and the
    next read opens another. A read on a new event loop opens its own connection."""
    import time

    from sqlalchemy.exc import OperationalError

    from maadan.http.errors import database_unavailable
    from maadan.store.audit_repository import register_size
    from maadan.store.database import create_db_engine

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    killer = create_engine(seeded_db.url)
    reads = AwaitedReads(engine, connections=1, timeout_s=0.5)
    try:
        size = register_size(engine)

        async def scenario() -> None:
            assert await reads.register_size() == size
            pid = await reads.value("SELECT pg_backend_pid()")  # the one connection, reused
            with killer.connect() as conn:
                assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
            with pytest.raises(OperationalError) as closed:
                await reads.register_size()
            assert closed.value.connection_invalidated and database_unavailable(closed.value)
            assert await reads.register_size() == size  # on a new connection
            assert await reads.value("SELECT pg_backend_pid()") != pid
            started = time.monotonic()
            with pytest.raises(OperationalError) as late:
                await reads.value("SELECT pg_sleep(5)")
            assert time.monotonic() - started < 3  # the deadline, not the statement's 5 s
            assert late.value.connection_invalidated and database_unavailable(late.value)
            assert "did not answer within 0.5 s" in str(late.value)
            assert await reads.register_size() == size
            await reads.close()

        on_a_new_loop(scenario())
        assert on_a_new_loop(reads.register_size()) == size  # another loop: its own connection
        on_a_new_loop(reads.close())
    finally:
        killer.dispose()
        engine.dispose()


def on_a_new_loop(coroutine):
    """`coroutine` run to its end on a new event loop."""
    import asyncio

    return asyncio.run(coroutine)


def test_awaited_reads_are_for_postgresql_only(tmp_path):
    with pytest.raises(ValueError, match="PostgreSQL, not sqlite"):
        AwaitedReads(create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}"))


@pytest.mark.parametrize("seeded_db", ["sqlite"], indirect=True)
def test_sqlite_reads_of_their_own_read_the_file_write_nothing_and_fail_as_a_503_error(seeded_copy, tmp_path):
    """store/loop_reads.py on SQLite: the same values as the engine reads, from any thread; a
    write is refused (query_only); an error is SQLAlchemy's OperationalError marked invalidated (so
    a 503) and the next read works; a missing file is an error, never created; a database in memory
    has no such reads."""
    import threading

    from sqlalchemy.exc import OperationalError

    from maadan.cadastre import service
    from maadan.http.errors import database_unavailable
    from maadan.store.audit_repository import register_size
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    reads = for_engine(engine)
    assert isinstance(reads, SQLiteReads)
    try:
        service.load_demo_cadastre(UnitOfWork(engine, write=True), 5, 5, "test")  # the register and version move
        with UnitOfWork(engine) as uow:
            version = uow.cadastre.spatial_version("PK-BA")
        assert on_a_new_loop(reads.register_size()) == register_size(engine) > 0
        assert on_a_new_loop(reads.spatial_version("PK-BA")) == version > 0
        assert on_a_new_loop(reads.spatial_version("XX-NONE")) == 0
        assert len(reads._idle) == 1  # one connection, kept for the next read
        service.load_demo_cadastre(UnitOfWork(engine, write=True), 3, 6, "test")  # a write between two reads
        assert on_a_new_loop(reads.spatial_version("PK-BA")) > version  # the kept connection reads it
        assert on_a_new_loop(reads.register_size()) == register_size(engine)
        elsewhere = []
        thread = threading.Thread(target=lambda: elsewhere.append(reads.value_now("SELECT count(*) FROM mineral")))
        thread.start(), thread.join()
        assert elsewhere and elsewhere[0] > 0  # the idle connection, used from another thread
        minerals = elsewhere[0]
        with pytest.raises(OperationalError) as refused:
            reads.value_now("DELETE FROM mineral")
        assert refused.value.connection_invalidated and database_unavailable(refused.value)
        assert "readonly" in str(refused.value)
        assert reads.value_now("SELECT count(*) FROM mineral") == minerals  # nothing deleted; a new connection
        on_a_new_loop(reads.close())
    finally:
        engine.dispose()

    missing = tmp_path / "missing.sqlite"
    with pytest.raises(OperationalError, match="unable to open"):
        SQLiteReads(create_engine(f"sqlite:///{missing}")).value_now("SELECT 1")
    assert not missing.exists()
    assert for_engine(create_engine("sqlite://")) is None
    with pytest.raises(ValueError, match="need an SQLite file"):
        SQLiteReads(create_engine("sqlite:///:memory:"))


@pytest.mark.skipif(not PG_URL, reason="reads awaited on the event loop are PostgreSQL's: set MAADAN_TEST_POSTGRES_URL")
@pytest.mark.parametrize("seeded_db", ["postgresql"], indirect=True)
def test_fresh_reads_on_a_real_server_are_shared_and_see_every_earlier_commit(seeded_copy):
    """store/loop_reads.py `fresh`: forty requests asking at once are answered by fewer reads, every
    one the same value; a commit made before the next call is seen by it (its read began after)."""
    import asyncio

    writer = create_engine(seeded_copy.url)
    reads = AwaitedReads(create_engine(seeded_copy.url))
    sent: list[str] = []
    value = reads.value

    async def counted(sql, parameters=()):
        sent.append(sql)
        return await value(sql, parameters)

    reads.value = counted  # type: ignore[method-assign]
    try:
        with writer.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE fresh_probe (n integer)")
        probe = "SELECT count(*) FROM fresh_probe"

        async def scenario() -> list[int]:
            seen = list(await asyncio.gather(*(reads.fresh(probe) for _ in range(40))))
            for n in range(1, 4):
                with writer.begin() as conn:  # another worker's commit
                    conn.exec_driver_sql("INSERT INTO fresh_probe VALUES (1)")
                seen += await asyncio.gather(*(reads.fresh(probe) for _ in range(5)))
                assert seen[-1] == n
            await reads.close()
            return seen

        seen = on_a_new_loop(scenario())
        assert seen == [0] * 40 + [1] * 5 + [2] * 5 + [3] * 5
        assert len(sent) <= 8, f"{len(sent)} reads for {len(seen)} callers"
    finally:
        writer.dispose()
