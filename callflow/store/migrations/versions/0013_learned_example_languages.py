"""Learned examples carry the language they were said in (issue 24): each language's router learns its own.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("learned_examples", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("learned_examples", "language")
