"""A register on a private copy of the seeded database (both backends), with the tools to fill it,
sign it, and tamper with it the way an intruder would."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from maadan.audit import keys, merkle, tiles
from maadan.audit import service as audit
from maadan.audit.events import seal
from maadan.audit.leaf import leaf_line
from maadan.config import load_settings
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import CLI

NAME = "maadan.local/register"


class Register:
    def __init__(self, url: str, key: Path):
        self.url, self.key = url, key
        self.engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))

    @property
    def pub(self) -> Path:
        return keys.public_path(self.key)

    def uow(self, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def add(self, n: int, kind: str = "test.event", **data) -> None:
        with self.uow(write=True) as uow:
            for i in range(n):
                audit.record(uow, "user:tester", kind, f"thing {i}", {"i": i, **data})
            uow.commit()

    def keygen(self) -> None:
        if not self.key.exists():
            keys.generate(self.key, NAME)

    def sign(self, **kw):
        self.keygen()
        return audit.checkpoint(self.uow(write=True), keys.load(self.key, NAME), **kw)

    def sql(self, statement: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(statement), params)

    def rewrite(self, seq: int, data: dict) -> None:
        """What an intruder without the key does: edit an event, then recompute every chain hash,
        leaf hash and stored tree node after it, so that the register is consistent in itself."""
        with self.uow(write=True) as uow:
            events = uow.audit.events_after(0, 10**9)
            prev = events[seq - 1].prev_hash
            for ev in events[seq - 1:]:
                ev = seal(replace(ev, prev_hash=prev, data=data if ev.seq == seq else ev.data))
                ev = replace(ev, leaf_hash=merkle.leaf_hash(leaf_line(ev)).hex())
                uow.session.execute(text("UPDATE audit_event SET data = :d, prev_hash = :p, hash = :h, leaf_hash = :l "
                                         "WHERE seq = :s"), {"d": json.dumps(ev.data), "p": ev.prev_hash,
                                                             "h": ev.hash, "l": ev.leaf_hash, "s": ev.seq})
                prev = ev.hash
            uow.session.execute(text("DELETE FROM audit_node"))
            leaves = uow.audit.hashes(0, 0, len(events))
            uow.audit.add_nodes(list(tiles.build(leaves)))
            uow.commit()

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def register(seeded_copy, tmp_path, monkeypatch):
    key = tmp_path / "keys" / "register-key.pem"
    monkeypatch.setenv("MAADAN_REGISTER_KEY", str(key))
    reg = Register(seeded_copy.url, key)
    yield reg
    reg.close()


@pytest.fixture
def audit_cli(register, capsys, monkeypatch) -> CLI:
    return CLI(register.url, capsys, monkeypatch)
