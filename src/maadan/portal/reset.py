"""Password reset by a one-time link: a random token sent by e-mail, stored only as its SHA-256
(an auth token of kind "reset"), usable once, expiring after RESET_TTL. Asking for a link always
gets the same answer, whether the account exists or not (no account enumeration)."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from urllib.parse import quote

from maadan.auth import passwords
from maadan.auth.model import AuthError, StoredToken, User
from maadan.auth.service import token_hash
from maadan.portal.model import (
    RESET_KIND,
    RESET_LINKS_PER_ACCOUNT,
    RESET_PER_CLIENT,
    RESET_PER_IDENTIFIER,
    RESET_TTL,
    RESET_WINDOW,
    TooManyResetRequests,
    check_email,
)
from maadan.portal.outbox import enqueue
from maadan.unit_of_work import AbstractUnitOfWork

RESET_PATH = "/login/reset"
EXPIRED = "this reset link has expired or was already used; ask for a new one"


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


def request_reset(uow: AbstractUnitOfWork, who: str, now: datetime | None = None, client: str | None = None) -> None:
    """Queue a reset link to the account named by username or e-mail address, when it exists, is
    active and has an address. Returns nothing either way; TooManyResetRequests (429) past the
    client's or the identifier's budget (model.RESET_PER_CLIENT), decided before the account is
    looked up, so the answer never tells whether it exists."""
    now = _now(now)
    key = (who or "").strip()[:254]
    if not key:
        return
    client = client[:64] if client else None
    token = secrets.token_urlsafe(32)
    with uow:
        since = now - RESET_WINDOW
        if ((client and uow.portal.reset_requests(since, client=client) >= RESET_PER_CLIENT)
                or uow.portal.reset_requests(since, who=key.lower()) >= RESET_PER_IDENTIFIER):
            raise TooManyResetRequests(RESET_WINDOW.total_seconds())
        uow.portal.add_reset_request(key.lower(), client, now)
        uow.commit()
    with uow:
        user: User | None = uow.auth.user(key.lower())
        profile = uow.portal.profile(user.id) if user else None
        if user is None and "@" in key:
            try:
                address = check_email(key)
            except Exception:  # not an address: nobody to send to
                address = None
            user = uow.portal.user_by_email(address) if address else None
            profile = uow.portal.profile(user.id) if user else None
        if user is None or not user.active or profile is None or not profile.email:
            return
        if uow.portal.reset_links(user.id, now - RESET_WINDOW, RESET_KIND) >= RESET_LINKS_PER_ACCOUNT:
            return  # enough links on their way; those still work (the same answer as ever)
        uow.auth.add_token(StoredToken(token_hash=token_hash(token), user_id=user.id, kind=RESET_KIND,
                                       created_at=now, expires_at=now + RESET_TTL))
        minutes = int(RESET_TTL.total_seconds() // 60)
        enqueue(uow, address=profile.email, user_id=user.id, kind="password-reset", now=now,
                subject="Reset your Maadan password",
                body=(f"Someone (we hope you) asked to reset the password of the Maadan account {user.username}.\n\n"
                      f"Open the link below within {minutes} minutes to choose a new password. It works once.\n"
                      "If you did not ask, ignore this e-mail: your password stays as it is."),
                link=f"{RESET_PATH}?token={quote(token)}")
        uow.commit()


def reset_password(uow: AbstractUnitOfWork, token: str, password: str, now: datetime | None = None) -> User:
    """Set a new password with a reset token: once, before it expires; every session and token of
    the account ends. AuthError(EXPIRED) for an unknown, used or expired token."""
    now = _now(now)
    if not token or len(token) > 200:
        raise AuthError(EXPIRED)
    digest = token_hash(token)
    with uow:
        stored = uow.auth.token(digest)
        user = uow.auth.user_by_id(stored.user_id) if stored else None
    if stored is None or stored.kind != RESET_KIND or not stored.usable(now) or user is None or not user.active:
        raise AuthError(EXPIRED)
    passwords.check_policy(password, user.username)
    password_hash = passwords.hash_password(password)
    with uow:
        if not uow.auth.revoke(digest):  # another request used it first
            raise AuthError(EXPIRED)
        uow.auth.set_password_hash(user.id, password_hash)
        uow.auth.revoke_all(user.id)
        uow.commit()
    return user
