"""Account, token and sign-in use cases on an in-memory unit of work."""

from datetime import datetime, timedelta, timezone

import pytest

from maadan.auth import service
from maadan.auth.model import (
    MAX_ACCOUNT_FAILURES,
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    WINDOW,
    AuthError,
    TooManyAttempts,
)
from maadan.errors import Conflict, InvalidInput, NotFound
from tests.unit.auth.fakes import FakeUnitOfWork

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """These tests are about the rules around Argon2, not its cost (tests/conftest.py sets it too)."""
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "fast-insecure")


@pytest.fixture
def uow():
    u = FakeUnitOfWork()
    service.create_user(u, "Officer1", PASSWORD, "officer", now=T0)
    return u


def test_create_user_stores_a_hash_and_refuses_duplicates(uow):
    user, password_hash = uow.committed.credentials("officer1")
    assert user.role == "officer" and user.active and password_hash.startswith("$argon2id$")
    with pytest.raises(Conflict, match="taken"):
        service.create_user(uow, "OFFICER1", PASSWORD, "officer")
    with pytest.raises(InvalidInput, match="applicant account must belong"):
        service.create_user(uow, "acme", PASSWORD, "applicant")
    with pytest.raises(InvalidInput, match="one of applicant, officer, admin"):
        service.create_user(uow, "boss", PASSWORD, "root")
    with pytest.raises(NotFound) as err:
        service.get_user(uow, "oficer1")
    assert err.value.suggestions == ["officer1"]


def test_one_message_for_unknown_user_and_wrong_password(uow):
    with pytest.raises(AuthError) as unknown:
        service.authenticate(uow, "nobody", PASSWORD, "10.0.0.1", now=T0)
    with pytest.raises(AuthError) as wrong:
        service.authenticate(uow, "officer1", "wrong password!", "10.0.0.2", now=T0)
    assert unknown.value.message == wrong.value.message == service.BAD_CREDENTIALS
    assert service.authenticate(uow, " Officer1 ", PASSWORD, "10.0.0.3", now=T0).username == "officer1"
    assert [a.success for a in uow.committed.attempts] == [False, False, True]


def test_token_lifetime(uow):
    user = service.authenticate(uow, "officer1", PASSWORD, None, now=T0)
    token, expires_at = service.issue_token(uow, user, ttl=timedelta(hours=1), now=T0)
    assert expires_at == T0 + timedelta(hours=1)
    assert token not in str(uow.committed.tokens)  # only the hash is kept
    assert service.user_for_token(uow, token, now=T0 + timedelta(minutes=59)) == user
    with pytest.raises(AuthError, match="token expired"):
        service.user_for_token(uow, token, now=T0 + timedelta(hours=1))
    with pytest.raises(AuthError, match="invalid token"):
        service.user_for_token(uow, token + "x", now=T0)
    assert service.revoke_token(uow, token)
    with pytest.raises(AuthError, match="invalid token"):
        service.user_for_token(uow, token, now=T0)


def test_sessions_and_api_tokens_do_not_mix(uow):
    user = service.authenticate(uow, "officer1", PASSWORD, None, now=T0)
    session, csrf, _ = service.start_session(uow, user, now=T0)
    assert service.session_user(uow, session, now=T0) == (user, csrf)
    with pytest.raises(AuthError, match="invalid token"):
        service.user_for_token(uow, session, now=T0)
    service.end_session(uow, session)
    with pytest.raises(AuthError):
        service.session_user(uow, session, now=T0)


def test_disabled_accounts(uow):
    user = service.authenticate(uow, "officer1", PASSWORD, None, now=T0)
    token, _ = service.issue_token(uow, user, now=T0)
    service.set_active(uow, "officer1", False)
    with pytest.raises(AuthError, match="account disabled"):
        service.user_for_token(uow, token, now=T0)
    with pytest.raises(AuthError, match="account disabled"):
        service.authenticate(uow, "officer1", PASSWORD, None, now=T0)


def test_the_last_admin_cannot_be_disabled(uow):
    service.create_user(uow, "root", PASSWORD, "admin")
    with pytest.raises(Conflict, match="last active admin"):
        service.set_active(uow, "root", False)
    service.create_user(uow, "root2", PASSWORD, "admin")
    assert not service.set_active(uow, "root", False).active


def test_new_password_revokes_tokens(uow):
    user = service.authenticate(uow, "officer1", PASSWORD, None, now=T0)
    token, _ = service.issue_token(uow, user, now=T0)
    service.set_password(uow, "officer1", "another long passphrase")
    with pytest.raises(AuthError, match="invalid token"):
        service.user_for_token(uow, token, now=T0)
    assert service.authenticate(uow, "officer1", "another long passphrase", None, now=T0)


def _fail(uow, n, *, username="officer1", client="10.0.0.9", at=T0):
    for _ in range(n):
        with pytest.raises(AuthError):
            service.authenticate(uow, username, "wrong password!", client, now=at)


def test_sixth_attempt_is_blocked_even_with_the_right_password(uow):
    _fail(uow, MAX_FAILURES)
    with pytest.raises(TooManyAttempts):
        service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0 + timedelta(minutes=1))
    assert len(uow.committed.attempts) == MAX_FAILURES + 1  # blocked attempts are recorded too
    # blocked attempts count: the block lasts until WINDOW after the last one
    later = T0 + timedelta(minutes=1) + WINDOW
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=later).username == "officer1"


def test_one_clients_failures_do_not_lock_the_account_for_others(uow):
    _fail(uow, MAX_FAILURES, client="203.0.113.66")  # the attacker blocks itself...
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            service.authenticate(uow, "officer1", "another guess!", "203.0.113.66", now=T0)
    # ...and nobody else: the owner signs in from a new address
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0).username == "officer1"


def test_a_distributed_guess_blocks_new_clients_but_not_known_ones(uow):
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0 - timedelta(days=3))  # the owner's
    for i in range(MAX_ACCOUNT_FAILURES):  # one guess each from many addresses
        _fail(uow, 1, client=f"198.51.100.{i}")
    with pytest.raises(TooManyAttempts):  # a new address, even with the right password, must wait...
        service.authenticate(uow, "officer1", PASSWORD, "192.0.2.1", now=T0)
    # ...but the owner's usual address, and a browser the caller vouches for (device cookie), go on
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0).username == "officer1"
    assert service.authenticate(uow, "officer1", PASSWORD, "192.0.2.2", now=T0, known_device=True)
    # an address known only for another account is not known for this one
    service.create_user(uow, "officer2", "another long passphrase", "officer", now=T0)
    service.authenticate(uow, "officer2", "another long passphrase", "192.0.2.3", now=T0)
    with pytest.raises(TooManyAttempts):
        service.authenticate(uow, "officer1", PASSWORD, "192.0.2.3", now=T0)


def test_the_device_token_vouches_for_one_account_under_one_secret():
    token = service.device_token("secret-a" * 4, "officer1")
    assert service.known_device("secret-a" * 4, "officer1", token)
    assert service.known_device("secret-a" * 4, " Officer1 ", token)  # as the username is typed
    assert not service.known_device("secret-a" * 4, "officer2", token)
    assert not service.known_device("secret-b" * 4, "officer1", token)
    assert not service.known_device("secret-a" * 4, "officer1", token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not service.known_device("secret-a" * 4, "officer1", None) and not service.known_device("s", "o", "x" * 300)


def test_a_success_does_not_erase_failures(uow):
    _fail(uow, MAX_FAILURES - 1)
    service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0)
    _fail(uow, 1)
    with pytest.raises(TooManyAttempts):
        service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0)


def test_one_client_guessing_many_usernames_is_blocked(uow):
    for i in range(MAX_CLIENT_FAILURES):
        _fail(uow, 1, username=f"guess{i}")
    with pytest.raises(TooManyAttempts):
        service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0)
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.10", now=T0)


def test_failures_outside_the_window_do_not_count(uow):
    _fail(uow, MAX_FAILURES, at=T0 - WINDOW - timedelta(seconds=1))
    assert service.authenticate(uow, "officer1", PASSWORD, "10.0.0.9", now=T0)


def test_naive_times_are_refused(uow):
    with pytest.raises(ValueError):
        service.issue_token(uow, uow.committed.user("officer1"), now=datetime(2026, 1, 1))
