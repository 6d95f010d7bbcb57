"""rules: disclosed shareholders and local zones of holders; the rule version applied and why on
applications and titles (issue 13)

Revision ID: a10b7c3e5d10
Revises: 0af6f8c3f8d5
Create Date: 2026-12-03 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a10b7c3e5d10'
down_revision = "0af6f8c3f8d5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('holder') as batch:
        batch.add_column(sa.Column('shareholders', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('local_to', sa.JSON(), nullable=True))
    with op.batch_alter_table('application') as batch:
        batch.add_column(sa.Column('rules_basis', sa.JSON(), nullable=True))
    with op.batch_alter_table('title') as batch:
        batch.add_column(sa.Column('rules_basis', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('title') as batch:
        batch.drop_column('rules_basis')
    with op.batch_alter_table('application') as batch:
        batch.drop_column('rules_basis')
    with op.batch_alter_table('holder') as batch:
        batch.drop_column('local_to')
        batch.drop_column('shareholders')
