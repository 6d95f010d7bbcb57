"""Password policy and Argon2 hashing."""

import pytest
from argon2 import PasswordHasher

from maadan.auth import passwords
from maadan.errors import ConfigError, InvalidInput


@pytest.mark.parametrize("password, fragment", [
    ("short", "at least 15 characters long (got 5)"),
    ("password1234", "at least 15 characters long (got 12)"),  # the audit's example
    ("x" * 1025, "at most 1024"),
    ("a" * 16, "one character repeated"),
    (" " * 16, "one character repeated or only spaces"),
    (" " * 15 + "x", "fewer than 5 different characters"),  # the audit's "spaces and an x", made long
    ("abababababababab", "fewer than 5 different characters"),
    ("Hafsa.Khan.99.1984", "must not be the username"),
    ("hafsa.khan.99.1984x", "the username or words tied to this service"),
    ("1q2w3e4r5t6y7u8i", "one of the most common passwords"),  # in the bundled list as it is
    ("Password12345678", "with digits or symbols added"),
    ("iloveyou12345678!", "with digits or symbols added"),
    ("passwordpassword", "with digits or symbols added"),
    ("123456789012345", "sequential or repeated"),
    ("zyxwvutsrqponmlk", "with digits or symbols added"),
    ("qwertyuiopasdfgh", "with digits or symbols added"),
    ("Maadan officer 2026!", "words tied to this service"),
])
def test_policy_names_the_rule(password, fragment):
    with pytest.raises(InvalidInput) as err:
        passwords.check_policy(password, "hafsa.khan.99.1984")
    assert err.value.message.startswith("password: ") and fragment in err.value.message


@pytest.mark.parametrize("password", ["correct horse battery", "a long enough passphrase", "Lahore-river-sunset-42",
                                      "گوادر کی ہوا اور سمندر", "tr0ub4dor&3 staple horse"])
def test_policy_accepts_a_long_passphrase(password):
    passwords.check_policy(password, "hafsa")


def test_the_bundled_list_is_the_cited_one():
    common = passwords.common_passwords()
    assert len(common) == 19_640 and "password" in common and "123456" in common
    assert all(p == p.lower() for p in common)


def test_hash_and_verify(monkeypatch):
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "standard")
    h = passwords.hash_password("correct horse battery")
    assert "$m=65536,t=3,p=4$" in h
    assert h.startswith("$argon2id$") and "correct" not in h
    assert passwords.verify_password(h, "correct horse battery")
    assert not passwords.verify_password(h, "correct horse batterY")
    assert not passwords.verify_password("not a hash", "correct horse battery")
    assert not passwords.needs_rehash(h)


def test_weaker_hashes_need_rehash(monkeypatch):
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "standard")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    assert passwords.verify_password(weak, "correct horse battery")
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("garbage")


def test_fast_hashing_is_a_setting_for_tests_and_refused_in_production(monkeypatch):
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "fast-insecure")
    h = passwords.hash_password("correct horse battery")
    assert "$m=8,t=1,p=1$" in h and passwords.verify_password(h, "correct horse battery")
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "standard")
    assert passwords.verify_password(h, "correct horse battery") and passwords.needs_rehash(h)
    monkeypatch.setenv("MAADAN_PASSWORD_HASHING", "fast-insecure")
    monkeypatch.setenv("MAADAN_ENV", "prod")
    with pytest.raises(ConfigError) as err:
        passwords.hash_password("correct horse battery")
    assert "refused when MAADAN_ENV=prod" in err.value.message
