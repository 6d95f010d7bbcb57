"""Password policy and Argon2 hashing."""

import pytest
from argon2 import PasswordHasher

from maadan.auth import passwords
from maadan.errors import InvalidInput


@pytest.mark.parametrize("password, fragment", [
    ("short", "at least 12 characters long (got 5)"),
    ("x" * 1025, "at most 1024"),
    ("a" * 12, "one character repeated"),
    (" " * 14, "one character repeated or only spaces"),
    ("Hafsa.Khan.99", "must not be the username"),
])
def test_policy_names_the_rule(password, fragment):
    with pytest.raises(InvalidInput) as err:
        passwords.check_policy(password, "hafsa.khan.99")
    assert err.value.message.startswith("password: ") and fragment in err.value.message


def test_policy_accepts_a_long_passphrase():
    passwords.check_policy("correct horse battery", "hafsa")


def test_hash_and_verify():
    h = passwords.hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct" not in h
    assert passwords.verify_password(h, "correct horse battery")
    assert not passwords.verify_password(h, "correct horse batterY")
    assert not passwords.verify_password("not a hash", "correct horse battery")
    assert not passwords.needs_rehash(h)


def test_weaker_hashes_need_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    assert passwords.verify_password(weak, "correct horse battery")
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("garbage")
