"""Signed checkpoints in the C2SP formats: a checkpoint (c2sp.org/tlog-checkpoint) is a signed
note (c2sp.org/signed-note) whose text is the register's name (its origin), the tree size and the
root hash in base64, here followed by one extension line with the signing time:

    maadan.local/register
    1000000
    Ui8vC3VBz0kQ3aKqvXwH6Q7n5dGPuEJbV0gVZ0h8cHE=
    time 2026-12-01T10:00:00Z

    — maadan.local/register AbCd…(base64 of 4-byte key id and 64-byte Ed25519 signature)

The signature covers the text up to and including its last newline. The key id is the first 4
bytes of SHA-256(key name || 0x0A || 0x01 || public key); a verifier key ("vkey") is
<name>+<key id hex>+<base64(0x01 || public key)>.

Only the standard library and `cryptography`: the standalone verifier imports this module."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from maadan.errors import InvalidInput

ED25519 = 0x01
DASH = "\u2014 "  # em dash and a space open a signature line
MAX_NOTE_BYTES = 16_384
MAX_SIGNATURES = 100
_NAME = re.compile(r"^[^\s+]+$")  # non-empty, no spaces, no plus (the signed-note rule for key names)
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,18})$")


class CheckpointError(InvalidInput):
    """A checkpoint or key that cannot be trusted: malformed, truncated, forged or from another key."""

    code = "invalid_checkpoint"


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError(f"{what} is not base64") from None
    if base64.b64encode(raw).decode() != text:
        raise CheckpointError(f"{what} is not in canonical base64")
    return raw


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise CheckpointError(f"the register name {name!r} must be non-empty, without spaces or '+'")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    public_key: bytes  # raw 32-byte Ed25519 key

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + self.public_key).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_vkey(text: str) -> VerifierKey:
    """A verifier key from its text form; CheckpointError says which part is wrong."""
    line = text.strip()
    parts = line.split("+", 2)  # the base64 key may itself hold "+"
    if len(parts) != 3:
        raise CheckpointError("a public key has the form <name>+<key id>+<base64 key> (one line)")
    name, kid, b64 = parts
    check_name(name)
    raw = _b64decode(b64, "the public key")
    if len(raw) != 33 or raw[0] != ED25519:
        raise CheckpointError("the public key is not an Ed25519 key (type byte 0x01 and 32 bytes)")
    key = VerifierKey(name, raw[1:])
    if kid != key.key_id.hex():
        raise CheckpointError(f"the public key's id {kid} does not match its name and key ({key.key_id.hex()})")
    return key


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint. Nothing in it is trustworthy until `verify_checkpoint` has passed."""

    origin: str
    size: int
    root: bytes
    time: datetime | None
    text: str  # the signed text, ending with a newline
    signatures: tuple[Signature, ...]

    @property
    def note(self) -> str:
        """The whole signed note, as served and kept."""
        return self.text + "\n" + "".join(
            f"{DASH}{s.name} {base64.b64encode(s.key_id + s.signature).decode()}\n" for s in self.signatures)


def format_time(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkpoint_text(origin: str, size: int, root: bytes, time: datetime) -> str:
    check_name(origin)
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {format_time(time)}\n"


def sign(text: str, name: str, private_key) -> Checkpoint:
    """Sign a checkpoint text with an Ed25519 private key (a `cryptography` key object)."""
    from cryptography.hazmat.primitives import serialization

    public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    sig = Signature(check_name(name), key_id(name, public), private_key.sign(text.encode()))
    return parse_checkpoint(text + "\n" + f"{DASH}{name} {base64.b64encode(sig.key_id + sig.signature).decode()}\n")


def parse_checkpoint(note: str | bytes) -> Checkpoint:
    """Parse a signed checkpoint; CheckpointError names the line at fault (a truncated file lacks
    its signature or its root)."""
    if isinstance(note, bytes):
        if len(note) > MAX_NOTE_BYTES:
            raise CheckpointError(f"a checkpoint is a few hundred bytes; this is {len(note):,}")
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError(f"the checkpoint is not UTF-8 text (byte {exc.start})") from None
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise CheckpointError(f"a checkpoint is a few hundred bytes; this is {len(note.encode()):,}")
    note = note.replace("\r\n", "\n")  # saved on Windows: the signature covers the text with LF
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise CheckpointError("the checkpoint holds control characters")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise CheckpointError("no signature: a checkpoint ends with a blank line and a line starting with "
                              "'\u2014 ' (the file is truncated or not a checkpoint)")
    text, sig_block = note[:cut + 1], note[cut + 2:]
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        what = ("the tree size (line 2)", "the root hash (line 3)")[len(lines) - 1] if lines[0] else "the name (line 1)"
        raise CheckpointError(f"the checkpoint text stops before {what}: it is truncated")
    origin, size_s, root_s = lines[:3]
    if not origin:
        raise CheckpointError("line 1: the register name is empty")
    if not _SIZE.match(size_s):
        raise CheckpointError(f"line 2: the tree size {size_s[:40]!r} is not a whole number")
    root = _b64decode(root_s, "line 3: the root hash")
    if len(root) != 32:
        raise CheckpointError(f"line 3: the root hash has {len(root)} bytes, not 32")
    time = None
    for i, ext in enumerate(lines[3:], 4):
        if not ext:
            raise CheckpointError(f"line {i} is empty")
        if ext.startswith("time "):
            try:
                time = datetime.strptime(ext[5:], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            except ValueError:
                raise CheckpointError(f"line {i}: the time {ext[5:45]!r} is not YYYY-MM-DDTHH:MM:SSZ") from None
    if not sig_block.endswith("\n"):
        raise CheckpointError("the last signature line is cut off (no final newline): the file is truncated")
    sigs = []
    for j, line in enumerate(sig_block[:-1].split("\n"), 1):
        if not line.startswith(DASH):
            raise CheckpointError(f"signature line {j} does not start with '\u2014 '")
        try:
            name, b64 = line[len(DASH):].split(" ")
        except ValueError:
            raise CheckpointError(f"signature line {j} is not '\u2014 <name> <signature>'") from None
        raw = _b64decode(b64, f"signature line {j}")
        if len(raw) < 5:
            raise CheckpointError(f"signature line {j} is too short to hold a key id and a signature")
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if len(sigs) > MAX_SIGNATURES:
        raise CheckpointError(f"more than {MAX_SIGNATURES} signatures")
    return Checkpoint(origin, int(size_s), root, time, text, tuple(sigs))


def verify_checkpoint(cp: Checkpoint, key: VerifierKey) -> Checkpoint:
    """The checkpoint, if `key` signed it; else CheckpointError says whether another key signed it
    (wrong key) or the signature does not match the text (forged or altered)."""
    if cp.origin != key.name:
        raise CheckpointError(f"the checkpoint is of the register {cp.origin!r}, the key is {key.name!r}'s")
    mine = [s for s in cp.signatures if s.name == key.name and s.key_id == key.key_id]
    if not mine:
        others = ", ".join(f"{s.name} (key id {s.key_id.hex()})" for s in cp.signatures)
        raise CheckpointError(f"the checkpoint is not signed by the key {key.name} (key id {key.key_id.hex()}); "
                              f"it is signed by {others}: a wrong or replaced key")
    if len(mine[0].signature) != 64:
        raise CheckpointError(f"the signature is {len(mine[0].signature)} bytes, not 64: the checkpoint is "
                              "truncated or damaged")
    if not key.verify(cp.text.encode(), mine[0].signature):
        raise CheckpointError("the signature does not match the checkpoint's text: it was altered or forged")
    return cp
