"""The public register's downloads kept as files. Building one reads every title or application
(at 100,000 titles: 16 s and 500 MB for a GeoJSON of 74 MB), and anyone may ask for it, so each
file (layer, format, jurisdiction) is built once per state of the register, with a gzip copy, into
`<data dir>/downloads`, and then sent from disk until the register moves: every change to the data
moves the register's sequence (http/conditional.py), and the next request builds the file again.
A state is the sequence and the chain hash of its last event, which covers every event before it:
a database restored from a backup, or another database with the same data folder, that reaches the
same sequence by other events has another hash, so it never gets this one's files.

The file's name is made of checked parts only: a layer and a format from public_exports' closed
lists, a jurisdiction code matched in full, the sequence and feature count (integers) and the hash
(hex). A build writes a temporary file in the same folder and renames it into place, so a reader in
another process sees the whole file or none. Within a process one build of a file runs at a time;
the others wait for it and send what it made. A file of an earlier state is removed when a newer one
is built, once it has gone a minute unused (a file found is touched, so that a request sending it
does not lose it between finding and opening it)."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from zlib_ng import gzip_ng

from maadan.cadastre import public_exports
from maadan.errors import NotFound
from maadan.http.compression import LEVEL

JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,4})?")
NAME = re.compile(r"(?P<seq>[0-9]+)-(?P<head>[0-9a-f]{16})-(?P<stem>[a-z]+-(?:all|[A-Z]{2}(?:-[A-Z0-9]{1,4})?))"
                  r"-(?P<features>[0-9]+)")
HEX = re.compile(r"[0-9a-f]{16,}")
GRACE_S = 60  # how long a replaced file stays for readers that found it just before

_guard = threading.Lock()
_building: dict[str, threading.Lock] = {}


@dataclass(frozen=True)
class Kept:
    path: Path  # the file as built
    gzipped: Path  # its gzip copy
    name: str  # the name the user is given (Content-Disposition)
    media_type: str
    features: int


def check(layer: str, fmt: str, jurisdiction: str | None) -> str:
    """The file's stem (`titles-PK-BA`, `applications-all`); NotFound for anything not on the lists."""
    if layer not in public_exports.LAYERS or fmt not in public_exports.FORMATS:
        raise NotFound("download", f"{layer}.{fmt}: give titles or applications as .csv, .geojson or .gpkg")
    if jurisdiction is not None and not JURISDICTION.fullmatch(jurisdiction):
        raise NotFound("jurisdiction", jurisdiction)
    return f"{layer}-{jurisdiction or 'all'}"


def _lock(key: str) -> threading.Lock:
    with _guard:
        return _building.setdefault(key, threading.Lock())


def _found(folder: Path, sequence: int, head: str, stem: str, fmt: str) -> tuple[Path, int] | None:
    if not folder.is_dir():
        return None
    for entry in os.scandir(folder):
        base, dot, ext = entry.name.partition(".")
        m = NAME.fullmatch(base)
        if m and ext == fmt and m["stem"] == stem and int(m["seq"]) == sequence and m["head"] == head:
            path = Path(entry.path)
            try:
                os.utime(path)  # in use: not pruned for a minute
                os.utime(_gz(path))
            except FileNotFoundError:  # pruned by another process just now: built again
                return None
            return path, int(m["features"])
    return None


def _prune(folder: Path, stem: str, fmt: str, keep: Path) -> None:
    """Other files of this stem and format, once unused for the grace period."""
    now = time.time()
    for entry in os.scandir(folder):
        base, _, ext = entry.name.partition(".")
        m = NAME.fullmatch(base)
        path = Path(entry.path)
        if m and m["stem"] == stem and ext in (fmt, fmt + ".gz") and path not in (keep, _gz(keep)):
            try:
                if now - entry.stat().st_mtime > GRACE_S:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass


def _gz(path: Path) -> Path:
    return path.with_name(path.name + ".gz")


def _write(target: Path, body: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".building-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def kept(folder: Path, sequence: int, chain_hash: str | None, layer: str, fmt: str, jurisdiction: str | None,
         build: Callable[[], public_exports.Download]) -> Kept:
    """The download's file at this state of the register (its sequence and the chain hash of that
    event; None for an empty register), built by `build` when there is none yet."""
    stem = check(layer, fmt, jurisdiction)
    head = (chain_hash or "0" * 16)[:16].lower()
    if not HEX.fullmatch(head):
        raise ValueError(f"download_files.kept: a chain hash is hex, not {chain_hash!r}")
    name = f"maadan-{layer}{'-' + jurisdiction if jurisdiction else ''}.{fmt}"
    media_type = public_exports.FORMATS[fmt]
    with _lock(f"{stem}.{fmt}"):
        found = _found(folder, sequence, head, stem, fmt)
        if found is not None and _gz(found[0]).exists():
            return Kept(found[0], _gz(found[0]), name, media_type, found[1])
        d = build()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{int(sequence)}-{head}-{stem}-{int(d.features)}.{fmt}"
        _write(_gz(target), gzip_ng.compress(d.body, LEVEL))  # the copy first: a file found has its copy
        _write(target, d.body)
        _prune(folder, stem, fmt, target)
        return Kept(target, _gz(target), name, media_type, d.features)
