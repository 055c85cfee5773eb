"""forecast spread: a published forecast keeps the spread its backtest measured

Three nullable columns on ``forecasts``: ``day_sigma`` (spread of the log daily totals),
``dispersion`` (extra-Poisson interval dispersion) and ``block_dispersion`` (part-day
dispersion), the intraday update's prior (``wfm.forecast.selection.Choice``). A forecast
published before, or without them, keeps the update's default spread (0.15, Poisson).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = ('day_sigma', 'dispersion', 'block_dispersion')


def upgrade() -> None:
    with op.batch_alter_table('forecasts') as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('forecasts') as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
