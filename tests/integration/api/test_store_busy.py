"""A write that waits too long for another transaction's lock is a 503 with Retry-After (StoreBusy, through
the one error hierarchy), not a 500 after the wait; nothing of it is written, and the same request succeeds
once the lock is gone. Held here by a second connection: SQLite's write lock (BEGIN IMMEDIATE), PostgreSQL
an EXCLUSIVE lock on the tables the writes touch."""

from __future__ import annotations

import contextlib
import io
import sqlite3

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from maadan.auth import service as auth
from maadan.config import load_settings
from maadan.http.app import create_app
from maadan.store.uow import UnitOfWork

PASSWORD = "a long enough passphrase"
ARTICLE = ("ISLAMABAD, 3 March 2026: Frontier Works Organisation signed a memorandum of understanding with "
           "Orion Lithium Company on Monday to explore lithium in Chagai.\n")
DRAFT = {"title": "Antimony offtake", "kind": "offtake", "signed": "2025-12-01", "minerals": ["antimony"],
         "parties": [{"name": "US Strategic Metals", "organisation_id": "ussm", "role": "offtaker"}],
         "sources": [{"publisher": "Example", "url": "https://example.org/a", "evidence": "an offtake"}]}


@contextlib.contextmanager
def write_lock(url: str, tables: tuple[str, ...]):
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE"))  # reads pass, writes wait
            yield
            conn.rollback()
    finally:
        engine.dispose()


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(text(table))).scalar_one()


def test_a_write_held_up_by_a_lock_is_503_with_retry_after_and_writes_nothing(seeded_copy):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url, "MAADAN_LOCK_WAIT_MS": "300"}))
    auth.create_user(UnitOfWork(app.state.engine, write=True), "officer.a", PASSWORD, "officer")
    with TestClient(app) as client:
        r = client.post("/api/auth/token", json={"username": "officer.a", "password": PASSWORD})
        officer = {"Authorization": f"Bearer {r.json()['access_token']}"}

        def news():
            return client.post("/api/news", headers=officer, data={"published": "2026-03-03"},
                               files={"file": ("orion.txt", ARTICLE.encode(), "text/plain")})

        def agreement():
            return client.post("/api/agreements", headers=officer, json=DRAFT)

        before = {t: count(app.state.engine, t) for t in ("news_document", "agreement")}
        with write_lock(seeded_copy.url, ("news_document", "agreement")):
            for write in (news, agreement):
                r = write()
                assert r.status_code == 503, r.text
                assert r.headers["Retry-After"] == "1"
                assert r.json()["error"] == "busy" and "try again" in r.json()["message"]
            assert client.get("/api/agreements", params={"limit": 1}).status_code == 200  # reads go on
        assert {t: count(app.state.engine, t) for t in before} == before  # nothing half-written
        assert news().status_code == 201
        assert agreement().status_code == 201
    app.state.engine.dispose()


def test_the_cli_says_busy_with_its_own_exit_code(seeded_copy, capsys, monkeypatch):
    from maadan.cli.app import main

    monkeypatch.setenv("MAADAN_DATABASE_URL", seeded_copy.url)
    monkeypatch.setenv("MAADAN_LOCK_WAIT_MS", "300")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with write_lock(seeded_copy.url, ("app_user",)):
        code = main(["users", "create", "officer.b", "--role", "officer", "--password-stdin"])
    assert code == 75
    assert "busy" in capsys.readouterr().err
