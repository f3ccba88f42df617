"""The connection lifecycle: refresh token, expiries, broken state, pending consents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.adapters.db.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_oauth_states_firm_id_firms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    with op.batch_alter_table("qbo_connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_refresh_token", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("access_expires_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("refresh_expires_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("hard_expires_at", UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column("broken_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qbo_connections", schema=None) as batch_op:
        batch_op.drop_column("broken_reason")
        batch_op.drop_column("hard_expires_at")
        batch_op.drop_column("refresh_expires_at")
        batch_op.drop_column("access_expires_at")
        batch_op.drop_column("sealed_refresh_token")

    op.drop_table("oauth_states")
