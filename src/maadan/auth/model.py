"""Users and roles in plain Python, the sign-in rate limit as a pure rule, and the errors
sign-in and permission checks raise.

Roles: an *applicant* acts for its own organisation only; an *officer* reviews, decides and
records payments; an *admin* manages users and rules and passes every role check. The public
has no account (a request without a user)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from maadan.errors import InvalidInput, MaadanError

ROLES = ("applicant", "officer", "admin")
TOKEN_KINDS = ("api", "session")

# Sign-in throttling, counted over the last WINDOW, built so that an attacker slows only themselves
# and can never lock a user out of the account:
# - MAX_FAILURES failures for one username from one client block that pair (the attacker's guesses
#   at one account from one address);
# - MAX_CLIENT_FAILURES failures from one client, whatever the usernames, block that client;
# - MAX_ACCOUNT_FAILURES failures for one username from anywhere block it only for clients that
#   have never signed in to it (a distributed guess at one account); a client that signed in to it
#   before (same address within KNOWN_FOR, or a browser holding the account's device cookie) goes on.
# Blocked attempts count as failures, so whoever keeps trying stays blocked; WINDOW is therefore
# the longest wait after the last attempt.
MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
MAX_ACCOUNT_FAILURES = 50
WINDOW = timedelta(minutes=15)
KNOWN_FOR = timedelta(days=30)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{2,63}$")


class AuthError(MaadanError):
    """The request could not be tied to an active account (no, bad or expired credentials)."""

    status = 401
    code = "unauthorized"
    exit_code = 6


class Forbidden(MaadanError):
    """The account is known but its role or organisation does not allow this."""

    status = 403
    code = "forbidden"
    exit_code = 6


class TooManyAttempts(MaadanError):
    """Too many failed sign-ins for a username or from a client within the window."""

    status = 429
    code = "too_many_requests"
    exit_code = 6

    def __init__(self, retry_after: timedelta = WINDOW):
        self.retry_after_s = int(retry_after.total_seconds())
        minutes = max(1, self.retry_after_s // 60)
        super().__init__(f"too many failed sign-in attempts; try again in {minutes} minutes",
                         details={"retry_after_s": self.retry_after_s})


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    organisation_id: str | None
    active: bool = True
    created_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> str:
        """How this user is named in the audit chain."""
        return f"user:{self.username}"

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of `roles`; an admin holds them all."""
        return self.is_admin or self.role in roles

    def can_act_for(self, organisation_id: str | None) -> bool:
        """Officers and admins act for anyone; an applicant only for its own organisation."""
        if self.role in ("officer", "admin"):
            return True
        return organisation_id is not None and organisation_id == self.organisation_id


@dataclass(frozen=True)
class StoredToken:
    """A token as the store keeps it: only the SHA-256 of the secret, never the secret."""

    token_hash: str
    user_id: int
    kind: str
    created_at: datetime
    expires_at: datetime
    revoked: bool = False
    csrf_token: str | None = None

    def usable(self, now: datetime) -> bool:
        return not self.revoked and now < self.expires_at


def normalise_username(username: str) -> str:
    """The stored form of a username (trimmed, lower case); InvalidInput when it cannot be one."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidInput(
            f"username {username!r}: use 3 to 64 characters, letters, digits and . _ @ + - "
            "(starting with a letter or digit)", details={"field": "username"})
    return name


def check_role(role: str, organisation_id: str | None) -> tuple[str, str | None]:
    """Validate a role and its organisation; returns them normalised."""
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise InvalidInput(f"role {role!r}: must be one of {', '.join(ROLES)}", details={"field": "role"})
    org = (organisation_id or "").strip() or None
    if org is not None and len(org) > 80:
        raise InvalidInput("organisation: at most 80 characters", details={"field": "organisation_id"})
    if role == "applicant" and org is None:
        raise InvalidInput("organisation: an applicant account must belong to an organisation "
                           "(give its organisation id)", details={"field": "organisation_id"})
    return role, org


@dataclass(frozen=True)
class RecentFailures:
    """Failed sign-ins within WINDOW, as the throttling rule counts them."""

    pair: int  # this username from this client
    client: int  # from this client, any username
    account: int  # this username, from any client
    known_client: bool  # the client signed in to this account before (address or device cookie)


def sign_in_blocked(f: RecentFailures) -> bool:
    """The throttling rule (see MAX_FAILURES): True when this attempt must wait."""
    if f.pair >= MAX_FAILURES or f.client >= MAX_CLIENT_FAILURES:
        return True
    return f.account >= MAX_ACCOUNT_FAILURES and not f.known_client
