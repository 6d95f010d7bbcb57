"""Accounts and sign-in, one function per use case. Each runs in the unit of work it is given and
commits once (sign-in is the documented exception), so nothing is half-written.

Tokens are `secrets.token_urlsafe(32)`; the store keeps only their SHA-256. API tokens travel as
`Authorization: Bearer`, session tokens in the web's cookie with a CSRF token beside them."""

from __future__ import annotations

import difflib
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from maadan.auth import passwords
from maadan.auth.model import (
    KNOWN_FOR,
    WINDOW,
    AuthError,
    RecentFailures,
    StoredToken,
    TooManyAttempts,
    User,
    check_role,
    normalise_username,
    sign_in_blocked,
)
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

TOKEN_TTL = timedelta(hours=12)
SESSION_TTL = timedelta(hours=12)
BAD_CREDENTIALS = "wrong username or password"
ATTEMPTS_KEPT = timedelta(days=30)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return now.astimezone(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _find(uow: AbstractUnitOfWork, username: str) -> User:
    try:
        name = normalise_username(username)
    except InvalidInput:
        name = (username or "").strip().lower()
    user = uow.auth.user(name)
    if user is None:
        raise NotFound("user", username, difflib.get_close_matches(name, uow.auth.usernames(), n=3))
    return user


# --- accounts ----------------------------------------------------------------------------------

def create_user(uow: AbstractUnitOfWork, username: str, password: str, role: str,
                organisation_id: str | None = None, now: datetime | None = None) -> User:
    """A new active account; InvalidInput for a bad name, role or password, Conflict for a taken name."""
    name = normalise_username(username)
    role, org = check_role(role, organisation_id)
    passwords.check_policy(password, name)
    password_hash = passwords.hash_password(password)  # slow: before the write transaction
    with uow:
        if uow.auth.user(name) is not None:
            raise Conflict(f"username {name!r} is taken", details={"field": "username"})
        user = uow.auth.add_user(name, password_hash, role, org, _now(now))
        uow.commit()
    return user


def get_user(uow: AbstractUnitOfWork, username: str) -> User:
    with uow:
        return _find(uow, username)


def list_users(uow: AbstractUnitOfWork) -> list[User]:
    with uow:
        return uow.auth.users()


def set_active(uow: AbstractUnitOfWork, username: str, active: bool) -> User:
    """Enable or disable an account; refuses to disable the last active admin."""
    with uow:
        user = _find(uow, username)
        if user.active == active:
            return user
        if not active and user.is_admin and uow.auth.count_active_admins() <= 1:
            raise Conflict(f"{user.username!r} is the last active admin; make another admin first")
        uow.auth.set_active(user.id, active)
        uow.commit()
    return User(user.id, user.username, user.role, user.organisation_id, active, user.created_at)


def set_password(uow: AbstractUnitOfWork, username: str, password: str) -> User:
    """Replace a password; every token and session of the account is revoked."""
    with uow:
        user = _find(uow, username)
    passwords.check_policy(password, user.username)
    password_hash = passwords.hash_password(password)
    with uow:
        user = _find(uow, username)
        uow.auth.set_password_hash(user.id, password_hash)
        uow.auth.revoke_all(user.id)
        uow.commit()
    return user


# --- sign-in -----------------------------------------------------------------------------------

def authenticate(uow: AbstractUnitOfWork, username: str, password: str, client: str | None,
                 now: datetime | None = None, *, known_device: bool = False) -> User:
    """The active user with these credentials. AuthError (one message for an unknown user and a
    wrong password); TooManyAttempts when the throttling rule (`model.sign_in_blocked`) says this
    client must wait: too many recent failures for this username from this client, from this
    client at all, or for this username from everywhere while this client never signed in to it
    (`known_device`: the caller vouches for the client, e.g. by the account's device cookie).
    Every attempt is recorded; a success does not erase failures.

    The attempt is first recorded as a failure and committed, the password is checked outside
    any transaction, and a success is then marked in a second one: Argon2 never runs while the
    database's write lock is held, and parallel guesses each see the others as failures."""
    now = _now(now)
    key = (username or "").strip().lower()[:200]
    client = client[:64] if client else None
    with uow:
        since = now - WINDOW
        recent = RecentFailures(
            pair=uow.auth.failures(since, username=key, client=client) if client else 0,
            client=uow.auth.failures(since, client=client) if client else 0,
            account=uow.auth.failures(since, username=key),
            known_client=known_device or bool(client and uow.auth.succeeded(now - KNOWN_FOR, username=key, client=client)))
        blocked = sign_in_blocked(recent)
        attempt = uow.auth.add_attempt(key, client, now, success=False)
        found = None if blocked else uow.auth.credentials(key)
        uow.commit()
    if blocked:
        raise TooManyAttempts(WINDOW)
    if found is None:
        passwords.spend_verify_time(password)
        raise AuthError(BAD_CREDENTIALS)
    user, password_hash = found
    if not passwords.verify_password(password_hash, password):
        raise AuthError(BAD_CREDENTIALS)
    rehash = passwords.hash_password(password) if passwords.needs_rehash(password_hash) else None
    with uow:
        uow.auth.mark_success(attempt)
        if rehash:
            uow.auth.set_password_hash(user.id, rehash)
        uow.commit()
    if not user.active:
        raise AuthError("account disabled")
    return user


def device_token(secret: str, username: str) -> str:
    """A value for a browser's device cookie that vouches, under the app's secret, that this
    browser signed in to `username` (OWASP's "device cookies"): it lets the account's owner in
    while others' failed guesses hold the account's throttle."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_device_mac(secret, username, nonce)}"


def known_device(secret: str, username: str, token: str | None) -> bool:
    nonce, _, mac = (token or "").partition(".")
    if not nonce or not mac or len(token or "") > 200:
        return False
    return hmac.compare_digest(mac, _device_mac(secret, (username or "").strip().lower(), nonce))


def _device_mac(secret: str, username: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"device:{username}:{nonce}".encode(), "sha256").hexdigest()


def _issue(uow: AbstractUnitOfWork, user: User, kind: str, ttl: timedelta, now: datetime | None,
           csrf: str | None = None) -> tuple[str, datetime]:
    if ttl <= timedelta(0):
        raise InvalidInput("token lifetime must be positive")
    now = _now(now)
    token = secrets.token_urlsafe(32)
    stored = StoredToken(token_hash=token_hash(token), user_id=user.id, kind=kind, created_at=now,
                         expires_at=now + ttl, csrf_token=csrf)
    with uow:
        uow.auth.add_token(stored)
        uow.commit()
    return token, stored.expires_at


def _resolve(uow: AbstractUnitOfWork, token: str, kind: str, now: datetime | None) -> tuple[User, StoredToken]:
    now = _now(now)
    if not token or len(token) > 200:
        raise AuthError("invalid token")
    with uow:
        found = uow.auth.token_and_user(token_hash(token))
    if found is None:
        raise AuthError("invalid token")
    stored, user = found
    if stored.kind != kind or stored.revoked:
        raise AuthError("invalid token")
    if now >= stored.expires_at:
        raise AuthError("token expired")
    if user is None:
        raise AuthError("invalid token")
    if not user.active:
        raise AuthError("account disabled")
    return user, stored


def issue_token(uow: AbstractUnitOfWork, user: User, ttl: timedelta = TOKEN_TTL,
                now: datetime | None = None) -> tuple[str, datetime]:
    """A new API (Bearer) token for `user` and when it expires. The token is shown once."""
    return _issue(uow, user, "api", ttl, now)


def user_for_token(uow: AbstractUnitOfWork, token: str, now: datetime | None = None) -> User:
    """The user an API token belongs to; AuthError "invalid token", "token expired" or "account disabled"."""
    return _resolve(uow, token, "api", now)[0]


def revoke_token(uow: AbstractUnitOfWork, token: str) -> bool:
    """Revoke a token or session; True when it was live."""
    with uow:
        done = uow.auth.revoke(token_hash(token))
        uow.commit()
    return done


# --- web sessions ------------------------------------------------------------------------------

def start_session(uow: AbstractUnitOfWork, user: User, ttl: timedelta = SESSION_TTL,
                  now: datetime | None = None) -> tuple[str, str, datetime]:
    """(session token for the cookie, CSRF token for forms, expiry)."""
    csrf = secrets.token_urlsafe(32)
    token, expires_at = _issue(uow, user, "session", ttl, now, csrf=csrf)
    return token, csrf, expires_at


def session_user(uow: AbstractUnitOfWork, session_token: str, now: datetime | None = None) -> tuple[User, str]:
    """The user of a live session and the session's CSRF token; AuthError otherwise."""
    user, stored = _resolve(uow, session_token, "session", now)
    return user, stored.csrf_token or ""


def end_session(uow: AbstractUnitOfWork, session_token: str) -> None:
    revoke_token(uow, session_token)


def prune(uow: AbstractUnitOfWork, now: datetime | None = None) -> int:
    """Delete dead tokens and sign-in attempts older than ATTEMPTS_KEPT; returns rows deleted."""
    now = _now(now)
    with uow:
        n = uow.auth.prune(now, now - ATTEMPTS_KEPT)
        uow.commit()
    return n
