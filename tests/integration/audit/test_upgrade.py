"""An existing register (hash chain only) upgraded to the Merkle tree: every event gets its salt
and leaf hash, the stored tree is built, and the upgraded register verifies and can be signed."""

import json

from sqlalchemy import text

from maadan.audit import keys, merkle, service as audit
from maadan.audit.events import GENESIS, Event, seal
from maadan.audit.leaf import leaf_line
from maadan.config import load_settings
from maadan.store import migrate
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork

LEDGER = "6c2a7e1f3b06"  # the revision that brings the tree


def before_ledger() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate._config()).get_revision(LEDGER).down_revision


def test_upgrade_backfills_leaves_and_nodes(fresh_db, tmp_path):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": fresh_db.url}))
    try:
        migrate.upgrade(engine, before_ledger())
        prev, rows = GENESIS, []
        for seq in range(1, 301):
            ev = seal(Event(seq=seq, at=f"2026-11-{1 + seq % 28:02d}T10:00:00.000000+00:00", actor="cli:officer",
                            kind="payment.recorded", subject=f"invoice {seq}",
                            data={"amount": seq * 1.5, "reference": f"HBL-{seq}"}, prev_hash=prev))
            prev = ev.hash
            rows.append({"seq": ev.seq, "at": ev.at, "actor": ev.actor, "kind": ev.kind, "subject": ev.subject,
                         "data": json.dumps(ev.data), "documents": "[]", "reason": None, "prev": ev.prev_hash,
                         "hash": ev.hash})
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_event (seq, at, actor, kind, subject, data, documents, reason, "
                              "prev_hash, hash) VALUES (:seq, :at, :actor, :kind, :subject, :data, :documents, "
                              ":reason, :prev, :hash)"), rows)
        migrate.upgrade(engine)

        check = audit.verify_register(UnitOfWork(engine))
        assert check.ok and check.events == 300, check
        with UnitOfWork(engine) as uow:
            assert list(uow.audit.nodes()) == [(8, 0)]
            first = uow.audit.event(1)
            salts = {e.salt for e in uow.audit.events_after(0, 1000)}
        assert len(first.salt) == 64 and len(salts) == 300  # a fresh salt per event
        assert first.leaf_hash == merkle.leaf_hash(leaf_line(first)).hex()

        key = tmp_path / "k.pem"
        keys.generate(key, "maadan.local/register")
        cp = audit.checkpoint(UnitOfWork(engine, write=True), keys.load(key, "maadan.local/register"))
        assert cp.tree_size == 300
        with UnitOfWork(engine, write=True) as uow:  # new events chain on from the old ones
            audit.record(uow, "cli:officer", "test.after-upgrade", "x")
            uow.commit()
        assert audit.verify_register(UnitOfWork(engine)).ok
    finally:
        engine.dispose()
