"""forecast accuracy: published forecasts with their model and origin, and the actuals

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('forecast_rows',
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('interval_start', sa.DateTime(), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.Column('contacts', sa.Float(), nullable=False),
    sa.Column('aht_seconds', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecasts.id'], ),
    sa.PrimaryKeyConstraint('forecast_id', 'interval_start', 'queue')
    )
    op.create_index(op.f('ix_forecast_rows_interval_start'), 'forecast_rows',
                    ['interval_start'], unique=False)
    op.create_table('actuals',
    sa.Column('interval_start', sa.DateTime(), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('answered_within_target', sa.Integer(), nullable=False),
    sa.Column('handle_seconds', sa.Float(), nullable=False),
    sa.Column('acw_seconds', sa.Float(), nullable=False),
    sa.Column('wait_seconds', sa.Float(), nullable=False),
    sa.Column('staffed_seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('interval_start', 'queue')
    )


def downgrade() -> None:
    op.drop_table('actuals')
    op.drop_index(op.f('ix_forecast_rows_interval_start'), table_name='forecast_rows')
    op.drop_table('forecast_rows')
    op.drop_table('forecasts')
