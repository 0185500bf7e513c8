"""Languages (issue 24): the languages each agent speaks, and the language of each call, callback and customer.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agents", sa.Column("languages", sa.String(100), nullable=False, server_default=""))
    op.add_column("calls", sa.Column("language", sa.String(16), nullable=True))
    op.add_column("callbacks", sa.Column("language", sa.String(16), nullable=True))
    op.add_column("customers", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("customers", "language")
    op.drop_column("callbacks", "language")
    op.drop_column("calls", "language")
    op.drop_column("agents", "languages")
