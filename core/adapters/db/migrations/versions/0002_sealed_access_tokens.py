"""Access tokens are stored sealed (Fernet), in a column named for it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Tokens stored in plain text by 0001 are sealed on the way, with the newest key of
QBSYNC_ENCRYPTION_KEYS; a database holding tokens cannot be upgraded without one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qbo_connections") as batch:
        batch.alter_column("access_token", new_column_name="sealed_access_token")
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, sealed_access_token FROM qbo_connections")).all()
    if not rows:
        return
    # Only needed when there is something to seal; the keys are read as every process reads them.
    from core.adapters.crypto import FernetVault
    from core.config import Settings

    vault = FernetVault(Settings.from_env().encryption_keys)
    for row_id, token in rows:
        connection.execute(
            sa.text("UPDATE qbo_connections SET sealed_access_token = :sealed WHERE id = :id"),
            {"sealed": vault.seal(token), "id": row_id},
        )


def downgrade() -> None:
    # Sealed tokens are not opened again on the way down: reconnect the firms after it.
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM qbo_connections"))
    with op.batch_alter_table("qbo_connections") as batch:
        batch.alter_column("sealed_access_token", new_column_name="access_token")
