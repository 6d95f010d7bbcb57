"""Exactly-once writes (issue 18 item 1): Idempotency-Key on REST writes, on both backends."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from sqlalchemy import select, update

from maadan.http.app import create_app
from maadan.auth import service as auth
from maadan.config import load_settings
from maadan.store.idempotency_tables import idempotency_key
from maadan.store.uow import UnitOfWork

from tests.integration.api.conftest import ROLE_PASSWORD


def square(x: float, y: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def filing(x: float = 66.7, y: float = 28.2) -> dict:
    return {"title_type": "EL", "minerals": ["copper"], "area": {"geojson": square(x, y)},
            "holders": [{"name": "US Strategic Metals", "share_pct": 100, "country": "US", "organisation_id": "ussm"}]}


def count_applications(client, officer) -> int:
    return client.get("/api/cadastre/applications", params={"limit": 1}, headers=officer).json()["total"]


def audit_events(client, officer) -> int:
    return client.get("/api/audit/events", params={"limit": 1}, headers=officer).json()["total"]


def test_a_retried_filing_is_filed_once_with_the_same_receipt(role_client):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    apps, events = count_applications(c, officer), audit_events(c, officer)
    keyed = applicant | {"Idempotency-Key": "6d0c4ad0-4f0e-4a34-8a51-2c1e3f9b7a11"}
    first = c.post("/api/cadastre/applications", headers=keyed, json=filing())
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = c.post("/api/cadastre/applications", headers=keyed, json=filing())
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert again.json()["received_at"] == first.json()["received_at"]
    assert again.content == first.content and again.headers["location"] == first.headers["location"]
    assert count_applications(c, officer) == apps + 1
    assert audit_events(c, officer) == events + 1
    assert c.get("/api/audit/verify").json()["ok"]

    # without a key, a second POST is a second filing (the old behaviour, unchanged)
    assert c.post("/api/cadastre/applications", headers=applicant, json=filing()).status_code == 201
    assert count_applications(c, officer) == apps + 2


def test_the_same_key_with_another_body_is_a_409_and_writes_nothing(role_client):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    keyed = applicant | {"Idempotency-Key": "key-1"}
    assert c.post("/api/cadastre/applications", headers=keyed, json=filing()).status_code == 201
    apps = count_applications(c, officer)
    other = c.post("/api/cadastre/applications", headers=keyed, json=filing(66.9, 28.4))
    assert other.status_code == 409, other.text
    assert other.json()["error"] == "idempotency_key_reused" and other.json()["details"] == {"header": "Idempotency-Key"}
    elsewhere = c.post("/api/agreements", headers=keyed, json={"id": "x"})  # same key, another address
    assert elsewhere.status_code in (403, 409)
    assert count_applications(c, officer) == apps


def test_keys_belong_to_their_client(role_client):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    apps = count_applications(c, officer)
    a = c.post("/api/cadastre/applications", headers=applicant | {"Idempotency-Key": "shared"}, json=filing())
    b = c.post("/api/cadastre/applications", headers=officer | {"Idempotency-Key": "shared"}, json=filing(67.1, 28.6))
    assert a.status_code == b.status_code == 201 and a.json()["number"] != b.json()["number"]
    assert count_applications(c, officer) == apps + 2


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "tab\there", "é-accent", '"quoted\\"', "a,b"])
def test_a_malformed_key_is_a_400_that_names_the_header(role_client, key):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    apps = count_applications(c, officer)
    r = c.post("/api/cadastre/applications", headers=applicant | {"Idempotency-Key": key.encode("utf-8")},
               json=filing())
    if key == "a,b":  # one key with a comma is a key like any other
        assert r.status_code == 201
        return
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_idempotency_key" and "Idempotency-Key" in r.json()["details"]["header"]
    assert count_applications(c, officer) == apps


def test_two_keys_at_once_are_refused(role_client):
    applicant = role_client.token("applicant.a")
    headers = list(applicant.items()) + [("Idempotency-Key", "one"), ("Idempotency-Key", "two")]
    r = role_client.post("/api/cadastre/applications", headers=headers, json=filing())
    assert r.status_code == 400 and "one Idempotency-Key" in r.json()["message"]


def test_a_quoted_structured_field_key_is_the_same_key(role_client):
    c, applicant = role_client, role_client.token("applicant.a")
    first = c.post("/api/cadastre/applications", headers=applicant | {"Idempotency-Key": '"abc-123"'}, json=filing())
    again = c.post("/api/cadastre/applications", headers=applicant | {"Idempotency-Key": "abc-123"}, json=filing())
    assert first.status_code == again.status_code == 201 and again.headers["idempotent-replayed"] == "true"


def test_a_refused_request_stores_nothing_and_its_corrected_retry_runs(role_client):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    keyed = applicant | {"Idempotency-Key": "fix-and-retry"}
    bad = filing() | {"title_type": "XX"}
    assert c.post("/api/cadastre/applications", headers=keyed, json=bad).status_code == 422
    apps = count_applications(c, officer)
    ok = c.post("/api/cadastre/applications", headers=keyed, json=filing())
    assert ok.status_code == 201 and "idempotent-replayed" not in ok.headers
    assert count_applications(c, officer) == apps + 1


def test_an_expired_key_runs_again(role_client):
    c, applicant = role_client, role_client.token("applicant.a")
    keyed = applicant | {"Idempotency-Key": "short-lived"}
    first = c.post("/api/cadastre/applications", headers=keyed, json=filing())
    engine = c.app.state.engine
    with engine.begin() as conn:
        row = conn.execute(select(idempotency_key.c.created_at, idempotency_key.c.expires_at)).one()
        assert 23.9 < (row.expires_at - row.created_at).total_seconds() / 3600 <= 24  # MAADAN_IDEMPOTENCY_HOURS
        conn.execute(update(idempotency_key).values(expires_at=row.created_at))
    later = c.post("/api/cadastre/applications", headers=keyed, json=filing())
    assert later.status_code == 201 and later.json()["number"] != first.json()["number"]
    with engine.begin() as conn:  # the expired row was purged and the key stored again
        assert conn.execute(select(idempotency_key.c.key)).scalars().all() == ["short-lived"]


def test_decisions_payments_and_agreements_replay(role_client):
    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    number = c.post("/api/cadastre/applications", headers=applicant, json=filing()).json()["number"]
    url = f"/api/cadastre/applications/PK-BA/{number}/decisions"
    keyed = officer | {"Idempotency-Key": "accept-once"}
    first = c.post(url, headers=keyed, json={"action": "accept"})
    again = c.post(url, headers=keyed, json={"action": "accept"})
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    unkeyed = c.post(url, headers=officer, json={"action": "accept"})  # accepting twice is an illegal move
    assert unkeyed.status_code == 409

    draft = {"title": "Idempotency offtake", "kind": "offtake", "signed": "2025-12-02", "minerals": ["antimony"],
             "parties": [{"name": "US Strategic Metals", "organisation_id": "ussm", "role": "offtaker"}],
             "sources": [{"publisher": "Example", "url": "https://example.org/b", "evidence": "an offtake"}]}
    keyed = officer | {"Idempotency-Key": "agreement-once"}
    added = c.post("/api/agreements", headers=keyed, json=draft)
    assert added.status_code == 201, added.text  # its answer is read after the write, in the held transaction
    again = c.post("/api/agreements", headers=keyed, json=draft)
    assert again.status_code == 201 and again.json() == added.json() and again.headers["idempotent-replayed"] == "true"
    assert c.post("/api/agreements", headers=officer, json=draft).status_code == 409  # without the key: a duplicate


def test_a_retry_that_raced_its_committed_original_gets_the_original_answer(role_client, monkeypatch):
    """A retry sent while its original was still running looks the key up before the original commits,
    then fails on what the original did ("cannot accept an accepted application"). Found by bench/soak.py
    (SIGKILLed workers, clients retrying): the answer must be the original's, not that error."""
    from maadan.http import idempotency

    c, applicant, officer = role_client, role_client.token("applicant.a"), role_client.token("officer.a")
    number = c.post("/api/cadastre/applications", headers=applicant, json=filing()).json()["number"]
    url = f"/api/cadastre/applications/PK-BA/{number}/decisions"
    keyed = officer | {"Idempotency-Key": "accept-raced"}
    first = c.post(url, headers=keyed, json={"action": "accept"})
    assert first.status_code == 200
    real, calls = idempotency.lookup, []

    def not_yet_committed_at_first(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(idempotency, "lookup", not_yet_committed_at_first)
    again = c.post(url, headers=keyed, json={"action": "accept"})
    assert len(calls) == 2  # looked again after the error
    assert again.status_code == 200 and again.json() == first.json() and again.headers["idempotent-replayed"] == "true"


def test_a_client_cut_off_after_the_server_commits_gets_its_receipt_on_retry(seeded_copy):
    """A real server on loopback; the client sends a filing and hangs up before the answer; the server
    commits; the retry with the same key gets the original receipt, and one application exists."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url, "MAADAN_CLIENT_RATE": "0",
                                    "MAADAN_EXPENSIVE_CONCURRENCY": "0"}))  # the racers are not throttled
    for name, role, org in (("officer.a", "officer", None), ("applicant.a", "applicant", "ussm")):
        auth.create_user(UnitOfWork(app.state.engine, write=True), name, ROLE_PASSWORD, role, org)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.started:
                break
            time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=60) as http:
            tokens = {n: http.post("/api/auth/token", json={"username": n, "password": ROLE_PASSWORD}).json()
                      ["access_token"] for n in ("officer.a", "applicant.a")}
            officer = {"Authorization": f"Bearer {tokens['officer.a']}"}
            before = count_applications(http, officer)
            body = httpx.Request("POST", base + "/api/cadastre/applications", json=filing(),
                                 headers={"Authorization": f"Bearer {tokens['applicant.a']}",
                                          "Idempotency-Key": "cut-off-1"})
            raw = (f"POST /api/cadastre/applications HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in body.headers.items() if k.lower() != "host")
                   + "\r\n").encode() + body.read()
            with socket.create_connection(("127.0.0.1", port)) as cut:
                cut.sendall(raw)
                cut.shutdown(socket.SHUT_WR)  # the client's line drops: it never reads the answer
            for _ in range(600):  # the server goes on and commits
                if count_applications(http, officer) == before + 1:
                    break
                time.sleep(0.1)
            assert count_applications(http, officer) == before + 1
            retry = http.post("/api/cadastre/applications", json=filing(),
                              headers={"Authorization": f"Bearer {tokens['applicant.a']}", "Idempotency-Key": "cut-off-1"})
            assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
            filed = http.get("/api/cadastre/applications", params={"limit": 1000}, headers=officer).json()["items"]
            mine = [a for a in filed if a["number"] == retry.json()["number"]]
            assert len(mine) == 1 and mine[0]["received_at"] == retry.json()["received_at"]
            assert count_applications(http, officer) == before + 1

            # two retries racing each other with a fresh key: one filing, both get its receipt (or a 409 to retry)
            answers: list[httpx.Response] = []
            headers = {"Authorization": f"Bearer {tokens['applicant.a']}", "Idempotency-Key": "race-1"}

            def send() -> None:
                with httpx.Client(base_url=base, timeout=60) as h:
                    answers.append(h.post("/api/cadastre/applications", json=filing(67.3, 28.9), headers=headers))

            racers = [threading.Thread(target=send) for _ in range(2)]  # a client may run two spatial requests at once
            for t in racers:
                t.start()
            for t in racers:
                t.join()
            assert sorted({a.status_code for a in answers}) in ([201], [201, 409]), [a.text for a in answers]
            assert len({a.json()["number"] for a in answers if a.status_code == 201}) == 1
            assert count_applications(http, officer) == before + 2
            assert http.get("/api/audit/verify").json()["ok"]
    finally:
        server.should_exit = True
        thread.join(30)
