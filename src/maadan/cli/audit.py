"""`maadan audit ...`: the register of changes, its signed checkpoints and proofs."""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator, Optional

import typer
from rich.table import Table

from maadan.audit import keys, note
from maadan.audit import service as audit
from maadan.cadastre import views
from maadan.cli import common
from maadan.errors import InvalidInput

app = typer.Typer(help="The register of changes: verify it, sign checkpoints, prove events are in it, export it.",
                  no_args_is_help=True)

JSON = common.JSON


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"{what} {path}: no such file")
    data = path.read_bytes() if path.stat().st_size <= note.MAX_NOTE_BYTES else b""
    if not data:
        raise InvalidInput(f"{what} {path}: empty, or too large to be a {what}")
    return data


def _verifier_key(path: Path | None) -> note.VerifierKey | None:
    if path is None:
        return None
    try:
        return note.parse_vkey(_read(path, "key file").decode("utf-8", "replace"))
    except note.CheckpointError as exc:
        raise note.CheckpointError(f"key file {path}: {exc.message}") from None


@contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes]]:
    """stdout, or a file written in full or not at all (gzip when it ends in .gz)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    path = path.expanduser()
    if not path.parent.is_dir():
        raise InvalidInput(f"{path.parent}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                    yield gz  # type: ignore[misc]
            else:
                yield raw
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@app.command("verify")
def verify_cmd(checkpoint: Optional[Path] = typer.Option(
                   None, "--checkpoint", "-c", help="A signed checkpoint you kept: prove the register extends it."),
               key: Optional[Path] = typer.Option(
                   None, "--key", help="The register's public key you trust (<name>+<id>+<key>, from "
                                       "`audit keygen` or /api/register/public-key)."),
               json_out: bool = JSON) -> None:
    """Check every event (hash chain and leaf hash), the stored tree and the register's own signed
    checkpoints; with --checkpoint, that the register extends the one you kept. Names what broke:
    an edited event, deleted events (truncated), a rewritten history, or a fork. Exit 1 if broken."""
    c = common.get()
    kept = _read(checkpoint, "checkpoint") if checkpoint else None
    v = audit.verify_register(c.uow(), kept, _verifier_key(key))
    if json_out:
        common.print_json(v)
    elif v.ok:
        c.out.print(f"[green]Register intact[/]: {common.counted(v.events, 'event')}; hash chain, leaf hashes and tree verified; "
                    f"{v.checkpoints_verified} signed checkpoint(s) hold.")
        if v.kept:
            c.out.print(f"[green]It extends your checkpoint[/] of {common.counted(v.kept['tree_size'], 'event')} "
                        f"(signed {v.kept['signed_at']}, root {v.kept['root_hash'][:16]}…).")
    else:
        at = f" at event {v.first_bad_seq:,}" if v.first_bad_seq else ""
        c.out.print(f"[red]Register broken ({v.problem}){at}[/]: {v.reason}")
    for line in v.notes:
        c.err.print(f"note: {line}")
    if not v.ok:
        raise typer.Exit(1)


@app.command("log")
def log_cmd(subject: Optional[str] = typer.Option(None), json_out: bool = JSON) -> None:
    """Every recorded change, oldest first (private parts included: for the authority)."""
    c = common.get()
    events, _ = views.events_page(c.uow(), subject)
    if json_out:
        common.print_json({"count": len(events), "items": events})
        return
    t = Table(title="Register of changes")
    for col in ("seq", "at (UTC)", "actor", "event", "subject", "reason"):
        t.add_column(col)
    for e in events:
        t.add_row(str(e.seq), e.at[:19], e.actor, e.kind, e.subject, e.reason or "")
    c.out.print(t)


@app.command("keygen")
def keygen_cmd(out: Optional[Path] = typer.Option(None, "--out", help="Key file (default: MAADAN_REGISTER_KEY)."),
               keep_existing: bool = typer.Option(False, "--keep-existing",
                                                  help="If the key exists, keep it and succeed (for scripts)."),
               json_out: bool = JSON) -> None:
    """Create the authority's Ed25519 signing key (mode 0600) and its public key (<file>.pub).
    Refuses to overwrite an existing key."""
    c = common.get()
    path = (out or c.settings.register_key_path).expanduser()
    if keep_existing and path.exists():
        public = keys.load(path, c.settings.register_name).public
        c.err.print(f"Keeping the existing signing key {path} (key id {public.key_id.hex()}).")
        if json_out:
            common.print_json({"key_file": str(path), "public_key_file": str(keys.public_path(path)),
                               "name": public.name, "key_id": public.key_id.hex(), "public_key": public.vkey})
        return
    public = keys.generate(path, c.settings.register_name)
    info = {"key_file": str(path), "public_key_file": str(keys.public_path(path)), "name": public.name,
            "key_id": public.key_id.hex(), "public_key": public.vkey}
    if json_out:
        common.print_json(info)
        return
    c.out.print(f"Signing key written to {path} (readable by you only: keep it safe, back it up offline).")
    c.out.print(f"Public key, to publish (verifiers need it): {info['public_key_file']}\n{public.vkey}")


@app.command("checkpoint")
def checkpoint_cmd(out: Optional[Path] = typer.Option(None, "--out", help="Also write the checkpoint to this file."),
                   json_out: bool = JSON) -> None:
    """Sign a checkpoint of the register as it stands (size, root hash, time) with the key in
    MAADAN_REGISTER_KEY, keep it, and print it. Run it daily (e.g. from cron)."""
    c = common.get()
    signer = keys.load(c.settings.register_key_path, c.settings.register_name)
    cp = audit.checkpoint(c.uow(write=True), signer)
    if out is not None:
        with _output(out) as f:
            f.write(cp.note.encode())
    if json_out:
        common.print_json(cp)
        return
    c.err.print(f"Checkpoint #{cp.id} signed: {common.counted(cp.tree_size, 'event')}, root {cp.root_hash[:16]}…, key {cp.key_id}")
    sys.stdout.write(cp.note)  # exactly the signed bytes: no wrapping, no markup


@app.command("checkpoints")
def checkpoints_cmd(limit: int = typer.Option(20, min=1, max=10_000), json_out: bool = JSON) -> None:
    """The signed checkpoints, newest first."""
    c = common.get()
    items, total = audit.list_checkpoints(c.uow(), limit)
    if json_out:
        common.print_json({"total": total, "count": len(items), "items": items})
        return
    t = Table(title=f"Signed checkpoints ({len(items)} of {total})")
    for col in ("#", "signed (UTC)", "events", "root hash", "key"):
        t.add_column(col)
    for cp in items:
        t.add_row(str(cp.id), f"{cp.signed_at:%Y-%m-%d %H:%M:%S}", f"{cp.tree_size:,}", cp.root_hash, cp.key_id)
    c.out.print(t)


def _emit_proof(proof, out: Optional[Path], json_out: bool, summary: str) -> None:
    import json

    from maadan.serialize import to_jsonable

    c = common.get()
    if out is not None:
        with _output(out) as f:
            f.write(json.dumps(to_jsonable(proof), indent=2).encode() + b"\n")
    if json_out:
        common.print_json(proof)
    else:
        c.out.print(summary)
        if out is not None:
            c.out.print(f"Written to {out}; check it with: python -m maadan.audit.verify_export --key KEY "
                        f"--proof {out}")


@app.command("inclusion")
def inclusion_cmd(seq: int = typer.Argument(..., help="The event's number (seq)."),
                  tree_size: Optional[int] = typer.Option(None, "--tree-size", help="Default: the latest checkpoint."),
                  out: Optional[Path] = typer.Option(None, "--out", help="Write the proof (JSON) to this file."),
                  json_out: bool = JSON) -> None:
    """Prove that an event is in the tree of a checkpoint (RFC 9162 inclusion proof)."""
    c = common.get()
    p = audit.inclusion_proof(c.uow(), seq, tree_size)
    signed = "a signed checkpoint" if p.checkpoint else "no signed checkpoint yet"
    _emit_proof(p, out, json_out, f"Event {p.seq:,} is in the tree of {common.counted(p.tree_size, 'event')} (root "
                                  f"{p.root_hash[:16]}…, {signed}): proof of {common.counted(len(p.proof), 'hash', 'hashes')}.")


@app.command("consistency")
def consistency_cmd(first: int = typer.Argument(..., help="Size of the older tree (e.g. your checkpoint's)."),
                    second: Optional[int] = typer.Argument(None, help="Size of the newer tree (default: the latest "
                                                                      "checkpoint)."),
                    out: Optional[Path] = typer.Option(None, "--out", help="Write the proof (JSON) to this file."),
                    json_out: bool = JSON) -> None:
    """Prove that the tree of FIRST events is a prefix of the tree of SECOND (RFC 9162 consistency proof)."""
    c = common.get()
    p = audit.consistency_proof(c.uow(), first, second)
    _emit_proof(p, out, json_out, f"The tree of {common.counted(p.first, 'event')} (root {p.first_root[:16]}…) is a prefix of the tree "
                                  f"of {p.second:,} (root {p.second_root[:16]}…): proof of {common.counted(len(p.proof), 'hash', 'hashes')}.")


@app.command("export")
def export_cmd(out: Optional[Path] = typer.Argument(None, help="File to write (.jsonl, or .jsonl.gz); default stdout."),
               size: Optional[int] = typer.Option(None, "--size", help="Events to export (default: the latest "
                                                                        "checkpoint's size)."),
               current: bool = typer.Option(False, "--current", help="Export every event, signed or not.")) -> None:
    """The public register of changes: one line per event with private parts replaced by their
    salted commitment; with a checkpoint anyone can verify it with `python -m maadan.audit.verify_export`."""
    c = common.get()
    uow = c.uow()
    if current:
        with uow:
            size = uow.audit.size()
    n, cp = audit.export_size(uow, size)
    with _output(out) as f:
        for line in audit.export_lines(uow, n, cp):
            f.write(line)
    signed = f"checkpoint #{cp.id} of {cp.signed_at:%Y-%m-%d %H:%M} UTC" if cp else "no signed checkpoint of this size"
    c.err.print(f"Exported {common.counted(n, 'event')} ({signed}){f' to {out}' if out else ''}.")


GROUPS = {"audit": app}
