"""scale: what each spatial version changed, so per-process indexes catch up instead of rebuilding (issue 12)

Revision ID: c4e2a7b90012
Revises: b3d9e1f0a011
Create Date: 2026-12-04 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e2a7b90012'
down_revision = "b3d9e1f0a011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cadastre_spatial_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_cadastre_spatial_change_version', 'cadastre_spatial_change', ['jurisdiction', 'version'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_cadastre_spatial_change_version', table_name='cadastre_spatial_change')
    op.drop_table('cadastre_spatial_change')
