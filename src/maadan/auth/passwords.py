"""Password hashing (Argon2id through argon2-cffi, its RFC 9106 defaults) and the password policy.

The policy follows NIST SP 800-63B revision 4 (2025), §3.1.1.2, for passwords that are the only
factor: at least 15 characters, any characters (spaces and Unicode included), up to 1,024; no
composition rules; and a blocklist: the 19,640 most common passwords (data/passwords, with its
source), simple variants of them (a common password or context word with digits or symbols
added, repeated, or reversed), repetitive or sequential characters, and context-specific words
(the username, the service's name).

The hashing cost is the MAADAN_PASSWORD_HASHING setting: test suites use cheap parameters."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from maadan.config import password_hashing
from maadan.errors import InvalidInput

MIN_LENGTH = 15  # NIST SP 800-63B-4 §3.1.1.2: 15 for a password used as the only factor
MAX_LENGTH = 1024  # hashing cost grows with length: refuse megabyte "passwords"
MIN_DISTINCT = 5  # fewer different characters is a repetition ("            x", "abababababababab")
CONTEXT_WORDS = ("maadan", "madan", "password", "passphrase", "mineral", "minerals", "cadastre", "licence",
                 "license", "admin", "officer", "applicant", "pakistan", "balochistan", "rekodiq")
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn",
             "1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujmikolp")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


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


@cache
def common_passwords() -> frozenset[str]:
    """The bundled blocklist (data/passwords/common-passwords.txt; PROVENANCE.md there)."""
    text = (resources.files("maadan") / "data" / "passwords" / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _sequential(text: str) -> bool:
    """Mostly a run along the alphabet, the digits or a keyboard row, either way, or a repetition."""
    core = text.replace(" ", "")
    if len(core) < 4:
        return False
    for seq in SEQUENCES:
        for run in (seq, seq[::-1]):
            if core in run * 3:
                return True
    for size in range(1, len(core) // 2 + 1):  # one short unit repeated: "abcabcabcabcabc"
        if len(core) % size == 0 and core == core[:size] * (len(core) // size):
            return True
    return False


def _blocked_word(password: str, username: str | None) -> str | None:
    """Why the password is a common password or context word dressed up, or None."""
    common = common_passwords()
    low = unicodedata.normalize("NFKC", password).strip().lower()
    squeezed = low.replace(" ", "")
    words = set(CONTEXT_WORDS) | ({username.lower(), _NOT_LETTERS.sub("", username.lower())} if username else set())
    if low in common or squeezed in common or low[::-1] in common:
        return "is one of the most common passwords"
    letters = _NOT_LETTERS.sub("", low)
    if squeezed in words:
        return "is the username or a word tied to this service"
    for base in {letters, _NOT_LETTERS.sub("", squeezed.rstrip("0123456789!@#$%^&*.?-_+= "))} - {""}:
        if base in common or base in words or _sequential(base):
            return "is a common password, the username or a word tied to this service with digits or symbols added"
        half = len(base) // 2
        if half and base[:half] == base[half:2 * half] and base[:half] in common | words:
            return "repeats a common password"
    rest = letters
    for word in sorted((w for w in words if len(w) >= 4), key=len, reverse=True):
        rest = rest.replace(word, "")
    if rest != letters and len(rest) < 6:
        return "is the username or words tied to this service with a few characters added"
    if _sequential(squeezed):
        return "is a run of sequential or repeated characters"
    return None


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
    if len(set(password.lower())) < MIN_DISTINCT:
        raise InvalidInput(f"password: uses fewer than {MIN_DISTINCT} different characters; choose a passphrase "
                           "of several words", details={"field": "password"})
    why = _blocked_word(password, username)
    if why:
        raise InvalidInput(f"password: {why}; choose a passphrase of several unrelated words",
                           details={"field": "password"})


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
