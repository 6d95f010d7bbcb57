"""Accounts and sign-in on every backend: tokens, the rate limit, role checks, CSRF, the CLI."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from maadan.api.app import create_app
from maadan.api.security import SESSION_COOKIE, CurrentUser, csrf_protect, require_role
from maadan.auth import service
from maadan.auth.model import MAX_FAILURES, WINDOW, AuthError, TooManyAttempts, User
from maadan.config import load_settings
from maadan.store.auth_tables import login_attempt
from maadan.store.uow import UnitOfWork

PASSWORD = "a long enough passphrase"


class Api:
    def __init__(self, client: TestClient, engine):
        self.client, self.engine = client, engine

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def make(self, username: str, role: str, organisation_id: str | None = None) -> User:
        return service.create_user(self.uow(), username, PASSWORD, role, organisation_id)

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/api/auth/token", json={"username": username, "password": password})

    def token(self, username: str) -> dict[str, str]:
        r = self.login(username)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def api(seeded_copy):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    assert "/api/auth/token" in app.openapi()["paths"]  # the app carries the auth routes

    @app.get("/test/officer")
    def officer_only(user: Annotated[User, Depends(require_role("officer"))]) -> dict:
        return {"username": user.username}

    @app.post("/test/write", dependencies=[Depends(csrf_protect)])
    def write(user: CurrentUser) -> dict:
        return {"user": user.username if user else None}

    with TestClient(app) as client:
        yield Api(client, app.state.engine)


def test_sign_in_me_and_logout(api):
    api.make("Officer.One", "officer")
    r = api.login("officer.one")
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    assert r.headers["cache-control"] == "no-store" and body["expires_in"] == 12 * 3600
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(timezone.utc) + timedelta(hours=11)
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    me = api.client.get("/api/auth/me", headers=bearer).json()
    assert me["username"] == "officer.one" and me["role"] == "officer" and me["active"]

    form = api.client.post("/api/auth/token", data={"grant_type": "password", "username": "Officer.One",
                                                    "password": PASSWORD})
    assert form.status_code == 200 and form.json()["access_token"] != body["access_token"]

    assert api.client.post("/api/auth/logout", headers=bearer).status_code == 204
    r = api.client.get("/api/auth/me", headers=bearer)
    assert r.status_code == 401 and r.json() == {"error": "unauthorized", "message": "invalid token"}
    assert r.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_wrong_password_and_unknown_user_get_the_same_401(api):
    api.make("officer1", "officer")
    wrong, unknown = api.login("officer1", "not the password"), api.login("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "unauthorized", "message": service.BAD_CREDENTIALS}
    assert wrong.headers["www-authenticate"] == "Bearer"
    assert api.client.get("/api/auth/me").status_code == 401
    assert api.client.post("/api/auth/token", json={"username": "officer1"}).json()["message"].startswith("password")
    assert api.client.post("/api/auth/token", content=b"{oops",
                           headers={"content-type": "application/json"}).status_code == 422


def test_sixth_wrong_attempt_is_429_and_stays_429_with_the_right_password(api):
    api.make("officer1", "officer")
    for _ in range(MAX_FAILURES):
        assert api.login("officer1", "not the password").status_code == 401
    r = api.login("officer1", "not the password")
    assert r.status_code == 429 and r.json()["error"] == "too_many_requests"
    assert r.headers["retry-after"] == str(int(WINDOW.total_seconds()))
    assert api.login("officer1").status_code == 429
    with api.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(login_attempt)).scalar_one() == MAX_FAILURES + 2


def test_rate_limit_window_on_the_store(api):
    api.make("officer1", "officer")
    t0 = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)

    def attempt(password: str, client: str, at: datetime) -> str:
        try:
            service.authenticate(api.uow(), "officer1", password, client, now=at)
            return "ok"
        except TooManyAttempts:
            return "blocked"
        except AuthError:
            return "refused"

    outcomes = [attempt("wrong password!", "10.0.0.1", t0 + timedelta(minutes=i)) for i in range(4)]
    outcomes.append(attempt(PASSWORD, "10.0.0.1", t0 + timedelta(minutes=4)))  # does not reset the count
    outcomes.append(attempt("wrong password!", "10.0.0.1", t0 + timedelta(minutes=5)))
    outcomes.append(attempt(PASSWORD, "10.0.0.1", t0 + timedelta(minutes=6)))
    outcomes.append(attempt(PASSWORD, "10.0.2.2", t0 + timedelta(minutes=6)))  # another client is not held
    assert outcomes == ["refused"] * 4 + ["ok", "refused", "blocked", "ok"]
    # a sliding window: failures at minutes 0-3, 5 and the blocked one at 6 are still in it at 15:30
    assert attempt(PASSWORD, "10.0.0.1", t0 + WINDOW + timedelta(seconds=30)) == "blocked"
    assert attempt(PASSWORD, "10.0.0.1", t0 + 2 * WINDOW + timedelta(minutes=1)) == "ok"


def test_expired_and_revoked_tokens_are_401(api):
    user = api.make("officer1", "officer")
    old, _ = service.issue_token(api.uow(), user, now=datetime.now(timezone.utc) - timedelta(hours=13))
    r = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and r.json()["message"] == "token expired"

    live, _ = service.issue_token(api.uow(), user)
    assert api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {live}"}).status_code == 200
    assert service.revoke_token(api.uow(), live)
    r = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {live}"})
    assert r.status_code == 401 and r.json()["message"] == "invalid token"
    assert api.client.get("/api/auth/me", headers={"Authorization": "Bearer "}).status_code == 401


def test_disabled_accounts_are_refused(api):
    api.make("officer1", "officer")
    bearer = api.token("officer1")
    service.set_active(api.uow(), "officer1", False)
    r = api.client.get("/api/auth/me", headers=bearer)
    assert r.status_code == 401 and r.json()["message"] == "account disabled"
    assert api.login("officer1").json()["message"] == "account disabled"


def test_admins_manage_users(api):
    api.make("root", "admin")
    admin = api.token("root")
    new = {"username": "acme.filer", "password": PASSWORD, "role": "applicant"}
    r = api.client.post("/api/users", json=new, headers=admin)
    assert r.status_code == 422 and "organisation" in r.json()["message"]
    r = api.client.post("/api/users", json=new | {"organisation_id": "acme-mining"}, headers=admin)
    assert r.status_code == 201 and r.json()["organisation_id"] == "acme-mining" and r.json()["role"] == "applicant"
    r = api.client.post("/api/users", json=new | {"organisation_id": "acme-mining"}, headers=admin)
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    r = api.client.post("/api/users", json=new | {"username": "x2", "role": "root"}, headers=admin)
    assert r.status_code == 422
    r = api.client.post("/api/users", json={"username": "short.pw", "password": "tooshort", "role": "officer"},
                        headers=admin)
    assert r.status_code == 422 and r.json()["message"].startswith("password: must be at least 15")

    listing = api.client.get("/api/users", headers=admin).json()
    assert [u["username"] for u in listing["items"]] == ["acme.filer", "root"]
    applicant = api.token("acme.filer")
    assert api.client.get("/api/users", headers=applicant).status_code == 403
    assert api.client.get("/api/users").status_code == 401
    r = api.client.patch("/api/users/acme.filer", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert api.client.patch("/api/users/root", json={"active": False}, headers=admin).status_code == 409


def test_role_checks(api):
    api.make("root", "admin")
    api.make("officer1", "officer")
    api.make("acme.filer", "applicant", "acme-mining")
    r = api.client.get("/test/officer")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer" and r.json()["error"] == "unauthorized"
    r = api.client.get("/test/officer", headers=api.token("acme.filer"))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert api.client.get("/test/officer", headers=api.token("officer1")).json() == {"username": "officer1"}
    assert api.client.get("/test/officer", headers=api.token("root")).status_code == 200
    assert api.client.get("/test/officer", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_csrf_on_cookie_sessions(api):
    user = api.make("officer1", "officer")
    session, csrf, _ = service.start_session(api.uow(), user)
    c = api.client
    c.cookies.set(SESSION_COOKIE, session)
    assert c.get("/api/auth/me").json()["username"] == "officer1"
    r = c.post("/test/write", json={})
    assert r.status_code == 403 and r.json()["message"] == "missing or invalid CSRF token"
    assert c.post("/test/write", json={}, headers={"X-CSRF-Token": csrf + "x"}).status_code == 403
    assert c.post("/test/write", json={}, headers={"X-CSRF-Token": csrf}).json() == {"user": "officer1"}
    assert c.post("/test/write", data={"csrf_token": csrf}).json() == {"user": "officer1"}
    assert c.post("/api/auth/logout").status_code == 403
    r = c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204 and SESSION_COOKIE in r.headers.get("set-cookie", "")

    c.cookies.set(SESSION_COOKIE, session)  # ended: now just a stale cookie, i.e. the public
    assert c.post("/test/write", json={}).json() == {"user": None}
    c.cookies.clear()
    assert c.post("/test/write", json={}, headers=api.token("officer1")).json() == {"user": "officer1"}


# --- the CLI -----------------------------------------------------------------------------------

@pytest.fixture
def users_cli(copy_cli):
    return copy_cli


def test_users_cli(users_cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = users_cli("users", "create", "Root", "--role", "admin", "--password-stdin")
    assert code == 0 and "Created admin root" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users_cli("users", "create", "acme", "--role", "applicant", "--password-stdin")[0] == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = users_cli("users", "create", "ofc1", "--role", "officer", "--password-stdin")
    assert code == 2 and "at least 15 characters" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users_cli("users", "create", "root", "--role", "officer", "--password-stdin")[0] == 3
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users_cli("users", "create", "acme", "--role", "applicant", "--org", "acme-mining",
                     "--password-stdin")[0] == 0

    listing = users_cli.json("users", "list")
    assert [(u["username"], u["role"], u["organisation_id"]) for u in listing] == [
        ("acme", "applicant", "acme-mining"), ("root", "admin", None)]
    code, _, err = users_cli("users", "disable", "acme")
    assert code == 0 and "disabled" in err
    assert users_cli("users", "disable", "root")[0] == 3  # the last admin
    code, _, err = users_cli("users", "disable", "acm")
    assert code == 2 and "acme" in err
    assert [u["active"] for u in users_cli.json("users", "list")] == [False, True]
    code, out, _ = users_cli("users", "list")
    assert code == 0 and "DISABLED" in out
