"""The public register's downloads kept as files. Building one reads every title or application
(at 100,000 titles: 8 s for a GeoJSON of 74 MB), and anyone may ask for it, so each
file (layer, format, jurisdiction) is built into `<data dir>/downloads` with a gzip copy and sent
from disk to the requests after it.

Each file holds one state of the register: its sequence and the chain hash of that event, which
covers every event before it. A kept file is sent while it holds the current state, or while it is
younger than `MAADAN_DOWNLOAD_MAX_AGE` (default 10 minutes) and its state is an earlier state of this
same register (the chain hash at its sequence is still the file's: a database restored from a
backup, or another one sharing the data folder, does not get it). Otherwise the request builds the
file again. A busy register, whose sequence moves every minute, thus builds each file at most once
in that time per process; each answer says which sequence it holds (`X-Register-Sequence`) and when
it was built (`Last-Modified`). With a maximum age of 0 every change builds the file again at the
next request.

The file's name is made of checked parts only: a layer and a format from public_exports' closed
lists, a jurisdiction code matched in full, integers (sequence, build time, feature count) and the
hash (hex). A build writes a temporary file in the same folder and renames it into place, so a
reader in another process sees the whole file or none; the file is written a page at a time and
compressed a piece at a time, never whole in memory (a million titles: 84-95 s, under 170 MB). A
process makes one file at a time: a request that finds its file, or another
file, being made gets the newest file of this register it keeps, whatever its age, or else a 503
with Retry-After. The older files of a stem are removed when a
newer one is built, once they have gone a minute unused (a file sent is touched, so that a request
sending it does not lose it between finding and opening it).

A download that is not kept (a replica's, whose state may lag the primary's, or one the data folder
refused) is built for its one request by `built_for_one`, in a folder of its own under the system's
temporary folder, sent from there and removed (`discard`). Such folders that a process left behind
(killed while sending) are removed by the next one built, once untouched for an hour."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zlib_ng import gzip_ng

from maadan.cadastre import public_exports
from maadan.errors import CannotWrite, NotFound
from maadan.http.client_limits import ServerBusy
from maadan.http.compression import LEVEL

JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,4})?")
NAME = re.compile(r"(?P<seq>[0-9]+)-(?P<head>[0-9a-f]{16})-(?P<built>[0-9]+)"
                  r"-(?P<stem>[a-z]+-(?:all|[A-Z]{2}(?:-[A-Z0-9]{1,4})?))-(?P<features>[0-9]+)")
HEX = re.compile(r"[0-9a-f]{16,}")
GRACE_S = 60  # how long a replaced file stays for readers that found it just before

RETRY_AFTER_S = 30
_guard = threading.Lock()
_building: dict[str, threading.Lock] = {}
_build_slot = threading.Lock()  # one build at a time in a process: at a million titles one takes 1.5 min
log = logging.getLogger("maadan.web")


@dataclass(frozen=True)
class Kept:
    path: Path  # the file as built
    gzipped: Path  # its gzip copy
    name: str  # the name the user is given (Content-Disposition)
    media_type: str
    features: int
    sequence: int  # the register's state the file holds: its sequence and chain hash (16 hex digits)
    head: str
    built_at: int  # Unix time


class NotKept(Exception):
    """The data folder could not take the file (full, read-only): the caller builds it for the request."""

    def __init__(self, name: str):
        super().__init__(f"download {name} not kept")


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


def _newest(folder: Path, stem: str, fmt: str) -> tuple[Path, int, str, int, int] | None:
    """The newest kept file of this stem and format: (path, sequence, head, built at, features)."""
    if not folder.is_dir():
        return None
    best = None
    for entry in os.scandir(folder):
        base, _, ext = entry.name.partition(".")
        m = NAME.fullmatch(base)
        if m and ext == fmt and m["stem"] == stem:
            found = (Path(entry.path), int(m["seq"]), m["head"], int(m["built"]), int(m["features"]))
            if best is None or (found[1], found[3]) > (best[1], best[3]):
                best = found
    return best


def _touched(path: Path) -> bool:
    try:
        os.utime(path)  # in use: not pruned for a minute
        os.utime(_gz(path))
        return True
    except FileNotFoundError:  # pruned by another process just now
        return False


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


BUILDING = ".building-"  # the prefix of a build's temporary files
ABANDONED_S = 3600  # a build's temporary file untouched this long was left by a process that died


def _clear_abandoned(folder: Path, now: float, prefix: str = BUILDING) -> None:
    """What builds whose process died halfway left in `folder`, untouched for `ABANDONED_S`: a kept
    file's temporary file (`BUILDING`, in the data folder), or the folder of a download built for
    one request (`TEMPORARY`, in the system's temporary folder); hundreds of megabytes each at a
    million titles. A live build writes its file page after page, so its time stays fresh; a build
    takes minutes, not the hour this waits; and a file still being sent when its folder goes is sent
    whole all the same (the server holds it open). Symbolic links are left alone."""
    for entry in os.scandir(folder):
        try:
            if entry.name.startswith(prefix) and now - entry.stat(follow_symlinks=False).st_mtime > ABANDONED_S:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
        except OSError:  # cleared by another process first, or not removable now: the next build tries again
            pass


def _gz(path: Path) -> Path:
    return path.with_name(path.name + ".gz")


def _temporary(folder: Path, fmt: str) -> Path:
    """A new empty file in `folder` that no reader takes for a kept one (its name matches no NAME)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=BUILDING, suffix=f".{fmt}")
    os.close(fd)
    return Path(tmp)


def _head(chain_hash: str | None) -> str:
    head = (chain_hash or "0" * 16)[:16].lower()
    if not HEX.fullmatch(head):
        raise ValueError(f"download_files: a chain hash is hex, not {chain_hash!r}")
    return head


def kept(folder: Path, sequence: int, hash_at: Callable[[int], str | None], layer: str, fmt: str,
         jurisdiction: str | None, build: Callable[[Path], public_exports.Written], max_age: float,
         now: float | None = None) -> Kept:
    """The download's kept file, or one built by `build` (module docstring): `sequence` is the
    register's now, `hash_at(seq)` the chain hash of event `seq` (None for none), `build(path)`
    writes the file to `path` and says how many features it holds and of which sequence."""
    stem = check(layer, fmt, jurisdiction)
    name = public_exports.file_name(layer, fmt, jurisdiction)
    media_type = public_exports.FORMATS[fmt]
    now = time.time() if now is None else now

    def usable(any_age: bool) -> Kept | None:
        newest = _newest(folder, stem, fmt)
        if newest is None:
            return None
        path, seq, head, built, features = newest
        fresh = seq == sequence or (seq < sequence and (any_age or now - built < max_age))
        if fresh and head == _head(hash_at(seq) if seq else None) and _touched(path):
            return Kept(path, _gz(path), name, media_type, features, seq, head, built)
        return None

    lock = _lock(f"{stem}.{fmt}")
    if not lock.acquire(blocking=False):  # being built by another request: what is kept, or come back
        if (older := usable(any_age=True)) is not None:
            return older
        raise ServerBusy(f"the register's {layer} file is being made; try again in {RETRY_AFTER_S} s", RETRY_AFTER_S)
    try:
        if (found := usable(any_age=False)) is not None:
            return found
        if not _build_slot.acquire(blocking=False):  # another file is being made: what is kept, or come back
            if (older := usable(any_age=True)) is not None:
                return older
            raise ServerBusy(f"another of the register's files is being made; try again in {RETRY_AFTER_S} s",
                       RETRY_AFTER_S)
        try:
            return _built(folder, hash_at, stem, fmt, name, media_type, build, now)
        finally:
            _build_slot.release()
    finally:
        lock.release()


def _built(folder: Path, hash_at: Callable[[int], str | None], stem: str, fmt: str, name: str, media_type: str,
           build: Callable[[Path], public_exports.Written], now: float) -> Kept:
    """The file built into `folder` with its gzip copy, each written under a temporary name and
    renamed into place, and named by the sequence of the state it holds (which a change just
    before the build may have moved past the request's); older files of its stem pruned. The file
    is written and compressed a piece at a time (at a million titles it is hundreds of megabytes):
    never whole in memory."""
    built = int(now)
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(folder, fmt)
        tmp_gz = _temporary(folder, fmt)
    except OSError as exc:  # a data folder that cannot be written (full, read-only): sent, not kept
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise NotKept(name) from exc
    try:
        written = build(tmp)
        head = _head(hash_at(written.sequence) if written.sequence else None)
        with open(tmp, "rb") as src, gzip_ng.open(tmp_gz, "wb", compresslevel=LEVEL) as gz:
            shutil.copyfileobj(src, gz, 1 << 20)
        target = folder / f"{int(written.sequence)}-{head}-{built}-{stem}-{int(written.features)}.{fmt}"
        os.replace(tmp_gz, _gz(target))  # the copy first: a file found has its copy
        os.replace(tmp, target)
        _prune(folder, stem, fmt, target)
        _clear_abandoned(folder, time.time())
    except OSError as exc:
        raise NotKept(name) from exc
    finally:
        tmp.unlink(missing_ok=True)
        tmp_gz.unlink(missing_ok=True)
    return Kept(target, _gz(target), name, media_type, written.features, int(written.sequence), head, built)


TEMPORARY = "maadan-download-"  # the prefix of the folder of a download built for one request


@dataclass(frozen=True)
class ForOne:
    path: Path  # the file, named as the user is given it
    folder: Path  # its own folder: `discard` it once the file is sent
    features: int
    sequence: int  # the register's state the file holds


def built_for_one(layer: str, fmt: str, jurisdiction: str | None,
                  build: Callable[[Path], public_exports.Written]) -> ForOne:
    """The download built by `build(path)` for one request and not kept (module docstring): written
    a page at a time into a new folder under the system's temporary folder, so that it is never
    whole in memory either. CannotWrite (503) when that folder cannot be made or its disk fills;
    nothing is left behind then."""
    check(layer, fmt, jurisdiction)
    name = public_exports.file_name(layer, fmt, jurisdiction)
    try:
        root = Path(tempfile.gettempdir())  # none usable at all: a FileNotFoundError
        _clear_abandoned(root, time.time(), TEMPORARY)
        folder = Path(tempfile.mkdtemp(prefix=TEMPORARY, dir=root))
    except OSError as exc:
        log.warning("download not built: %s", exc)
        raise CannotWrite(f"the file {name}") from exc
    try:
        written = build(folder / name)
    except OSError as exc:  # the temporary folder's disk is full too
        discard(folder)
        log.warning("download not built: %s", exc)
        raise CannotWrite(f"the file {name}") from exc
    except BaseException:
        discard(folder)
        raise
    return ForOne(folder / name, folder, int(written.features), int(written.sequence))


def discard(folder: Path) -> None:
    """A download built for one request, once sent (or not)."""
    shutil.rmtree(folder, ignore_errors=True)
