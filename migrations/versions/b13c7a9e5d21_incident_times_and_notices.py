"""incident times (began, became aware), notices, official senders

Revision ID: b13c7a9e5d21
Revises: 5001a47df32d
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b13c7a9e5d21'
down_revision = '5001a47df32d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('began_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('became_aware_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('is_notice', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_emails', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sms_sender', sa.String(length=20), server_default='', nullable=False))
    # Older incidents: the team became aware when it opened them (the only time they recorded).
    op.execute("UPDATE incident SET became_aware_at = started_at WHERE became_aware_at IS NULL")


def downgrade():
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.drop_column('sms_sender')
        batch_op.drop_column('sender_emails')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_column('is_notice')
        batch_op.drop_column('became_aware_at')
        batch_op.drop_column('began_at')
