"""portal2: password-reset requests (rate limits) and a named lease (one background dispatcher)

Revision ID: c4f2a7d1e015
Revises: c4f2a7d1e012
Create Date: 2026-12-04 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f2a7d1e015'
down_revision = "c4f2a7d1e012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('password_reset_request',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('who', sa.String(length=254), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_password_reset_request_who', 'password_reset_request', ['who', 'at'], unique=False)
    op.create_index('ix_password_reset_request_client', 'password_reset_request', ['client', 'at'], unique=False)
    op.create_table('service_lease',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('service_lease')
    op.drop_index('ix_password_reset_request_client', table_name='password_reset_request')
    op.drop_index('ix_password_reset_request_who', table_name='password_reset_request')
    op.drop_table('password_reset_request')
