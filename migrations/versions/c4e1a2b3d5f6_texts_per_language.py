"""texts per language: component names and descriptions, incident titles, postmortems

Revision ID: c4e1a2b3d5f6
Revises: 6e53564ec86f
Create Date: 2026-12-06 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c4e1a2b3d5f6"
down_revision = "6e53564ec86f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("component", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name_translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "description_translations",
                sa.JSON(),
                server_default=sa.text("'{}'"),
                nullable=False,
            )
        )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "title_translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False
            )
        )
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.drop_column("translations")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("title_translations")
    with op.batch_alter_table("component", schema=None) as batch_op:
        batch_op.drop_column("description_translations")
        batch_op.drop_column("name_translations")
