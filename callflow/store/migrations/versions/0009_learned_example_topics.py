"""Learned examples may carry a topic (the reason code of imported labelled history).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("learned_examples", sa.Column("topic", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("learned_examples", "topic")
