"""Backups that prove themselves (issue 18 item 2), on both backends: `maadan db backup` writes a
consistent copy and its seal (a signed checkpoint naming the file's SHA-256); `maadan db restore`
restores into an empty database only after checking the seal, and reports success only when the
restored register verifies and extends the checkpoint. Refusals leave nothing behind."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from maadan.audit import keys
from maadan.audit import service as audit
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.schema import full_metadata
from maadan.store.uow import UnitOfWork
from tests.conftest import PG_URL, Database
from tests.integration.ops.conftest import maadan, maadan_json


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        names = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                    for t in full_metadata().sorted_tables if t.name in names}
    finally:
        engine.dispose()


def is_empty(url: str) -> bool:
    engine = create_engine(url)
    try:
        return not [t for t in inspect(engine).get_table_names() if t != "spatial_ref_sys"]
    finally:
        engine.dispose()


@pytest.fixture
def backed_up(registry, tmp_path):
    """A backup of the populated registry (FILE, FILE.checkpoint) and the environment to restore it."""
    env = {"MAADAN_REGISTER_KEY": str(registry.key)}
    file = tmp_path / "registry.backup"
    made = maadan_json(registry.url, "db", "backup", file, env=env)
    return file, env, made


def test_backup_and_restore_prove_the_register(registry, backed_up, tmp_path):
    file, env, made = backed_up
    seal = (tmp_path / "registry.backup.checkpoint").read_text()
    assert made["format"] == ("sqlite" if registry.backend == "sqlite" else "pg_dump")
    assert made["bytes"] == file.stat().st_size and made["tree_size"] >= 10
    assert f"backup {made['format']} {made['bytes']} sha256:{made['sha256']}\n" in seal
    assert seal.startswith(f"maadan.local/register\n{made['tree_size']}\n")
    # the seal is an ordinary signed checkpoint: `maadan audit verify --checkpoint` accepts it
    code, _ = maadan(registry.url, "audit", "verify", "--checkpoint", tmp_path / "registry.backup.checkpoint",
                     "--key", keys.public_path(registry.key))
    assert code == 0

    target = Database(registry.backend, tmp_path)
    try:
        done = maadan_json(target.url, "db", "restore", file, env=env)
        assert done["verified"] and done["schema_current"] and done["events"] == made["tree_size"]
        assert counts(target.url) == counts(registry.url)
        engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": target.url}))
        try:
            assert audit.verify_register(UnitOfWork(engine)).ok
        finally:
            engine.dispose()
        # the restored registry works
        assert maadan_json(target.url, "cadastre", "titles")["count"] >= 13
    finally:
        target.close()


def test_restore_refuses_a_non_empty_database(registry, backed_up, tmp_path):
    file, env, _ = backed_up
    target = Database(registry.backend, tmp_path, template=registry)
    try:
        before = counts(target.url)
        code, out = maadan(target.url, "db", "restore", file, "--json", env=env)
        assert code == 3 and "not empty" in json.loads(out)["message"]
        assert counts(target.url) == before
    finally:
        target.close()


def test_restore_refuses_a_tampered_backup_a_missing_seal_and_a_foreign_key(registry, backed_up, tmp_path):
    file, env, _ = backed_up
    seal = tmp_path / "registry.backup.checkpoint"
    target = Database(registry.backend, tmp_path)
    try:
        tampered = tmp_path / "tampered.backup"
        data = bytearray(file.read_bytes())
        data[len(data) // 2] ^= 0x01
        tampered.write_bytes(bytes(data))
        code, out = maadan(target.url, "db", "restore", tampered, "--checkpoint", seal, "--json", env=env)
        assert code == 2 and "altered" in json.loads(out)["message"]

        lonely = tmp_path / "lonely.backup"
        lonely.write_bytes(file.read_bytes())
        code, out = maadan(target.url, "db", "restore", lonely, "--json", env=env)
        assert code == 2 and "missing" in json.loads(out)["message"]

        forged = seal.read_text().replace("\nbackup ", "\nbackup  ", 1)  # the signed text changed
        (tmp_path / "forged.checkpoint").write_text(forged)
        code, out = maadan(target.url, "db", "restore", file, "--checkpoint", tmp_path / "forged.checkpoint",
                           "--json", env=env)
        assert code == 2 and "altered or forged" in json.loads(out)["message"]

        other = tmp_path / "other.pem"
        keys.generate(other, "maadan.local/register")
        code, out = maadan(target.url, "db", "restore", file, "--key", keys.public_path(other), "--json", env=env)
        assert code == 2 and "wrong or replaced key" in json.loads(out)["message"]
        assert is_empty(target.url)
    finally:
        target.close()


def test_backup_needs_the_signing_key_and_never_overwrites(registry, tmp_path):
    file = tmp_path / "x.backup"
    code, out = maadan(registry.url, "db", "backup", file, "--json",
                       env={"MAADAN_REGISTER_KEY": str(tmp_path / "absent.pem")})
    assert code == 78 and "no signing key" in json.loads(out)["message"]
    assert list(tmp_path.iterdir()) == []
    file.write_text("keep me")
    code, _ = maadan(registry.url, "db", "backup", file, env={"MAADAN_REGISTER_KEY": str(registry.key)})
    assert code == 3 and file.read_text() == "keep me"


def test_backup_taken_while_writes_run_restores_and_verifies(registry, tmp_path):
    source = Database(registry.backend, tmp_path, template=registry)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": source.url}))
    stop, written, errors = threading.Event(), [], []

    def writer() -> None:
        try:
            while not stop.is_set():
                with UnitOfWork(engine, write=True) as uow:
                    audit.record(uow, "user:clerk", "test.during-backup", f"thing {len(written)}", {"n": len(written)})
                    uow.commit()
                written.append(1)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    env = {"MAADAN_REGISTER_KEY": str(registry.key)}
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        made = maadan_json(source.url, "db", "backup", tmp_path / "live.backup", env=env)
        at_backup = len(written)
        while len(written) < at_backup + 5:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert not errors
    target = Database(registry.backend, tmp_path)
    try:
        done = maadan_json(target.url, "db", "restore", tmp_path / "live.backup", env=env)
        assert done["verified"] and done["events"] >= made["tree_size"]
        with create_engine(target.url).connect() as conn:
            n = conn.execute(text("SELECT count(*) FROM audit_event WHERE kind = 'test.during-backup'")).scalar()
        assert 5 <= n < len(written) + 1
    finally:
        target.close()
        source.close()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL roles: needs MAADAN_TEST_POSTGRES_URL")
@pytest.mark.parametrize("seeded_db", ["postgresql"], indirect=True)
def test_postgresql_backup_restores_as_the_database_owner_without_superuser(registry, tmp_path):
    """As in a deployment: Maadan's role owns its databases, a superuser created PostGIS in them once."""
    from sqlalchemy.engine import make_url

    role, password = f"owner_{int(time.time() * 1000) % 10**9}", "owner-pass-123"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    dbs = [f"{role}_src", f"{role}_dst"]
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
            for name in dbs:
                conn.execute(text(f"CREATE DATABASE {name} OWNER {role}"))
        for name in dbs:
            with create_engine(make_url(PG_URL).set(database=name), isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text("CREATE EXTENSION postgis"))
        src, dst = (make_url(PG_URL).set(database=n, username=role, password=password)
                    .render_as_string(hide_password=False) for n in dbs)
        env = {"MAADAN_REGISTER_KEY": str(registry.key)}
        assert maadan(src, "db", "upgrade")[0] == 0
        made = maadan_json(src, "db", "backup", tmp_path / "owner.backup", env=env)
        done = maadan_json(dst, "db", "restore", tmp_path / "owner.backup", env=env)
        assert done["verified"] and done["events"] == made["tree_size"]
    finally:
        with admin.connect() as conn:
            for name in dbs:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        admin.dispose()
