"""facts: located deposits (point, box, circle with confidence), per-claim sources of projects and organisations, corrections, withdrawn agreements

Revision ID: 7d3b8e4f0a07
Revises: 6c2a7f3e9d06
Create Date: 2026-12-03 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7d3b8e4f0a07'
down_revision = "6c2a7f3e9d06"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agreement') as batch:
        batch.add_column(sa.Column('withdrawn', sa.JSON(), nullable=True))
    with op.batch_alter_table('project') as batch:
        batch.add_column(sa.Column('claims', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('corrections', sa.JSON(), nullable=True))
    with op.batch_alter_table('project_location') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=8), server_default='point', nullable=False))
        batch.add_column(sa.Column('south', sa.Float(), nullable=True))
        batch.add_column(sa.Column('west', sa.Float(), nullable=True))
        batch.add_column(sa.Column('north', sa.Float(), nullable=True))
        batch.add_column(sa.Column('east', sa.Float(), nullable=True))
        batch.add_column(sa.Column('radius_km', sa.Float(), nullable=True))
        batch.add_column(sa.Column('confidence', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('derived', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('label', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('sources', sa.JSON(), nullable=True))
    with op.batch_alter_table('project_holding') as batch:
        batch.add_column(sa.Column('sources', sa.JSON(), nullable=True))
    with op.batch_alter_table('project_fact') as batch:
        batch.add_column(sa.Column('sources', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('as_of', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('reading', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('preferred', sa.Boolean(), nullable=True))
    with op.batch_alter_table('organisation') as batch:
        batch.add_column(sa.Column('claims', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('corrections', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organisation') as batch:
        batch.drop_column('corrections')
        batch.drop_column('claims')
    with op.batch_alter_table('project_fact') as batch:
        for name in ('preferred', 'reading', 'as_of', 'sources'):
            batch.drop_column(name)
    with op.batch_alter_table('project_holding') as batch:
        batch.drop_column('sources')
    with op.batch_alter_table('project_location') as batch:
        for name in ('sources', 'label', 'derived', 'confidence', 'radius_km', 'east', 'north', 'west', 'south', 'kind'):
            batch.drop_column(name)
    with op.batch_alter_table('project') as batch:
        batch.drop_column('corrections')
        batch.drop_column('claims')
    with op.batch_alter_table('agreement') as batch:
        batch.drop_column('withdrawn')
