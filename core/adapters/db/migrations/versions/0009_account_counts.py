"""Each firm's number of accounts of each status, kept in step by the unit of work, so that a
list's total and the summary read a row instead of counting the accounts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_counts",
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "synced",
                "not_synced",
                "skipped",
                "failed",
                "syncing",
                name="syncstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_account_counts_firm_id_firms")
        ),
        sa.PrimaryKeyConstraint("firm_id", "status", "shard", name=op.f("pk_account_counts")),
    )
    op.execute(
        "INSERT INTO account_counts (firm_id, status, shard, count) "
        "SELECT firm_id, status, 0, count(*) FROM accounts GROUP BY firm_id, status"
    )


def downgrade() -> None:
    op.drop_table("account_counts")
