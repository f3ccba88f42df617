"""How many of a job's attempts a worker's stop interrupted (Dramatiq's Shutdown): they do
not count towards MAX_ATTEMPTS, while `attempts` still counts every claim (a retried create
looks its lost copy up when attempts > 1).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("interruptions", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("interruptions")
