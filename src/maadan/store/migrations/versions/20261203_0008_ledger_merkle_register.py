"""ledger: the register of changes as a Merkle tree (leaf hashes, stored subtree roots) with
signed checkpoints and the keys that signed them

Existing events get a fresh salt and their leaf hash, and the stored subtree roots are built, so
an upgraded register can be checkpointed and proven at once. The leaf format is version 1 of
`maadan.audit.leaf`, which is frozen: a new format would be a new version, not a change to it.

Revision ID: 6c2a7e1f3b06
Revises: 7d3b8e4f0a07
Create Date: 2026-12-03 20:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "6c2a7e1f3b06"
down_revision = "7d3b8e4f0a07"
branch_labels = None
depends_on = None

BATCH = 5000


def _backfill(conn) -> None:
    from maadan.audit import tiles
    from maadan.audit.events import Document, Event
    from maadan.audit.leaf import leaf_line
    from maadan.audit.merkle import leaf_hash

    ev = sa.table("audit_event", sa.column("seq", sa.Integer), sa.column("at", sa.String),
                  sa.column("actor", sa.String), sa.column("kind", sa.String), sa.column("subject", sa.String),
                  sa.column("data", sa.JSON), sa.column("documents", sa.JSON), sa.column("reason", sa.Text),
                  sa.column("salt", sa.String), sa.column("leaf_hash", sa.String))
    node = sa.table("audit_node", sa.column("level", sa.Integer), sa.column("idx", sa.BigInteger),
                    sa.column("hash", sa.String))
    update = sa.update(ev).where(ev.c.seq == sa.bindparam("b_seq")).values(
        salt=sa.bindparam("b_salt"), leaf_hash=sa.bindparam("b_leaf"))

    def leaves():
        last = 0
        while True:
            rows = conn.execute(sa.select(ev).where(ev.c.seq > last).order_by(ev.c.seq).limit(BATCH)).all()
            if not rows:
                return
            changes, hashes = [], []
            for r in rows:
                salt = secrets.token_hex(32)
                e = Event(seq=r.seq, at=r.at, actor=r.actor, kind=r.kind, subject=r.subject, data=dict(r.data),
                          documents=tuple(Document(n, h) for n, h in r.documents), reason=r.reason, salt=salt)
                h = leaf_hash(leaf_line(e))
                changes.append({"b_seq": r.seq, "b_salt": salt, "b_leaf": h.hex()})
                hashes.append(h)
            conn.execute(update, changes)
            last = rows[-1].seq
            yield from hashes

    nodes = [{"level": level, "idx": idx, "hash": h.hex()} for level, idx, h in tiles.build(leaves())]
    for i in range(0, len(nodes), BATCH):
        conn.execute(sa.insert(node), nodes[i:i + BATCH])


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("salt", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("leaf_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_node",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_node")),
    )
    op.create_table(
        "register_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_checkpoint")),
    )
    op.create_index("ix_register_checkpoint_signed_at", "register_checkpoint", ["signed_at"], unique=False)
    op.create_index("ix_register_checkpoint_tree_size", "register_checkpoint", ["tree_size"], unique=False)
    op.create_table(
        "register_key",
        sa.Column("vkey", sa.String(length=300), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("first_used", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vkey", name=op.f("pk_register_key")),
    )
    _backfill(op.get_bind())
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("salt", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("leaf_hash", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    op.drop_table("register_key")
    op.drop_index("ix_register_checkpoint_tree_size", table_name="register_checkpoint")
    op.drop_index("ix_register_checkpoint_signed_at", table_name="register_checkpoint")
    op.drop_table("register_checkpoint")
    op.drop_table("audit_node")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("leaf_hash")
        batch.drop_column("salt")
