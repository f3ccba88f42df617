"""Lanes of jobs a run takes many of at once, and writes to QBO recorded before they are sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.adapters.db.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lane",
                sa.Enum("sync_by_name", name="lane", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("send_id", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_jobs_firm_id_lane_state_created_at"),
            ["firm_id", "lane", "state", "created_at"],
        )
    # Syncs by name queued or running during the upgrade join their firm's lane.
    op.execute(
        "UPDATE jobs SET lane = 'sync_by_name' WHERE kind = 'sync_account' "
        "AND state IN ('queued', 'running') AND CAST(params AS TEXT) = '{}'"
    )
    op.create_table(
        "qbo_sends",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=50), nullable=False),
        sa.Column("batch", sa.Boolean(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["firm_id"], ["firms.id"], name=op.f("fk_qbo_sends_firm_id_firms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qbo_sends")),
    )


def downgrade() -> None:
    op.drop_table("qbo_sends")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_firm_id_lane_state_created_at"))
        batch_op.drop_column("send_id")
        batch_op.drop_column("lane")
