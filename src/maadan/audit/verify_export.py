"""Verify Maadan's public register without trusting its server: no database, no network, only
the standard library and `cryptography`.

    python -m maadan.audit.verify_export --key register.pub [EXPORT.jsonl[.gz]]
        [--checkpoint FILE ...] [--proof FILE ...]

- every checkpoint (given, or carried in the export's header or a proof) must be signed by the key;
- the export's leaves, hashed into an RFC 9162 tree, must give each checkpoint's root (a checkpoint
  larger than the export means the export is older than it, or truncated);
- two checkpoints of the same size with different roots are a fork;
- an inclusion proof (`maadan audit inclusion --out`, /api/register/proof/inclusion) must lead from
  its event's leaf to its checkpoint's root; a consistency proof (`maadan audit consistency`,
  /api/register/proof/consistency) from one checkpoint's root to the other's.

Exit 0 when everything verifies, 1 when something does not (each failure is printed), 2 when an
input cannot be read. Runs from a source checkout with only `cryptography` installed:
PYTHONPATH=src python -m maadan.audit.verify_export ..."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any

from maadan.audit import merkle
from maadan.audit.leaf import LeafError, parse_leaf
from maadan.audit.note import Checkpoint, CheckpointError, VerifierKey, parse_checkpoint, parse_vkey, verify_checkpoint

EXPORT_FORMAT = "maadan-register-export"


class Unreadable(Exception):
    """An input that cannot be read at all (exit 2)."""


class Report:
    def __init__(self, out: IO[str]):
        self.out, self.failures = out, 0

    def ok(self, message: str) -> None:
        self.out.write(f"OK    {message}\n")

    def fail(self, message: str) -> None:
        self.failures += 1
        self.out.write(f"FAIL  {message}\n")


def _read_text(path: Path, what: str, limit: int = 1 << 20) -> str:
    try:
        data = path.read_bytes()[:limit + 1]
    except OSError as exc:
        raise Unreadable(f"{what} {path}: {exc.strerror}") from None
    if len(data) > limit:
        raise Unreadable(f"{what} {path}: larger than {limit:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{what} {path}: not UTF-8 text (byte {exc.start})") from None


class Checkpoints:
    """The checkpoints met so far whose signatures verify, by size; a second root for a size is a fork."""

    def __init__(self, key: VerifierKey, report: Report):
        self.key, self.report = key, report
        self.by_size: dict[int, tuple[Checkpoint, str]] = {}

    def add(self, text: str, source: str) -> Checkpoint | None:
        try:
            cp = verify_checkpoint(parse_checkpoint(text), self.key)
        except CheckpointError as exc:
            self.report.fail(f"checkpoint {source}: {exc.message}")
            return None
        when = f", signed {cp.time:%Y-%m-%d %H:%M:%S} UTC" if cp.time else ""
        seen = self.by_size.get(cp.size)
        if seen and seen[0].root != cp.root:
            self.report.fail(f"fork: checkpoint {source} and checkpoint {seen[1]} are both signed by "
                             f"{self.key.name} for {cp.size:,} events with different roots: the register "
                             "showed two different histories. Keep both files as evidence")
            return None
        if not seen:
            self.by_size[cp.size] = (cp, source)
            self.report.ok(f"checkpoint {source}: {cp.size:,} events, root {cp.root.hex()[:16]}…{when}, "
                           f"signed by {self.key.name} (key {self.key.key_id.hex()})")
        return cp


def _open_export(path: Path) -> IO[bytes]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise Unreadable(f"export {path}: {exc.strerror}") from None
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


def _export_header(f: IO[bytes], path: Path) -> dict[str, Any]:
    try:
        header = json.loads(f.readline(1 << 20).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError, EOFError) as exc:
        raise Unreadable(f"export {path}, line 1: not a Maadan register export ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
        raise Unreadable(f"export {path}, line 1: not a Maadan register export (no '{EXPORT_FORMAT}' header)")
    if header.get("version") != 1:
        raise Unreadable(f"export {path}: version {header.get('version')!r}; this verifier reads version 1")
    return header


def verify_export(path: Path, checkpoints: Checkpoints, report: Report, given: list[Checkpoint]) -> None:
    with _open_export(path) as f:
        header = _export_header(f, path)
        if header.get("checkpoint"):
            cp = checkpoints.add(header["checkpoint"], f"in {path.name}'s header")
            if cp is not None and all(g.size != cp.size for g in given):
                given = [*given, cp]
        wanted = {cp.size for cp in given}
        roots = {0: merkle.EMPTY_ROOT}
        tree, kinds, bad = merkle.CompactRange(), Counter(), 0
        try:
            for number, line in enumerate(f, 2):
                if not line.endswith(b"\n"):
                    report.fail(f"export {path}, line {number}: cut off (no newline): the file is truncated")
                    bad += 1
                    break
                line = line[:-1]
                tree.append(merkle.leaf_hash(line))
                try:
                    leaf = parse_leaf(line)
                    if leaf["seq"] != tree.size:
                        raise LeafError(f"it holds event {leaf['seq']}, expected event {tree.size}")
                    kinds[leaf["kind"]] += 1
                except LeafError as exc:
                    bad += 1
                    if bad <= 5:
                        report.fail(f"export {path}, line {number}: {exc}")
                if tree.size in wanted:
                    roots[tree.size] = tree.root()
        except (OSError, EOFError) as exc:  # a damaged .gz
            report.fail(f"export {path}: unreadable after {tree.size:,} events ({exc}): the file is damaged")
            bad += 1
    n = tree.size
    if header.get("tree_size") != n:
        report.fail(f"export {path}: its header announces {header.get('tree_size')!r} events, it holds {n:,}")
    elif not bad:
        top = ", ".join(f"{k} {v:,}" for k, v in kinds.most_common(4))
        report.ok(f"export {path.name}: {n:,} events, every line a well-formed leaf in order ({top}…)")
    for cp in sorted(given, key=lambda c: c.size):
        if cp.size > n:
            report.fail(f"export {path.name} holds {n:,} events but a checkpoint covers {cp.size:,}: the export "
                        f"is older than the checkpoint or was truncated (events {n + 1:,}–{cp.size:,} missing)")
        elif roots[cp.size] != cp.root:
            report.fail(f"the export's first {cp.size:,} events do not hash to the root of the checkpoint of "
                        f"{cp.size:,} events: the export, or the register it came from, was rewritten")
        else:
            report.ok(f"the export's first {cp.size:,} events hash to the checkpoint's root {cp.root.hex()[:16]}…")


def _hashes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise ValueError(f"{what} is not a list")
    try:
        return [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"{what} holds something that is not a hex hash") from None


def _checkpoint_for(size: int, embedded: Any, checkpoints: Checkpoints, source: str) -> Checkpoint | None:
    if isinstance(embedded, str) and embedded:
        cp = checkpoints.add(embedded, f"in {source}")
        if cp is not None and cp.size != size:
            checkpoints.report.fail(f"{source}: its checkpoint covers {cp.size:,} events, the proof {size:,}")
            return None
        return cp
    if size in checkpoints.by_size:
        return checkpoints.by_size[size][0]
    checkpoints.report.fail(f"{source}: no signed checkpoint of {size:,} events to check it against "
                            "(give one with --checkpoint)")
    return None


def verify_proof(path: Path, checkpoints: Checkpoints, report: Report) -> None:
    try:
        proof = json.loads(_read_text(path, "proof"))
    except json.JSONDecodeError as exc:
        raise Unreadable(f"proof {path}: not JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(proof, dict):
        raise Unreadable(f"proof {path}: not a JSON object")
    try:
        if "leaf" in proof:
            seq, size = int(proof["seq"]), int(proof["tree_size"])
            cp = _checkpoint_for(size, proof.get("checkpoint"), checkpoints, path.name)
            leaf = str(proof["leaf"]).encode("utf-8")
            parsed = parse_leaf(leaf)
            if parsed["seq"] != seq:
                raise ValueError(f"the leaf is event {parsed['seq']}, the proof says {seq}")
            if cp is None:
                return
            merkle.verify_inclusion(seq - 1, size, merkle.leaf_hash(leaf), _hashes(proof["proof"], "proof"), cp.root)
            report.ok(f"{path.name}: event {seq:,} ({parsed['kind']}, {parsed['subject']}, {parsed['at'][:19]}) is in "
                      f"the signed tree of {size:,} events")
        elif "first" in proof:
            first, second = int(proof["first"]), int(proof["second"])
            old = _checkpoint_for(first, proof.get("first_checkpoint"), checkpoints, f"{path.name} (first)")
            new = _checkpoint_for(second, proof.get("second_checkpoint"), checkpoints, f"{path.name} (second)")
            if old is None or new is None:
                return
            merkle.verify_consistency(first, second, old.root, new.root, _hashes(proof["proof"], "proof"))
            report.ok(f"{path.name}: the signed tree of {second:,} events extends the signed tree of {first:,}")
        else:
            raise Unreadable(f"proof {path}: neither an inclusion proof (leaf) nor a consistency proof (first)")
    except (KeyError, TypeError, ValueError, LeafError) as exc:
        what = f"field {exc} is missing" if isinstance(exc, KeyError) else str(exc)
        report.fail(f"{path.name}: {what}")


def main(argv: list[str] | None = None, out: IO[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m maadan.audit.verify_export", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", nargs="?", type=Path, help="a public register export (.jsonl or .jsonl.gz)")
    parser.add_argument("--key", type=Path, required=True, help="the register's public key file (<name>+<id>+<key>)")
    parser.add_argument("--checkpoint", "-c", type=Path, action="append", default=[], help="a signed checkpoint")
    parser.add_argument("--proof", type=Path, action="append", default=[], help="an inclusion or consistency proof (JSON)")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    report = Report(out)
    try:
        try:
            key = parse_vkey(_read_text(args.key, "key", 4096))
        except CheckpointError as exc:
            raise Unreadable(f"key {args.key}: {exc.message}") from None
        checkpoints = Checkpoints(key, report)
        given = [cp for path in args.checkpoint
                 if (cp := checkpoints.add(_read_text(path, "checkpoint", 1 << 16), str(path))) is not None]
        if args.export is None and not args.proof:
            parser.error("give an export, a proof, or both")
        if args.export is not None:
            verify_export(args.export, checkpoints, report, given)
        for path in args.proof:
            verify_proof(path, checkpoints, report)
    except Unreadable as exc:
        out.write(f"ERROR {exc}\n")
        return 2
    verdict = "everything verifies" if not report.failures else f"{report.failures} check(s) FAILED"
    out.write(f"\n{verdict}.\n")
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
