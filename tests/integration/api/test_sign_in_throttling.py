"""Sign-in throttling that an attacker cannot turn into a lockout (issue 15): the audit locked any
account, admins included, with 20 parallel wrong passwords from different clients. Now failures
hold the (account, client) pair; a client spraying many accounts is held; a guess spread over many
clients holds only clients that never signed in to the account. On every backend, over HTTP,
behind a trusted proxy so that each request can come from its own address."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from maadan.api.app import create_app
from maadan.api.security import DEVICE_COOKIE
from maadan.auth import service as auth
from maadan.auth.model import MAX_ACCOUNT_FAILURES, MAX_CLIENT_FAILURES, MAX_FAILURES
from maadan.config import load_settings
from maadan.store.uow import UnitOfWork
from tests.unit.auth.test_service import cheap_hashing  # noqa: F401 (autouse: about a hundred sign-ins here)

PASSWORD = "a long enough passphrase"
PROXY = "127.0.0.1"


@pytest.fixture
def app(seeded_copy):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url, "MAADAN_TRUSTED_PROXIES": PROXY}))
    auth.create_user(UnitOfWork(app.state.engine, write=True), "root.admin", PASSWORD, "admin")
    auth.create_user(UnitOfWork(app.state.engine, write=True), "officer.b", PASSWORD, "officer")
    return app


def _token(client: TestClient, address: str, username: str = "root.admin", password: str = PASSWORD) -> int:
    return client.post("/api/auth/token", json={"username": username, "password": password},
                       headers={"X-Forwarded-For": address}).status_code


def test_twenty_parallel_wrong_passwords_from_different_clients_lock_nobody_out(app):
    with TestClient(app, client=(PROXY, 5000)) as client:
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda i: _token(client, f"198.51.100.{i}", password=f"guess number {i}"), range(20)))
        assert codes == [401] * 20
        assert _token(client, "203.0.113.7") == 200  # the admin, from an address never seen before


def test_one_address_is_held_for_an_account_and_for_spraying_many(app):
    with TestClient(app, client=(PROXY, 5000)) as client:
        for i in range(MAX_FAILURES):
            assert _token(client, "198.51.100.1", password=f"guess number {i}") == 401
        r = client.post("/api/auth/token", json={"username": "root.admin", "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.51.100.1"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert _token(client, "198.51.100.2") == 200  # the same account from elsewhere
        for i in range(MAX_CLIENT_FAILURES):  # one address trying many accounts
            assert _token(client, "198.51.100.3", username=f"user{i}.guess", password="guess again please") == 401
        assert _token(client, "198.51.100.3", username="officer.b") == 429
        assert _token(client, "198.51.100.4", username="officer.b") == 200


def test_a_guess_spread_over_many_addresses_holds_only_new_ones(app):
    with TestClient(app, client=(PROXY, 5000)) as client:
        assert _token(client, "203.0.113.7") == 200  # the admin's usual address
        web = TestClient(app, client=(PROXY, 5000))  # the admin's browser, signed in once before
        from tests.integration.web.conftest import login_form

        r = web.post("/login", data=login_form(web, username="root.admin", password=PASSWORD),
                     headers={"X-Forwarded-For": "192.0.2.50"}, follow_redirects=False)
        assert r.status_code == 303 and DEVICE_COOKIE in r.headers["set-cookie"]
        assert "Path=/login" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda i: _token(client, f"198.51.{i // 250}.{i % 250}", password=f"guess {i} here"),
                                  range(MAX_ACCOUNT_FAILURES)))
        assert set(codes) == {401}
        assert _token(client, "198.51.200.1") == 429  # a new address, even with the right password
        assert _token(client, "203.0.113.7") == 200  # the usual address
        # the browser with its device cookie, from a new address (travelling)
        r = web.post("/login", data=login_form(web, username="root.admin", password=PASSWORD),
                     headers={"X-Forwarded-For": "192.0.2.99"}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        # without it, from that address: held
        web.cookies.delete(DEVICE_COOKIE, path="/login")
        r = web.post("/login", data=login_form(web, username="root.admin", password=PASSWORD),
                     headers={"X-Forwarded-For": "192.0.2.98"}, follow_redirects=False)
        assert r.status_code == 429 and "Too many failed sign-in attempts" in r.text
        # another account is untouched
        assert _token(client, "198.51.200.1", username="officer.b") == 200


def test_weak_passwords_are_refused_when_accounts_are_made(app):
    with TestClient(app) as client:
        token = client.post("/api/auth/token", json={"username": "root.admin", "password": PASSWORD}).json()
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        for weak, said in (("password1234", "at least 15"), (" " * 12 + "x", "at least 15"),
                           (" " * 15 + "x", "different characters"), ("password12345678", "common password"),
                           ("1q2w3e4r5t6y7u8i", "most common passwords"), ("new.officer.2026", "username")):
            r = client.post("/api/users", json={"username": "new.officer", "password": weak, "role": "officer"},
                            headers=admin)
            assert r.status_code == 422 and said in r.json()["message"], (weak, r.text)
        r = client.post("/api/users", json={"username": "new.officer", "password": "quetta granite morning tea",
                                            "role": "officer"}, headers=admin)
        assert r.status_code == 201
