"""Password policy and Argon2 hashing."""

import pytest
from argon2 import PasswordHasher

from maadan.auth import passwords
from maadan.errors import ConfigError, InvalidInput


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
