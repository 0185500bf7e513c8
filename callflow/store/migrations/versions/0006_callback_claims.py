"""Callback claims: leases, chosen times, retries the sweeper can find, and one row per dial.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("queued_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("lease_token", sa.String(64)))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("retry_at", sa.DateTime(timezone=True)))
    op.create_index("ix_callbacks_state", "callbacks", ["state"])
    op.create_table(
        "callback_dials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("callback_id", sa.Integer, nullable=False),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dial_sid", sa.String(64), unique=True),
    )
    op.create_index("ix_callback_dials_callback_id", "callback_dials", ["callback_id"])
    op.create_index("ix_callback_dials_phone", "callback_dials", ["phone"])


def downgrade() -> None:
    op.drop_table("callback_dials")
    op.drop_index("ix_callbacks_state", "callbacks")
    with op.batch_alter_table("callbacks") as batch:
        for column in ("retry_at", "lease_until", "lease_token", "due_at", "queued_at"):
            batch.drop_column(column)
