"""`maadan db ...`: create and update the schema, load the bundled data, say where it lives."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from maadan.cli import common
from maadan.ingest.service import seed_reference_data
from maadan.store import migrate
from maadan.store.database import describe

app = typer.Typer(help="Create, migrate and seed the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    c = common.get()
    migrate.upgrade(c.engine)
    c.err.print(f"Schema at revision {migrate.current_revision(c.engine)} in {describe(c.engine)}")


@app.command("seed")
def seed(force: bool = typer.Option(False, "--force", help="Reload even if the bundle did not change.")) -> None:
    """Load the bundled reference data (lists, USGS figures, organisations, deposits, projects)."""
    c = common.get()
    report = seed_reference_data(c.uow(write=True), force=force)
    if report.skipped:
        c.err.print("Reference data already up to date.")
        return
    for name, counts in report.counts.items():
        c.err.print(f"{name:>24}: {counts.inserted} added, {counts.updated} updated, {counts.unchanged} unchanged")


@app.command("init")
def init() -> None:
    """upgrade + seed: make a ready-to-use database (safe to run again)."""
    upgrade()
    seed(force=False)
    c = common.get()
    c.err.print(f"Database ready: {describe(c.engine)}")


@app.command("status")
def status(json_out: bool = common.JSON) -> None:
    """Where the database is, its schema revision and the datasets loaded."""
    c = common.get()
    current = migrate.current_revision(c.engine)
    data = {
        "database": describe(c.engine),
        "revision": current,
        "head": migrate.head_revision(),
        "datasets": [],
    }
    if current:
        with c.uow() as uow:
            data["datasets"] = uow.datasets.all()
    if json_out:
        common.print_json(data)
        return
    c.out.print(f"{data['database']}\nschema revision {current or 'none (run maadan db init)'}"
                f"{' (newest)' if current == data['head'] else ''}")
    for d in data["datasets"]:
        c.out.print(f"  {d['dataset']}: {common.counted(d['rows'], 'row')}, loaded {d['loaded_at']}, sha256 {d['checksum'][:12]}…")


@app.command("backup")
def backup(file: Path = typer.Argument(..., help="The backup file to write (must not exist); its seal is "
                                                  "written beside it as FILE.checkpoint."),
           json_out: bool = common.JSON) -> None:
    """Back up the whole database (SQLite online backup API; pg_dump custom format on PostgreSQL) and seal
    it: a checkpoint of the register, signed with MAADAN_REGISTER_KEY, that also names the file's SHA-256.
    Safe while the server runs and writes. Written in full or not at all."""
    from maadan.audit import keys, seal
    from maadan.audit import service as audit
    from maadan.errors import Conflict, InvalidInput
    from maadan.store import backup as store_backup

    c = common.get()
    file = file.expanduser()
    seal_path = file.with_name(file.name + ".checkpoint")
    for p in (file, seal_path):
        if p.exists() or p.is_symlink():
            raise Conflict(f"{p} already exists: a backup never overwrites a file; choose a new name")
    if not file.parent.is_dir():
        raise InvalidInput(f"{file.parent}: no such folder")
    signer = keys.load(c.settings.register_key_path, c.settings.register_name)  # before any work: no key, no backup
    cp = audit.checkpoint(c.uow(write=True), signer)  # kept in the database, so in the backup too
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    os.close(fd)
    os.unlink(tmp)  # the tools create it themselves
    tmp_path = Path(tmp)
    try:
        store_backup.dump(c.engine, tmp_path, c.settings.pg_bin)
        sealed = seal.seal(signer, cp, store_backup.kind(c.engine), tmp_path)
        with open(seal_path, "x", encoding="utf-8") as f:
            f.write(sealed.note)
        os.chmod(tmp_path, 0o600)  # the whole register, private parts included
        os.replace(tmp_path, file)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        if "sealed" in locals():
            seal_path.unlink(missing_ok=True)
        raise
    info = {"file": str(file), "checkpoint_file": str(seal_path), "format": sealed.kind, "bytes": sealed.size,
            "sha256": sealed.sha256, "tree_size": cp.tree_size, "root_hash": cp.root_hash, "checkpoint_id": cp.id,
            "signed_at": cp.signed_at, "database": describe(c.engine)}
    if json_out:
        common.print_json(info)
        return
    c.err.print(f"Backed up {describe(c.engine)} to {file} ({sealed.size:,} bytes, {sealed.kind}); sealed by "
                f"checkpoint #{cp.id} of {cp.tree_size:,} events in {seal_path}. Restore it with: "
                f"maadan db restore {file}")


@app.command("restore")
def restore(file: Path = typer.Argument(..., help="A backup written by `maadan db backup`."),
            checkpoint: Optional[Path] = typer.Option(None, "--checkpoint",
                                                      help="Its seal (default: FILE.checkpoint)."),
            key: Optional[Path] = typer.Option(None, "--key", help="The register's public key you trust "
                                               "(default: MAADAN_REGISTER_KEY's .pub file)."),
            json_out: bool = common.JSON) -> None:
    """Restore a backup into an empty database (MAADAN_DATABASE_URL) and prove it: the file must be the one
    its signed seal names, and the restored register must verify (hash chain, leaf hashes, tree, signed
    checkpoints) and extend the seal's checkpoint. Refuses a non-empty database; nothing is left half-restored."""
    from maadan.audit import keys, note, seal
    from maadan.audit import service as audit
    from maadan.errors import InvalidInput
    from maadan.store import backup as store_backup
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    c = common.get()
    file = file.expanduser()
    if not file.is_file():
        raise InvalidInput(f"{file}: no such file")
    seal_path = (checkpoint or file.with_name(file.name + ".checkpoint")).expanduser()
    if not seal_path.is_file():
        raise seal.BackupRefused(f"no seal for {file}: {seal_path} is missing. A backup is restored only with the "
                                 "signed checkpoint `maadan db backup` wrote beside it (pass it with --checkpoint)")
    key_path = (key or keys.public_path(c.settings.register_key_path)).expanduser()
    if not key_path.is_file():
        raise InvalidInput(f"no public key to check the seal with: {key_path} is missing. Pass the register's "
                           "public key with --key (from `maadan audit keygen`, or GET /api/register/public-key)")
    try:
        trusted = note.parse_vkey(key_path.read_text(encoding="utf-8", errors="replace")[:4096])
    except note.CheckpointError as exc:
        raise InvalidInput(f"key file {key_path}: {exc.message}") from None
    sealed = seal.read(seal_path.read_bytes()[:note.MAX_NOTE_BYTES + 1], trusted, str(seal_path))
    seal.check_file(sealed, file)  # before anything is written
    expected = store_backup.kind(c.engine)
    if sealed.kind != expected:
        raise InvalidInput(f"{file} is a {sealed.kind} backup; the database here needs a {expected} one")
    store_backup.require_empty(c.engine, describe(c.engine))

    def prove(engine) -> object:
        from maadan.store import migrate

        migrate.refuse_newer(engine)
        result = audit.verify_register(UnitOfWork(engine), sealed.note.encode(), trusted)
        if not result.ok:
            raise seal.BackupRefused(f"the restored register does not verify ({result.problem}): {result.reason}. "
                                     "Nothing was restored")
        return result

    if sealed.kind == "sqlite":
        target = c.settings.sqlite_path
        if target is None:
            raise InvalidInput("restore needs a file-backed SQLite database (MAADAN_DATABASE_URL=sqlite:///FILE)")
        store_backup.check_sqlite_file(file)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.restore.", dir=target.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            store_backup.restore_sqlite(file, tmp_path)
            from dataclasses import replace

            engine = create_db_engine(replace(c.settings, database_url=f"sqlite:///{tmp_path}"))
            try:
                result = prove(engine)
            finally:
                engine.dispose()
            store_backup.require_empty(c.engine, describe(c.engine))  # still, now that the copy is proven
            c.engine.dispose()  # no connection keeps the empty file open
            for suffix in ("-wal", "-shm"):  # the empty database's own log must not be replayed into the copy
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(tmp_path, target)
        finally:
            tmp_path.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{tmp_path}{suffix}").unlink(missing_ok=True)
    else:
        store_backup.restore_pg(file, c.engine, c.settings.pg_bin)
        try:
            result = prove(c.engine)
        except BaseException:
            store_backup.empty_pg(c.engine)
            raise
    from maadan.store import migrate

    revision = migrate.current_revision(c.engine)
    info = {"file": str(file), "database": describe(c.engine), "events": result.events,
            "checkpoint": {"tree_size": sealed.checkpoint.size, "root_hash": sealed.checkpoint.root.hex(),
                           "signed_at": sealed.checkpoint.time}, "schema_revision": revision,
            "schema_current": revision == migrate.head_revision(), "verified": True}
    if json_out:
        common.print_json(info)
    else:
        c.err.print(f"Restored {file} into {describe(c.engine)}: register intact ({result.events:,} events; hash "
                    f"chain, leaf hashes, tree and {result.checkpoints_verified} signed checkpoint(s) verified); "
                    f"it extends the backup's checkpoint of {sealed.checkpoint.size:,} events.")
    if revision != migrate.head_revision():
        c.err.print(f"The backup has schema revision {revision}: run `maadan db upgrade` before serving it.")


def summary(json_out: bool = common.JSON) -> None:
    """Key numbers of the knowledge base."""
    from maadan.overview import key_numbers

    c = common.get()
    n = key_numbers(c.uow())
    data = {
        "database": describe(c.engine),
        "critical_lists": [{"id": lid, "name": name, "entries": count, "official_count": n.official_counts[lid]}
                           for lid, name, count in n.lists],
        "minerals_on_any_list": n.minerals_on_any_list,
        "world_statistics": n.world_statistics,
        "organisations": n.organisations,
        "projects": n.projects,
        "deposits": n.deposits,
        "titles": n.titles,
        "synthetic_titles": n.synthetic_titles,
        "pending_applications": n.pending_applications,
    }
    if json_out:
        common.print_json(data)
        return
    t = Table(title=f"Maadan knowledge base — {data['database']}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for cl in data["critical_lists"]:
        t.add_row(cl["name"], str(cl["entries"]))
    t.add_row("Minerals on at least one list", str(n.minerals_on_any_list))
    t.add_row("USGS figures (production, reserves, capacity)", str(n.world_statistics))
    t.add_row("Organisations", str(n.organisations))
    t.add_row("Projects / other deposits", f"{n.projects} / {n.deposits}")
    t.add_row("Mineral titles (of which SYNTHETIC demo titles)", f"{n.titles} ({n.synthetic_titles})")
    t.add_row("Pending title applications", str(n.pending_applications))
    c.out.print(t)


GROUPS = {"db": app}
COMMANDS = {"summary": summary}
