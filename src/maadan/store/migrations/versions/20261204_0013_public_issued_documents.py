"""public: documents the authority issued, PDF and HTML with their SHA-256 (issue 16 item 3)

Revision ID: c4a7e2d90012
Revises: c4e2a7d1b012
Create Date: 2026-12-04 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a7e2d90012'
down_revision = "c4e2a7d1b012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=160), nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('source_seq', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('register_seq', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('html', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('html_sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number', name='uq_issued_document_number')
    )
    op.create_index('ix_issued_document_subject', 'issued_document', ['subject'], unique=False)
    op.create_index('ix_issued_document_pdf_sha256', 'issued_document', ['pdf_sha256'], unique=False)
    op.create_index('ix_issued_document_html_sha256', 'issued_document', ['html_sha256'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_issued_document_html_sha256', table_name='issued_document')
    op.drop_index('ix_issued_document_pdf_sha256', table_name='issued_document')
    op.drop_index('ix_issued_document_subject', table_name='issued_document')
    op.drop_table('issued_document')
