"""news: documents read from news texts and their field proposals

Revision ID: 5b1f2e3d4c05
Revises: 4a9e0c1d2b04
Create Date: 2026-11-29 07:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5b1f2e3d4c05'
down_revision = "4a9e0c1d2b04"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('news_document',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('encoding', sa.String(length=16), nullable=False),
    sa.Column('published', sa.String(length=10), nullable=True),
    sa.Column('published_from', sa.String(length=16), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('extraction', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ingested_by', sa.String(length=64), nullable=False),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_by', sa.String(length=64), nullable=True),
    sa.Column('agreement_ids', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_document'))
    )
    op.create_table('news_proposal',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('agreement_no', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewed_value', sa.JSON(), nullable=True),
    sa.Column('reviewer', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['news_document.id'],
                            name=op.f('fk_news_proposal_document_id_news_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_proposal'))
    )
    with op.batch_alter_table('news_proposal', schema=None) as batch_op:
        batch_op.create_index('ix_news_proposal_document', ['document_id', 'agreement_no'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('news_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_news_proposal_document')
    op.drop_table('news_proposal')
    op.drop_table('news_document')
