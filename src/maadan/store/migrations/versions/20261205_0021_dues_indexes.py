"""indexes for what is due and a title's dues (issue 12: a national register with its history)

Every granted title has obligations and a rent invoice a year. Without an index on the title
number, the rent run asked, for each active title, whether that year's rent was invoiced already
by reading every invoice: at 100,000 titles in SQLite one year's run took 6 min 10 s, and the
time grows with the square of the register. The list of what is due read every title, invoice
and obligation and filtered them in Python (10-12 s with one year's rent outstanding); it now asks
for the outstanding invoices, open obligations and titles expiring by the horizon, each by an
index that holds only those (partial indexes on both stores). A title's page reads its
obligations and invoices by its number.

Revision ID: a4d6e2b80021
Revises: f3a8c1d20020
Create Date: 2026-12-05 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a4d6e2b80021'
down_revision = "f3a8c1d20020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_invoice_title", "invoice", ["title_number", "due_on"], unique=False)
    op.create_index("ix_invoice_outstanding", "invoice", ["due_on"], unique=False,
                    sqlite_where=sa.text("paid < amount"), postgresql_where=sa.text("paid < amount"))
    op.create_index("ix_obligation_title", "obligation", ["title_number", "due_on"], unique=False)
    op.create_index("ix_obligation_open", "obligation", ["due_on"], unique=False,
                    sqlite_where=sa.text("met_on IS NULL"), postgresql_where=sa.text("met_on IS NULL"))
    op.create_index("ix_title_expiry", "title", ["state", "expires_on"], unique=False)


def downgrade() -> None:
    for name, table in [("ix_title_expiry", "title"), ("ix_obligation_open", "obligation"),
                        ("ix_obligation_title", "obligation"), ("ix_invoice_outstanding", "invoice"),
                        ("ix_invoice_title", "invoice")]:
        op.drop_index(name, table_name=table)
