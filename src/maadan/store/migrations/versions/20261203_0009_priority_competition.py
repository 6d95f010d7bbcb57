"""priority: competition groups, sealed bids, notices; queue state on applications (issue 10)

Revision ID: 0af6f8c3f8d5
Revises: 6c2a7e1f3b06
Create Date: 2026-12-03 17:31:52.178853
"""
from alembic import op
import sqlalchemy as sa


revision = '0af6f8c3f8d5'
down_revision = "6c2a7e1f3b06"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('competition_bid',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('group_number', sa.Integer(), nullable=False),
    sa.Column('application_number', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_bid')),
    sa.UniqueConstraint('jurisdiction', 'group_number', 'application_number', name=op.f('uq_competition_bid_jurisdiction_group_number_application_number'))
    )
    op.create_table('competition_group',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('formed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=24), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competition_group')),
    sa.UniqueConstraint('jurisdiction', 'number', name=op.f('uq_competition_group_jurisdiction_number'))
    )
    with op.batch_alter_table('competition_group', schema=None) as batch_op:
        batch_op.create_index('ix_competition_group_state', ['jurisdiction', 'state'], unique=False)

    op.create_table('notice',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('jurisdiction', sa.String(length=16), nullable=False),
    sa.Column('application_number', sa.Integer(), nullable=True),
    sa.Column('group_number', sa.Integer(), nullable=True),
    sa.Column('recipient_org', sa.String(length=80), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('action_needed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('read_by', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice'))
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index('ix_notice_application', ['jurisdiction', 'application_number'], unique=False)
        batch_op.create_index('ix_notice_recipient', ['recipient_org', 'read_at'], unique=False)

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('competition_group', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('waits_on', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('converts_title', sa.String(length=40), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('converts_title')
        batch_op.drop_column('waits_on')
        batch_op.drop_column('competition_group')

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_recipient')
        batch_op.drop_index('ix_notice_application')

    op.drop_table('notice')
    with op.batch_alter_table('competition_group', schema=None) as batch_op:
        batch_op.drop_index('ix_competition_group_state')

    op.drop_table('competition_group')
    op.drop_table('competition_bid')

