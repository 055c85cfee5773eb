"""initial schema

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('skills', sa.Text(), nullable=False),
    sa.Column('preferred_rest_days', sa.String(length=64), nullable=False),
    sa.Column('max_nights_per_week', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('agent_id')
    )
    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('actor_agent_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('roster_version', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_audit_at'), 'audit', ['at'], unique=False)
    op.create_table('login_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agent_id', 'timestamp', 'state', name='uq_login_events_agent_time_state')
    )
    op.create_index(op.f('ix_login_events_agent_id'), 'login_events', ['agent_id'], unique=False)
    op.create_table('requirement_rows',
    sa.Column('interval_start', sa.DateTime(), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.Column('contacts', sa.Float(), nullable=False),
    sa.Column('aht_seconds', sa.Float(), nullable=True),
    sa.Column('traffic_erlangs', sa.Float(), nullable=False),
    sa.Column('agents', sa.Integer(), nullable=False),
    sa.Column('service_level', sa.Float(), nullable=True),
    sa.Column('asa_seconds', sa.Float(), nullable=True),
    sa.Column('occupancy', sa.Float(), nullable=True),
    sa.Column('scheduled_agents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('interval_start', 'queue')
    )
    op.create_table('roster_cells',
    sa.Column('agent_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('shift', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('agent_id', 'date')
    )
    op.create_index(op.f('ix_roster_cells_date'), 'roster_cells', ['date'], unique=False)
    op.create_table('roster_meta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('solve_jobs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('swap_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('counterpart_id', sa.String(length=64), nullable=False),
    sa.Column('dates', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('applied_version', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_swap_requests_counterpart_id'), 'swap_requests', ['counterpart_id'],
                    unique=False)
    op.create_index(op.f('ix_swap_requests_requester_id'), 'swap_requests', ['requester_id'],
                    unique=False)
    op.create_index(op.f('ix_swap_requests_status'), 'swap_requests', ['status'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('swap_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swap_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['swap_id'], ['swap_requests.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_swap_events_swap_id'), 'swap_events', ['swap_id'], unique=False)
    meta = sa.table('roster_meta', sa.column('id', sa.Integer), sa.column('version', sa.Integer))
    op.bulk_insert(meta, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_index(op.f('ix_swap_events_swap_id'), table_name='swap_events')
    op.drop_table('swap_events')
    op.drop_table('users')
    op.drop_index(op.f('ix_swap_requests_status'), table_name='swap_requests')
    op.drop_index(op.f('ix_swap_requests_requester_id'), table_name='swap_requests')
    op.drop_index(op.f('ix_swap_requests_counterpart_id'), table_name='swap_requests')
    op.drop_table('swap_requests')
    op.drop_table('solve_jobs')
    op.drop_table('roster_meta')
    op.drop_index(op.f('ix_roster_cells_date'), table_name='roster_cells')
    op.drop_table('roster_cells')
    op.drop_table('requirement_rows')
    op.drop_index(op.f('ix_login_events_agent_id'), table_name='login_events')
    op.drop_table('login_events')
    op.drop_index(op.f('ix_audit_at'), table_name='audit')
    op.drop_table('audit')
    op.drop_table('agents')
