"""offers: overtime and VTO offers, their acceptances (a request kind) and its history

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('queues', sa.Text(), nullable=False),
    sa.Column('agents_needed', sa.Integer(), nullable=False),
    sa.Column('filled', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('auto', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_offers_date'), 'offers', ['date'], unique=False)
    op.create_index(op.f('ix_offers_status'), 'offers', ['status'], unique=False)
    op.create_table('offer_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('start', sa.String(length=5), nullable=False),
    sa.Column('end', sa.String(length=5), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('serves', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('applied_version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('offer_id', 'requester_id')
    )
    op.create_index(op.f('ix_offer_acceptances_offer_id'), 'offer_acceptances', ['offer_id'],
                    unique=False)
    op.create_index(op.f('ix_offer_acceptances_requester_id'), 'offer_acceptances',
                    ['requester_id'], unique=False)
    op.create_index(op.f('ix_offer_acceptances_date'), 'offer_acceptances', ['date'],
                    unique=False)
    op.create_index(op.f('ix_offer_acceptances_status'), 'offer_acceptances', ['status'],
                    unique=False)
    op.create_table('offer_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['offer_acceptances.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_offer_events_request_id'), 'offer_events', ['request_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_offer_events_request_id'), table_name='offer_events')
    op.drop_table('offer_events')
    for column in ('status', 'date', 'requester_id', 'offer_id'):
        op.drop_index(op.f(f'ix_offer_acceptances_{column}'), table_name='offer_acceptances')
    op.drop_table('offer_acceptances')
    op.drop_index(op.f('ix_offers_status'), table_name='offers')
    op.drop_index(op.f('ix_offers_date'), table_name='offers')
    op.drop_table('offers')
