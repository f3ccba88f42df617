"""The SQL schema, and the mapping of the domain's records onto it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry

from core.adapters.db.types import InvoiceLines, UtcDateTime, enum_column
from core.domain.billing import Invoice, Payment
from core.domain.jobs import Job, JobKind, JobState, Lane
from core.domain.records import (
    Account,
    ApiKey,
    CustomerMerge,
    Firm,
    OAuthState,
    QboConnection,
    StatusChange,
)
from core.domain.settings import FirmSettings, FirstSyncScope
from core.domain.status import SyncStatus
from core.domain.status_events import StatusEventSubscription

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)

firms = sa.Table(
    "firms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False, index=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
)

qbo_connections = sa.Table(
    "qbo_connections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False, unique=True),
    sa.Column("realm_id", sa.String(32), nullable=False),
    sa.Column("api_base_url", sa.String(500), nullable=False),
    sa.Column("sealed_access_token", sa.Text, nullable=False),
    sa.Column("connected_at", UtcDateTime, nullable=False),
    sa.Column("sealed_refresh_token", sa.Text),
    sa.Column("access_expires_at", UtcDateTime),
    sa.Column("refresh_expires_at", UtcDateTime),
    sa.Column("hard_expires_at", UtcDateTime),
    sa.Column("broken_reason", sa.String(500)),
    sa.Column("changes_checked_at", UtcDateTime),
)

firm_settings = sa.Table(
    "firm_settings",
    metadata,
    sa.Column("firm_id", sa.ForeignKey("firms.id"), primary_key=True),
    sa.Column("auto_sync_new_accounts", sa.Boolean, nullable=False),
    sa.Column("default_customer_type", sa.String(100), nullable=False),
    sa.Column("sync_invoices_from", sa.Date),
    sa.Column("sync_manual_payments", sa.Boolean, nullable=False),
    sa.Column("first_sync_scope", enum_column(FirstSyncScope), nullable=False),
    sa.Column("updated_at", UtcDateTime),
)

customer_merges = sa.Table(
    "customer_merges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("realm_id", sa.String(32), nullable=False),
    sa.Column("merged_id", sa.String(32), nullable=False),
    sa.Column("survivor_id", sa.String(32), nullable=False),
    sa.Column("merged_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("realm_id", "merged_id"),
)

oauth_states = sa.Table(
    "oauth_states",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False),
    sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False),
    sa.Column("external_id", sa.String(200), nullable=False),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("status", enum_column(SyncStatus), nullable=False),
    sa.Column("qbo_customer_id", sa.String(32)),
    sa.Column("error", sa.JSON),
    sa.Column("email", sa.String(320)),
    sa.Column("last_synced_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("firm_id", "external_id"),
    # Counts by status: equal keys share one entry, so counting reads a small index.
    sa.Index(None, "firm_id", "status"),
    # A page of the list (of one status, or all) in id order from the index alone. (On
    # PostgreSQL autovacuum keeps the visibility map these scans rely on fresher for accounts
    # than for other tables: migration 0007.)
    sa.Index(None, "firm_id", "status", "id"),
    sa.Index(None, "firm_id", "id"),
    # Webhooks and the CDC poll look up the accounts linked to a changed customer.
    sa.Index(None, "firm_id", "qbo_customer_id"),
)
# Name searches (`q`: contains, any case) on PostgreSQL, whose pg_trgm serves LIKE '%...%';
# SQLite has no such index and scans.
sa.Index(
    "ix_accounts_lower_name_trgm",
    sa.func.lower(accounts.c.name).label("lower_name"),
    postgresql_using="gin",
    postgresql_ops={"lower_name": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")

# How many accounts each firm has of each status, kept in step with every account written
# (core.adapters.db.account_counts): a list's total and the summary read one row, not count
# a firm's 100,000 accounts.
account_counts = sa.Table(
    "account_counts",
    metadata,
    sa.Column("firm_id", sa.ForeignKey("firms.id"), primary_key=True),
    sa.Column("status", enum_column(SyncStatus), primary_key=True),
    # Each transaction adds its moves to one of a few rows a status, picked at random, so
    # that workers settling one firm's accounts at once seldom wait for each other's lock.
    sa.Column("shard", sa.Integer, primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

MONEY = sa.Numeric(15, 2)


def _pushed_columns() -> list[sa.Column[Any]]:
    """The columns invoices and payments share: status, error, their QBO copy, versions."""
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("status", enum_column(SyncStatus), nullable=False),
        sa.Column("error", sa.JSON),
        sa.Column("qbo_id", sa.String(32)),
        sa.Column("qbo_sync_token", sa.String(32)),
        sa.Column("last_synced_at", UtcDateTime),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("pushed_version", sa.Integer, nullable=False),
        sa.Column("deleted_at", UtcDateTime),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    ]


invoices = sa.Table(
    "invoices",
    metadata,
    *_pushed_columns(),
    sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("number", sa.String(21)),
    sa.Column("issued_on", sa.Date),
    sa.Column("due_on", sa.Date),
    sa.Column("lines", InvoiceLines, nullable=False),
    sa.Column("total", MONEY, nullable=False),
    sa.Column("class_name", sa.String(100)),
    sa.Column("location_name", sa.String(100)),
    sa.Column("skipped_with_account", sa.Boolean, nullable=False),
    sa.UniqueConstraint("firm_id", "external_id"),
    sa.Index(None, "firm_id", "status"),
    sa.Index(None, "account_id"),
)

payments = sa.Table(
    "payments",
    metadata,
    *_pushed_columns(),
    sa.Column("invoice_id", sa.ForeignKey("invoices.id"), nullable=False),
    sa.Column("amount", MONEY, nullable=False),
    sa.Column("paid_on", sa.Date),
    sa.Column("method", sa.String(100)),
    sa.Column("sync", sa.Boolean),
    sa.UniqueConstraint("firm_id", "external_id"),
    sa.Index(None, "firm_id", "status"),
    sa.Index(None, "invoice_id"),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False, index=True),
    sa.Column("kind", enum_column(JobKind), nullable=False),
    sa.Column("target_type", sa.String(16), nullable=False),
    sa.Column("target_id", sa.Integer, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("lane", enum_column(Lane)),
    # The latest write to QBO recorded for the job (qbo_sends); resent while unanswered.
    sa.Column("send_id", sa.String(32)),
    sa.Column("state", enum_column(JobState), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    # Attempts a worker's stop interrupted: not counted towards MAX_ATTEMPTS (see Job).
    sa.Column("interruptions", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("lease_owner", sa.String(100)),
    sa.Column("lease_until", UtcDateTime),
    sa.Column("published_at", UtcDateTime),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.JSON),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime),
    sa.Column("finished_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime),
    # One queued or running job per record: two jobs never write one record's QBO data at once.
    sa.Index(
        "uq_jobs_one_active_per_target",
        "target_type",
        "target_id",
        unique=True,
        sqlite_where=sa.text("state IN ('queued', 'running')"),
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    ),
    # The relay sweep's scan.
    sa.Index(None, "state", "next_attempt_at"),
    # A lane run takes the firm's oldest due jobs of its lane, and counts the runs at work.
    sa.Index(None, "firm_id", "lane", "state", "created_at"),
)

# Writes to QBO recorded before they are sent (core.domain.sends), until their answer is kept.
qbo_sends = sa.Table(
    "qbo_sends",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("request_id", sa.String(50), nullable=False),
    sa.Column("batch", sa.Boolean, nullable=False),
    # [{"job_id", "bid", "draft"}]: exactly what the request carries, for which job.
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
)

status_changes = sa.Table(
    "status_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("firm_id", sa.ForeignKey("firms.id"), nullable=False),
    sa.Column("record_type", sa.String(16), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("from_status", enum_column(SyncStatus), nullable=False),
    sa.Column("to_status", enum_column(SyncStatus), nullable=False),
    sa.Column("cause", sa.String(200), nullable=False),
    sa.Column("job_id", sa.String(36)),
    sa.Column("error", sa.JSON),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Index(None, "record_type", "record_id"),
    # Status-event delivery reads a firm's changes after the last one it delivered.
    sa.Index(None, "firm_id", "id"),
)

status_event_subscriptions = sa.Table(
    "status_event_subscriptions",
    metadata,
    sa.Column("firm_id", sa.ForeignKey("firms.id"), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("sealed_secret", sa.Text, nullable=False),
    sa.Column("delivered_through", sa.Integer, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.JSON),
    sa.Column("last_delivered_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)


def map_records() -> None:
    """Map the domain's dataclasses onto the tables, once per process."""
    if sa.inspect(Firm, raiseerr=False) is not None:
        return
    mapper_registry.map_imperatively(Firm, firms)
    mapper_registry.map_imperatively(ApiKey, api_keys)
    mapper_registry.map_imperatively(QboConnection, qbo_connections)
    mapper_registry.map_imperatively(OAuthState, oauth_states)
    mapper_registry.map_imperatively(Account, accounts)
    mapper_registry.map_imperatively(Job, jobs)
    mapper_registry.map_imperatively(StatusChange, status_changes)
    mapper_registry.map_imperatively(FirmSettings, firm_settings)
    mapper_registry.map_imperatively(CustomerMerge, customer_merges)
    mapper_registry.map_imperatively(Invoice, invoices)
    mapper_registry.map_imperatively(Payment, payments)
    mapper_registry.map_imperatively(StatusEventSubscription, status_event_subscriptions)
