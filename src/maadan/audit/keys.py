"""The authority's signing key: an Ed25519 private key in a PEM (PKCS #8) file that only its
owner can read. Created once, never overwritten; the public key is published beside it as a
verifier key (`<key file>.pub`) and served by the API."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from maadan.audit.note import VerifierKey, check_name
from maadan.errors import ConfigError, Conflict


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: object  # cryptography Ed25519PrivateKey
    public: VerifierKey


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def _raw_public(private_key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate(path: Path, name: str) -> VerifierKey:
    """Create a new key at `path` (mode 0600) and its public key at `path`.pub; refuses to
    overwrite either, since a lost key makes every past checkpoint unverifiable by the new one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    check_name(name)
    pub_path = public_path(path)
    for p in (path, pub_path):
        if p.exists() or p.is_symlink():
            raise Conflict(f"{p} already exists: Maadan never overwrites a signing key. Move it away first "
                           "if you really mean to replace it (old checkpoints stay verifiable only with the old "
                           "public key)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"cannot create the folder {path.parent}: {exc.strerror}") from None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:  # O_EXCL: never follows or replaces a file that appeared meanwhile; 0600 from the start
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise Conflict(f"{path} already exists: Maadan never overwrites a signing key") from None
    except OSError as exc:
        raise ConfigError(f"cannot write the key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = VerifierKey(name, _raw_public(key))
    with open(pub_path, "x", encoding="ascii") as f:
        f.write(public.vkey + "\n")
    return public


def load(path: Path, name: str) -> Signer:
    """The signer in the key file; ConfigError says what is wrong (missing, readable by others,
    not an Ed25519 private key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    check_name(name)
    if not path.exists():
        raise ConfigError(f"no signing key at {path} (MAADAN_REGISTER_KEY): create one with `maadan audit keygen`, "
                          "or point MAADAN_REGISTER_KEY at the authority's key file")
    if not path.is_file():
        raise ConfigError(f"the signing key {path} is not a file")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"the signing key {path} can be read by other users (mode {mode:04o}): "
                          f"run `chmod 600 {path}`")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the signing key {path}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"{path} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} holds a {type(key).__name__.removeprefix('_')}, not an Ed25519 key")
    return Signer(name, key, VerifierKey(name, _raw_public(key)))
