"""Reports read the event log from one index alone (issue 21): kind, epoch, department, seconds, figure.

A month's report adds up half a million events' waits, talk times and scores; with every column it reads in
the index, PostgreSQL scans the index only (a third of the table's pages) and never visits the rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_events_report", "contact_events", ["kind", "epoch", "department", "seconds", "figure"])


def downgrade() -> None:
    op.drop_index("ix_contact_events_report", table_name="contact_events")
