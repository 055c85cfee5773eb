"""solve queue: solve jobs wait in the database for a bounded pool of workers

Jobs gain their request (``payload``, JSON: the solve request and the site configuration it was
submitted under), a queue ``position``, the worker that claimed them (``claimed_by``), its last
``heartbeat_at``, ``started_at`` and ``attempts``. Jobs of older versions have no payload: a
queued or running one can never run, so it is marked failed here instead of waiting forever.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('solve_jobs') as batch:
        batch.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch.add_column(sa.Column('position', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                   server_default='0'))
    op.create_index('ix_solve_jobs_status_position', 'solve_jobs', ['status', 'position'])
    op.execute("UPDATE solve_jobs SET status = 'failed', "
               "error = 'cut off by an upgrade of wfm (a job of an older version cannot be "
               "resumed); submit it again', finished_at = created_at "
               "WHERE status IN ('queued', 'running')")


def downgrade() -> None:
    op.drop_index('ix_solve_jobs_status_position', table_name='solve_jobs')
    with op.batch_alter_table('solve_jobs') as batch:
        for column in ('attempts', 'started_at', 'heartbeat_at', 'claimed_by', 'position',
                       'payload'):
            batch.drop_column(column)
