"""portal2: organisations proposed by applicants, which an officer confirms or merges (issue 16 item 1)

Revision ID: c4f2a7d1e017
Revises: d5b3e8f1c015
Create Date: 2026-12-04 08:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f2a7d1e017'
down_revision = "d5b3e8f1c015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_proposal',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('proposed_by', sa.String(length=120), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('organisation_proposal')
