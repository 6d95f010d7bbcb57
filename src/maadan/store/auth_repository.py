"""Persistence of accounts, tokens and sign-in attempts. No commits here."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from maadan.auth.model import StoredToken, User
from maadan.errors import Conflict
from maadan.store import auth_tables as t


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything Maadan stores is UTC.
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _user(r) -> User:
    return User(id=r.id, username=r.username, role=r.role, organisation_id=r.organisation_id,
                active=bool(r.active), created_at=_utc(r.created_at))


def _stored_token(r) -> StoredToken:
    return StoredToken(token_hash=r.token_hash, user_id=r.user_id, kind=r.kind, csrf_token=r.csrf_token,
                       created_at=_utc(r.created_at), expires_at=_utc(r.expires_at), revoked=bool(r.revoked))


class AuthRepository:
    def __init__(self, session: Session):
        self.s = session

    # --- users ---------------------------------------------------------------------------------
    def add_user(self, username: str, password_hash: str, role: str, organisation_id: str | None,
                 created_at: datetime) -> User:
        try:
            user_id = self.s.execute(insert(t.app_user).values(
                username=username, password_hash=password_hash, role=role, organisation_id=organisation_id,
                active=True, created_at=_utc(created_at),
            ).returning(t.app_user.c.id)).scalar_one()
        except IntegrityError:  # a concurrent create took the name between check and insert
            raise Conflict(f"username {username!r} is taken", details={"field": "username"}) from None
        return User(id=user_id, username=username, role=role, organisation_id=organisation_id,
                    active=True, created_at=_utc(created_at))

    def user(self, username: str) -> User | None:
        r = self.s.execute(select(t.app_user).where(t.app_user.c.username == username)).first()
        return _user(r) if r else None

    def user_by_id(self, user_id: int) -> User | None:
        r = self.s.execute(select(t.app_user).where(t.app_user.c.id == user_id)).first()
        return _user(r) if r else None

    def credentials(self, username: str) -> tuple[User, str] | None:
        """The user and its password hash, or None."""
        r = self.s.execute(select(t.app_user).where(t.app_user.c.username == username)).first()
        return (_user(r), r.password_hash) if r else None

    def users(self) -> list[User]:
        return [_user(r) for r in self.s.execute(select(t.app_user).order_by(t.app_user.c.username))]

    def usernames(self) -> list[str]:
        return list(self.s.execute(select(t.app_user.c.username)).scalars())

    def count_active_admins(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(t.app_user).where(
            t.app_user.c.role == "admin", t.app_user.c.active.is_(True))).scalar_one())

    def set_active(self, user_id: int, active: bool) -> None:
        self.s.execute(update(t.app_user).where(t.app_user.c.id == user_id).values(active=active))

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.s.execute(update(t.app_user).where(t.app_user.c.id == user_id).values(password_hash=password_hash))

    # --- tokens --------------------------------------------------------------------------------
    def add_token(self, token: StoredToken) -> None:
        self.s.execute(insert(t.auth_token).values(
            token_hash=token.token_hash, user_id=token.user_id, kind=token.kind, csrf_token=token.csrf_token,
            created_at=_utc(token.created_at), expires_at=_utc(token.expires_at), revoked=token.revoked))

    def token(self, token_hash: str) -> StoredToken | None:
        r = self.s.execute(select(t.auth_token).where(t.auth_token.c.token_hash == token_hash)).first()
        return None if r is None else _stored_token(r)

    def token_and_user(self, token_hash: str) -> tuple[StoredToken, User | None] | None:
        """The stored token and its user (None for a user gone), or None: in one statement, since
        every request with a token or a session cookie asks it."""
        u = t.app_user
        r = self.s.execute(select(t.auth_token, u.c.username, u.c.role, u.c.organisation_id, u.c.active,
                                  u.c.created_at.label("user_created_at"))
                           .join_from(t.auth_token, u, u.c.id == t.auth_token.c.user_id, isouter=True)
                           .where(t.auth_token.c.token_hash == token_hash)).first()
        if r is None:
            return None
        user = None if r.username is None else User(
            id=r.user_id, username=r.username, role=r.role, organisation_id=r.organisation_id, active=bool(r.active),
            created_at=_utc(r.user_created_at))
        return _stored_token(r), user

    def revoke(self, token_hash: str) -> bool:
        done = self.s.execute(update(t.auth_token).where(t.auth_token.c.token_hash == token_hash,
                                                         t.auth_token.c.revoked.is_(False)).values(revoked=True))
        return bool(done.rowcount)

    def revoke_all(self, user_id: int) -> int:
        done = self.s.execute(update(t.auth_token).where(t.auth_token.c.user_id == user_id,
                                                         t.auth_token.c.revoked.is_(False)).values(revoked=True))
        return int(done.rowcount or 0)

    # --- sign-in attempts ----------------------------------------------------------------------
    def add_attempt(self, username: str, client: str | None, at: datetime, success: bool) -> int:
        return self.s.execute(insert(t.login_attempt).values(
            username=username, client=client, at=_utc(at), success=success,
        ).returning(t.login_attempt.c.id)).scalar_one()

    def mark_success(self, attempt_id: int) -> None:
        self.s.execute(update(t.login_attempt).where(t.login_attempt.c.id == attempt_id).values(success=True))

    def failures(self, since: datetime, *, username: str | None = None, client: str | None = None) -> int:
        """Failed attempts since `since` for `username` or (when given) from `client`."""
        a = t.login_attempt
        q = select(func.count()).select_from(a).where(a.c.success.is_(False), a.c.at >= _utc(since))
        if username is not None:
            q = q.where(a.c.username == username)
        if client is not None:
            q = q.where(a.c.client == client)
        return int(self.s.execute(q).scalar_one())

    def succeeded(self, since: datetime, *, username: str, client: str) -> bool:
        """True when `username` signed in successfully from `client` since `since`."""
        a = t.login_attempt
        q = select(a.c.id).where(a.c.success.is_(True), a.c.at >= _utc(since), a.c.username == username,
                                 a.c.client == client).limit(1)
        return self.s.execute(q).first() is not None

    # --- housekeeping --------------------------------------------------------------------------
    def prune(self, tokens_before: datetime, attempts_before: datetime) -> int:
        """Delete revoked tokens, tokens expired before `tokens_before` and attempts older than `attempts_before`."""
        n = self.s.execute(delete(t.auth_token).where(or_(
            t.auth_token.c.expires_at < _utc(tokens_before), t.auth_token.c.revoked.is_(True)))).rowcount or 0
        n += self.s.execute(delete(t.login_attempt).where(t.login_attempt.c.at < _utc(attempts_before))).rowcount or 0
        return int(n)


REPOSITORIES = {"auth": AuthRepository}  # collected by store/uow.py
