"""Password hashing (Argon2id through argon2-cffi, its RFC 9106 defaults) and the password policy.
The cost is the MAADAN_PASSWORD_HASHING setting: test suites use cheap parameters."""

from __future__ import annotations

import dataclasses
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from maadan.config import password_hashing
from maadan.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing cost grows with length: refuse megabyte "passwords"


# fast-insecure: argon2-cffi's cheapest parameters with a full-length salt and hash.
_PARAMETERS = {"standard": profiles.RFC_9106_LOW_MEMORY,
               "fast-insecure": dataclasses.replace(profiles.CHEAPEST, salt_len=16, hash_len=32)}


def _hasher() -> PasswordHasher:
    return _hasher_for(password_hashing())


@cache
def _hasher_for(cost: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(_PARAMETERS[cost])


@cache
def _dummy_hash(cost: str) -> str:
    return _hasher_for(cost).hash("maadan: a password nobody has")


def check_policy(password: str, username: str | None = None) -> None:
    """Raise InvalidInput, naming the rule, when `password` may not be used."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        got = len(password) if isinstance(password, str) else 0
        raise InvalidInput(f"password: must be at least {MIN_LENGTH} characters long (got {got})",
                           details={"field": "password"})
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"password: must be at most {MAX_LENGTH} characters long", details={"field": "password"})
    if not password.strip() or len(set(password)) == 1:
        raise InvalidInput("password: must not be one character repeated or only spaces",
                           details={"field": "password"})
    if username and password.strip().lower() == username.strip().lower():
        raise InvalidInput("password: must not be the username", details={"field": "password"})


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False for a wrong password or an unreadable hash."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's (rehash on next sign-in)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def spend_verify_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown username costs as long as a wrong password."""
    verify_password(_dummy_hash(password_hashing()), password)
