"""A backup's seal: the register's signed checkpoint at the time of the backup, with one more
signed line naming the backup file by its SHA-256, its size and its format:

    maadan.local/register
    1234
    <root hash, base64>
    time 2026-12-04T03:00:00Z
    backup sqlite 81920 sha256:<hex>

    — maadan.local/register <signature>

It is an ordinary C2SP checkpoint (the extra line is an extension line the signature covers), so
any checkpoint verifier accepts it; `maadan db restore` also checks that the file is the one
sealed, before it writes anything, and that the restored register extends the checkpoint."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from maadan.audit import note
from maadan.audit.keys import Signer
from maadan.audit.model import StoredCheckpoint
from maadan.errors import InvalidInput

FORMATS = ("sqlite", "pg_dump")
_LINE = re.compile(r"^backup (sqlite|pg_dump) ([0-9]{1,15}) sha256:([0-9a-f]{64})$")


class BackupRefused(InvalidInput):
    """A backup that cannot be restored as it is: missing or altered seal, altered file, wrong key."""

    code = "backup_refused"


@dataclass(frozen=True)
class Seal:
    checkpoint: note.Checkpoint
    kind: str
    size: int
    sha256: str

    @property
    def note(self) -> str:
        return self.checkpoint.note


def digest(path: Path) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex) of a file, read in blocks."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def seal(signer: Signer, cp: StoredCheckpoint, kind: str, path: Path) -> Seal:
    """Sign the checkpoint `cp` again with the line naming the backup file at `path`."""
    if kind not in FORMATS:
        raise ValueError(kind)
    size, sha = digest(path)
    text = note.checkpoint_text(cp.origin, cp.tree_size, bytes.fromhex(cp.root_hash), cp.signed_at)
    signed = note.sign(f"{text}backup {kind} {size} sha256:{sha}\n", signer.name, signer.private_key)
    return Seal(signed, kind, size, sha)


def read(seal_text: bytes, key: note.VerifierKey, where: str) -> Seal:
    """The seal in `seal_text`, if `key` signed it; BackupRefused says what is wrong."""
    try:
        cp = note.verify_checkpoint(note.parse_checkpoint(seal_text), key)
    except note.CheckpointError as exc:
        raise BackupRefused(f"{where}: {exc.message}") from None
    found = [m for m in (_LINE.match(line) for line in cp.text.split("\n")) if m]
    if len(found) != 1:
        raise BackupRefused(f"{where}: a signed checkpoint, but not a backup's seal (no 'backup' line): "
                            "pass the .checkpoint file written by `maadan db backup`")
    kind, size, sha = found[0].groups()
    return Seal(cp, kind, int(size), sha)


def check_file(s: Seal, path: Path) -> None:
    """BackupRefused unless `path` is byte for byte the file the seal names."""
    size, sha = digest(path)
    if size != s.size or sha != s.sha256:
        raise BackupRefused(
            f"{path} is not the file its seal names ({size:,} bytes, sha256 {sha[:16]}…; sealed: {s.size:,} "
            f"bytes, sha256 {s.sha256[:16]}…): it was altered, truncated or replaced. Nothing was restored")
