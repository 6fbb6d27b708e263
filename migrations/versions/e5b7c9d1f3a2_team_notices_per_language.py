"""team notices per language: the catalog message behind a notification's subject and text

Revision ID: e5b7c9d1f3a2
Revises: c4e1a2b3d5f6
Create Date: 2026-12-03 19:10:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5b7c9d1f3a2"
down_revision = "c4e1a2b3d5f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("message")
