"""Account lists stay fast at 100,000 accounts: indexes for pages, counts and name searches.

`(firm_id, status, id)` serves a page of one status in id order from the index alone (the
offset skips index entries, not rows), `(firm_id, id)` a page of the whole list. The counts
stay with `(firm_id, status)`: its equal keys are deduplicated into a fifth of the size, and
PostgreSQL counts 80,000 matches in it in 4 ms where the three-column index takes 6 ms. On
PostgreSQL a trigram index on `lower(name)` serves `q` (a name contains a text, any case),
which no B-tree can; SQLite gets no such index and scans.

An index-only scan reads the table for every page the visibility map does not mark
all-visible, and every update of an account clears its page's mark until VACUUM sets it
again: 3,000 updates spread over 100,000 accounts made counting the 80,000 synced ones read
71,670 rows and take 11 ms instead of 3.6 ms. PostgreSQL's autovacuum waits for a fifth of
the table to change; on accounts it comes after a hundredth (changed or inserted), so that
the syncs that keep updating accounts do not slow their lists down for long.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. The
downgrade leaves it installed, as other schemas of the database may use it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TRIGRAM_INDEX = "ix_accounts_lower_name_trgm"
AUTOVACUUM = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor")


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_firm_id_status_id"), ["firm_id", "status", "id"]
        )
        batch_op.create_index(batch_op.f("ix_accounts_firm_id_id"), ["firm_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX {TRIGRAM_INDEX} ON accounts USING gin (lower(name) gin_trgm_ops)")
        op.execute(f"ALTER TABLE accounts SET ({', '.join(f'{o} = 0.01' for o in AUTOVACUUM)})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE accounts RESET ({', '.join(AUTOVACUUM)})")
        op.execute(f"DROP INDEX {TRIGRAM_INDEX}")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_firm_id_id"))
        batch_op.drop_index(batch_op.f("ix_accounts_firm_id_status_id"))
