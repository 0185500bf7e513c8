"""Call summaries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summaries",
        sa.Column("call_sid", sa.String(64), primary_key=True),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("department", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_summaries_caller", "summaries", ["caller"])
    op.create_index("ix_summaries_department", "summaries", ["department"])
    op.create_index("ix_summaries_started_at", "summaries", ["started_at"])


def downgrade() -> None:
    op.drop_table("summaries")
