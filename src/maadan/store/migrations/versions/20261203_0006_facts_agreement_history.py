"""facts: agreements with a dated status history, corrections, per-claim sources and cited readings

Revision ID: 6c2a7f3e9d06
Revises: 5b1f2e3d4c05
Create Date: 2026-12-03 17:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '6c2a7f3e9d06'
down_revision = '5b1f2e3d4c05'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agreement_source') as batch:
        batch.add_column(sa.Column('supports', sa.JSON(), nullable=True))
    with op.batch_alter_table('agreement_reading') as batch:
        batch.add_column(sa.Column('url', sa.Text(), nullable=True))
        batch.add_column(sa.Column('date', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('evidence', sa.Text(), nullable=True))
    op.create_table('agreement_status',
    sa.Column('agreement_id', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=False),
    sa.Column('as_of', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'position')
    )
    op.create_table('agreement_correction',
    sa.Column('agreement_id', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('claim', sa.String(length=200), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'position')
    )


def downgrade() -> None:
    op.drop_table('agreement_correction')
    op.drop_table('agreement_status')
    with op.batch_alter_table('agreement_reading') as batch:
        batch.drop_column('evidence')
        batch.drop_column('date')
        batch.drop_column('url')
    with op.batch_alter_table('agreement_source') as batch:
        batch.drop_column('supports')
