"""adherence exceptions: periods a supervisor excused for an agent or a team (issue 24)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('adherence_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.String(length=64), nullable=True),
    sa.Column('team', sa.String(length=400), nullable=True),
    sa.Column('start', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('excused_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_adherence_exceptions_agent_id'), 'adherence_exceptions',
                    ['agent_id'], unique=False)
    op.create_index(op.f('ix_adherence_exceptions_start'), 'adherence_exceptions',
                    ['start'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_adherence_exceptions_start'), table_name='adherence_exceptions')
    op.drop_index(op.f('ix_adherence_exceptions_agent_id'), table_name='adherence_exceptions')
    op.drop_table('adherence_exceptions')
