"""An in-memory unit of work with the AuthRepository's interface, for fast service tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from maadan.auth.model import StoredToken, User
from maadan.errors import Conflict


@dataclass
class Attempt:
    username: str
    client: str | None
    at: datetime
    success: bool


class FakeAuthRepository:
    def __init__(self):
        self.users_: dict[str, tuple[User, str]] = {}
        self.tokens: dict[str, StoredToken] = {}
        self.attempts: list[Attempt] = []

    def add_user(self, username, password_hash, role, organisation_id, created_at):
        if username in self.users_:
            raise Conflict("taken")
        user = User(len(self.users_) + 1, username, role, organisation_id, True, created_at)
        self.users_[username] = (user, password_hash)
        return user

    def user(self, username):
        found = self.users_.get(username)
        return found[0] if found else None

    def user_by_id(self, user_id):
        return next((u for u, _ in self.users_.values() if u.id == user_id), None)

    def credentials(self, username):
        return self.users_.get(username)

    def users(self):
        return [u for _, (u, _) in sorted(self.users_.items())]

    def usernames(self):
        return list(self.users_)

    def count_active_admins(self):
        return sum(1 for u, _ in self.users_.values() if u.role == "admin" and u.active)

    def set_active(self, user_id, active):
        for name, (u, h) in self.users_.items():
            if u.id == user_id:
                self.users_[name] = (replace(u, active=active), h)

    def set_password_hash(self, user_id, password_hash):
        for name, (u, _) in self.users_.items():
            if u.id == user_id:
                self.users_[name] = (u, password_hash)

    def add_token(self, token):
        self.tokens[token.token_hash] = token

    def token(self, token_hash):
        return self.tokens.get(token_hash)

    def token_and_user(self, token_hash):
        stored = self.tokens.get(token_hash)
        return None if stored is None else (stored, self.user_by_id(stored.user_id))

    def revoke(self, token_hash):
        t = self.tokens.get(token_hash)
        if t is None or t.revoked:
            return False
        self.tokens[token_hash] = replace(t, revoked=True)
        return True

    def revoke_all(self, user_id):
        hashes = [h for h, t in self.tokens.items() if t.user_id == user_id and not t.revoked]
        for h in hashes:
            self.revoke(h)
        return len(hashes)

    def add_attempt(self, username, client, at, success):
        self.attempts.append(Attempt(username, client, at, success))
        return len(self.attempts) - 1

    def mark_success(self, attempt_id):
        self.attempts[attempt_id].success = True

    def succeeded(self, since, *, username, client):
        return any(a.success and a.at >= since and a.username == username and a.client == client
                   for a in self.attempts)

    def failures(self, since, *, username=None, client=None):
        return sum(1 for a in self.attempts if not a.success and a.at >= since
                   and (username is None or a.username == username) and (client is None or a.client == client))


class FakeUnitOfWork:
    """Changes are kept on commit() and dropped on leaving the block without it."""

    def __init__(self):
        self.committed = FakeAuthRepository()
        self.commits = 0

    def __enter__(self):
        import copy

        self.auth = copy.deepcopy(self.committed)
        return self

    def __exit__(self, *exc):
        del self.auth

    def commit(self):
        self.committed = self.auth
        self.commits += 1
