"""The event log: one row per thing that happened to a contact (issue 21).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(160), nullable=False, unique=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("epoch", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("line", sa.String(64), nullable=False),
        sa.Column("department", sa.String(64)),
        sa.Column("agent", sa.String(64)),
        sa.Column("seconds", sa.Float),
        sa.Column("figure", sa.Float),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_contact_events_call_sid", "contact_events", ["call_sid"])


def downgrade() -> None:
    op.drop_table("contact_events")
