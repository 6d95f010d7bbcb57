"""Signed checkpoints and keys: round trip, and the bad input the issue names (forged, truncated,
wrong key, missing or unsafe key file)."""

import os
from datetime import datetime, timezone

import pytest

from maadan.audit import keys, note
from maadan.audit.note import CheckpointError
from maadan.errors import ConfigError, Conflict

NAME = "cadastre.example.gov.pk/register"
ROOT = bytes(range(32))
WHEN = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "register-key.pem"
    keys.generate(path, NAME)
    return keys.load(path, NAME)


@pytest.fixture(scope="module")
def other(tmp_path_factory):
    path = tmp_path_factory.mktemp("other") / "k.pem"
    keys.generate(path, NAME)
    return keys.load(path, NAME)


def signed(signer, size=1000):
    return note.sign(note.checkpoint_text(NAME, size, ROOT, WHEN), NAME, signer.private_key)


def test_round_trip(signer):
    cp = signed(signer)
    assert cp.note.startswith(f"{NAME}\n1000\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\ntime 2026-12-01T10:00:00Z\n\n"
                              f"\u2014 {NAME} ")
    parsed = note.parse_checkpoint(cp.note)
    assert (parsed.origin, parsed.size, parsed.root, parsed.time) == (NAME, 1000, ROOT, WHEN)
    assert note.verify_checkpoint(parsed, signer.public) == parsed
    # The published key reads back to the same key; a Windows-saved copy still verifies.
    assert note.parse_vkey(signer.public.vkey + "\n") == signer.public
    note.verify_checkpoint(note.parse_checkpoint(cp.note.replace("\n", "\r\n").encode()), signer.public)


def test_forged_checkpoints_are_refused(signer):
    cp = signed(signer).note
    for forged in (cp.replace("\n1000\n", "\n999\n"), cp.replace("time 2026-12-01", "time 2026-12-02")):
        with pytest.raises(CheckpointError, match="altered or forged"):
            note.verify_checkpoint(note.parse_checkpoint(forged), signer.public)


def test_truncated_checkpoints_say_so(signer):
    cp = signed(signer).note
    cuts = {cp[:cp.index("\n\n") + 1]: "no signature", cp[:12]: "no signature", cp[:-1]: "cut off",
            cp.split("\n\n")[0][:-5] + "\n\n" + cp.split("\n\n")[1]: "line 4", "": "no signature"}
    for text, message in cuts.items():
        with pytest.raises(CheckpointError, match=message):
            note.parse_checkpoint(text)
    sig_line = cp.split("\n\n")[1]
    short = cp.split("\n\n")[0] + "\n\n" + sig_line[:-9] + "\n"  # the signature cut, its line still ended
    with pytest.raises(CheckpointError, match="truncated|not base64|canonical"):
        note.verify_checkpoint(note.parse_checkpoint(short), signer.public)


def test_a_checkpoint_from_another_key_is_refused(signer, other):
    with pytest.raises(CheckpointError, match="wrong or replaced key"):
        note.verify_checkpoint(note.parse_checkpoint(signed(other).note), signer.public)


@pytest.mark.parametrize("text, message", [
    ("x\nabc\nAAAA\n\n\u2014 x AAAA\n", "line 2"),
    (f"{NAME}\n10\nAAAA\n\n\u2014 x AAAAAAAA\n", "line 3: the root hash has 3 bytes"),
    (f"{NAME}\n10\n{'A' * 43}=\ntime tomorrow\n\n\u2014 x AAAAAAAA\n", "line 4: the time"),
    (f"{NAME}\n10\n{'A' * 43}=\n\n- x AAAAAAAA\n", "does not start with"),
    ("a\x00b\n\n", "control characters"),
    ("x" * 20_000, "a few hundred bytes"),
])
def test_malformed_checkpoints_name_the_line(text, message):
    with pytest.raises(CheckpointError, match=message):
        note.parse_checkpoint(text)


@pytest.mark.parametrize("text, message", [
    ("only-a-name", "one line"),
    (f"{NAME}+00000000+AQ==", "not an Ed25519 key"),
    (f"{NAME}+deadbeef+AQ{'A' * 42}", "does not match"),
    ("a b+00000000+AAAA", "without spaces"),
])
def test_bad_public_keys(text, message):
    with pytest.raises(CheckpointError, match=message):
        note.parse_vkey(text)


def test_key_files(tmp_path):
    path = tmp_path / "keys" / "register-key.pem"
    public = keys.generate(path, NAME)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert keys.public_path(path).read_text() == public.vkey + "\n"
    before = path.read_bytes()
    with pytest.raises(Conflict, match="never overwrites"):
        keys.generate(path, NAME)
    assert path.read_bytes() == before
    assert keys.load(path, NAME).public == public

    with pytest.raises(ConfigError, match="maadan audit keygen"):
        keys.load(tmp_path / "missing.pem", NAME)
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        keys.load(path, NAME)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    os.chmod(junk, 0o600)
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        keys.load(junk, NAME)


def test_a_key_whose_base64_holds_a_plus_reads_back():
    key = note.VerifierKey(NAME, b"\xfb" * 32)
    assert key.vkey.count("+") > 2
    assert note.parse_vkey(key.vkey) == key
