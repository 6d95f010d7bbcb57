"""audit events by subject (issue 12: a national register with its history)

A title's or an application's history, its certificate and the officers' queue read the register's
events of one record. With no index each read scanned the whole register, which a national cadastre
with its history holds by the million (a synthetic million events in SQLite: 250 ms a record, 0.05 ms
with this index). No index on the kind: the queue's latest decisions walk the register back from its
end, which SQLite stopped doing (and then sorted, 0.2 ms -> 736 ms) when one on (kind, seq) existed.

Revision ID: e7c2d9a40019
Revises: d1a5b3c70015
Create Date: 2026-12-04 23:59:00
"""
from alembic import op


revision = 'e7c2d9a40019'
down_revision = "d1a5b3c70015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_subject', 'audit_event', ['subject', 'seq'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_subject', table_name='audit_event')
