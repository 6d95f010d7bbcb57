"""Account profiles, e-mails in the outbox, and their rules, in plain Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from maadan.errors import InvalidInput, MaadanError

RESET_KIND = "reset"  # the kind of an auth token that resets a password (auth_token.kind)
RESET_TTL = timedelta(hours=1)
# Reset requests, counted over RESET_WINDOW: a client may ask RESET_PER_CLIENT times and one
# identifier (the username or address typed, known or not) may be asked for RESET_PER_IDENTIFIER
# times; past either the answer is 429, the same whether an account has it or not. Refused requests
# are not counted, so the window is the longest wait. On top, an account gets at most
# RESET_LINKS_PER_ACCOUNT links a window, silently (the answer stays "on its way"): the links it
# already has still work, so nobody can flood a mailbox or keep its owner from resetting.
RESET_WINDOW = timedelta(hours=1)
RESET_PER_CLIENT = 10
RESET_PER_IDENTIFIER = 5
RESET_LINKS_PER_ACCOUNT = 3
CLAIM_FOR = timedelta(minutes=5)  # a dispatcher's hold on a mail it is sending
MAX_ATTEMPTS = 8
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")


class TooManyResetRequests(MaadanError):
    """Too many password-reset requests from this client or for this identifier within RESET_WINDOW."""

    status = 429
    code = "too_many_requests"
    exit_code = 6

    def __init__(self, retry_after_s: int):
        self.retry_after_s = max(1, int(retry_after_s))
        minutes = max(1, -(-self.retry_after_s // 60))
        super().__init__(f"too many password-reset requests; try again in {minutes} minutes",
                         details={"retry_after_s": self.retry_after_s})
        self.headers = {"Retry-After": str(self.retry_after_s)}


@dataclass(frozen=True)
class Profile:
    """What the portal keeps about an account beside its credentials. An account without a stored
    profile (made by an admin) is confirmed, without e-mail."""

    user_id: int
    email: str | None = None
    email_opt_out: bool = False
    organisation_confirmed: bool = True
    proposed_organisation: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    registered_at: datetime | None = None

    @property
    def gets_email(self) -> bool:
        return bool(self.email) and not self.email_opt_out


@dataclass
class Mail:
    id: int | None
    user_id: int | None
    address: str
    subject: str
    body: str
    kind: str
    created_at: datetime
    next_attempt_at: datetime
    link: str | None = None
    notice_id: int | None = None
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    claimed_until: datetime | None = None

    @property
    def state(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "given up" if self.attempts >= MAX_ATTEMPTS else "waiting"


def check_email(address: str | None, *, required: bool = False) -> str | None:
    """The address normalised (trimmed; the domain in lower case), None when empty and not required;
    InvalidInput naming the field otherwise."""
    value = (address or "").strip()
    if not value:
        if required:
            raise InvalidInput("email: give an e-mail address", details={"field": "email"})
        return None
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput(f"email {value[:80]!r} is not an e-mail address (name@example.org)",
                           details={"field": "email"})
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def one_line(text: str, limit: int = 200) -> str:
    """Text safe for a mail header: one line, at most `limit` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most 4 hours."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), timedelta(hours=4))
