"""million: indexes for an organisation's titles, a title's application and the widest title (issue 12 item 5)

At a million titles, "the titles an organisation holds" and "the title granted from application N"
scanned every holder and every title; the ground a filing re-checks (priority_repository.ground_rows)
read half the titles, its bounding-box search unbounded on the left: the widest title bounds it.

Revision ID: d1a5b3c70015
Revises: c4f2a7d1e017
Create Date: 2026-12-04 07:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd1a5b3c70015'
down_revision = "c4f2a7d1e017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_holder_organisation', 'holder', ['organisation_id'], unique=False)
    op.create_index('ix_title_application', 'title', ['jurisdiction', 'application_number'], unique=False)
    op.create_index('ix_title_width', 'title', [sa.text('(maxx - minx)')], unique=False)


def downgrade() -> None:
    op.drop_index('ix_title_width', table_name='title')
    op.drop_index('ix_title_application', table_name='title')
    op.drop_index('ix_holder_organisation', table_name='holder')
