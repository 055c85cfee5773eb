"""accounts: user names (also in the audit), password hashes, revocation, server-side web sessions

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('name', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_hash')
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    # agent users take their name from the agents table
    op.execute("UPDATE users SET name = COALESCE((SELECT agents.name FROM agents "
               "WHERE agents.agent_id = users.agent_id), '') WHERE role = 'agent'")
    with op.batch_alter_table('audit') as batch:
        batch.add_column(sa.Column('actor_name', sa.String(length=200), nullable=False,
                                   server_default=''))
    op.execute("UPDATE audit SET actor_name = COALESCE((SELECT users.name FROM users "
               "WHERE users.id = audit.user_id), '') WHERE user_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('audit') as batch:
        batch.drop_column('actor_name')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('revoked_at')
        batch.drop_column('password_hash')
        batch.drop_column('name')
