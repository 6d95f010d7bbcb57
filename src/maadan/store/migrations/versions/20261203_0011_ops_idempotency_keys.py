"""ops: idempotency keys of REST writes, stored with the write and its answer (issue 18)

Revision ID: b3d9e1f0a011
Revises: a10b7c3e5d10
Create Date: 2026-12-03 22:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3d9e1f0a011'
down_revision = "a10b7c3e5d10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=2048), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.LargeBinary(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('owner', 'key')
    )
    op.create_index('ix_idempotency_key_expires_at', 'idempotency_key', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_idempotency_key_expires_at', table_name='idempotency_key')
    op.drop_table('idempotency_key')
