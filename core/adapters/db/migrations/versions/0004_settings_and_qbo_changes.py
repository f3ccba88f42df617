"""Firm settings, account e-mail, customer merges and the change-data-capture watermark.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.adapters.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firm_settings",
        sa.Column("firm_id", sa.Integer(), nullable=False),
        sa.Column("auto_sync_new_accounts", sa.Boolean(), nullable=False),
        sa.Column("default_customer_type", sa.String(length=100), nullable=False),
        sa.Column("sync_invoices_from", sa.Date(), nullable=True),
        sa.Column("sync_manual_payments", sa.Boolean(), nullable=False),
        sa.Column("first_sync_scope", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_firm_settings_firm_id_firms")
        ),
        sa.PrimaryKeyConstraint("firm_id", name=op.f("pk_firm_settings")),
    )
    op.create_table(
        "customer_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("realm_id", sa.String(length=32), nullable=False),
        sa.Column("merged_id", sa.String(length=32), nullable=False),
        sa.Column("survivor_id", sa.String(length=32), nullable=False),
        sa.Column("merged_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
        sa.UniqueConstraint(
            "realm_id", "merged_id", name=op.f("uq_customer_merges_realm_id_merged_id")
        ),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_accounts_firm_id_qbo_customer_id"), ["firm_id", "qbo_customer_id"]
        )
    with op.batch_alter_table("qbo_connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes_checked_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qbo_connections", schema=None) as batch_op:
        batch_op.drop_column("changes_checked_at")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_firm_id_qbo_customer_id"))
        batch_op.drop_column("email")
    op.drop_table("customer_merges")
    op.drop_table("firm_settings")
