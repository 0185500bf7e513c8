"""After the call: the SMS of promised actions (sent once per call) and the satisfaction survey's answers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "after_call_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("line", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_sid", sa.String(64)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("call_sid", "kind", name="uq_after_call_messages_call_kind"),
    )
    op.create_table(
        "survey_answers",
        sa.Column("call_sid", sa.String(64), primary_key=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("survey_answers")
    op.drop_table("after_call_messages")
