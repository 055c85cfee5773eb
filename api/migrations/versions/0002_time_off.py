"""time-off requests, their history and leave balances

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('time_off_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('dates', sa.Text(), nullable=False),
    sa.Column('part_start', sa.String(length=5), nullable=True),
    sa.Column('part_end', sa.String(length=5), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('cost_millidays', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('applied_version', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_time_off_requests_requester_id'), 'time_off_requests',
                    ['requester_id'], unique=False)
    op.create_index(op.f('ix_time_off_requests_status'), 'time_off_requests', ['status'],
                    unique=False)
    op.create_table('time_off_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['time_off_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_time_off_events_request_id'), 'time_off_events', ['request_id'],
                    unique=False)
    op.create_table('leave_balances',
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('used_millidays', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('agent_id', 'kind', 'year')
    )


def downgrade() -> None:
    op.drop_table('leave_balances')
    op.drop_index(op.f('ix_time_off_events_request_id'), table_name='time_off_events')
    op.drop_table('time_off_events')
    op.drop_index(op.f('ix_time_off_requests_status'), table_name='time_off_requests')
    op.drop_index(op.f('ix_time_off_requests_requester_id'), table_name='time_off_requests')
    op.drop_table('time_off_requests')
