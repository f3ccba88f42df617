"""The first-sync view: a firm that has just connected syncs its accounts in bulk, watches
the counts and the progress bar fill in, and retries the failed ones."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from werkzeug.wrappers import Response

from api.context import app_context, current_firm_id
from api.web.blueprint import blp
from api.web.forms import done
from api.web.statuses import progress
from core.domain.status import SyncStatus
from core.services import accounts as account_service
from core.services import bulk_sync
from core.services.connection import connection_status
from core.services.settings import firm_settings


@blp.get("/first-sync")
def first_sync() -> Any:
    """The firm's accounts per status and how far their sync has come."""
    services, firm_id = app_context().services, current_firm_id()
    counts = account_service.account_summary(services.reader(), firm_id)
    return render_template(
        "web/first_sync.html",
        counts=counts,
        progress=progress(counts),
        connection=connection_status(services.reader(), firm_id, services.clock()),
        settings=firm_settings(services.reader(), firm_id),
    )


@blp.post("/first-sync")
def start_first_sync() -> Response:
    """Sync every account that was never synced (those the firm's first_sync_scope takes)."""
    queued, remaining = _sync_all(SyncStatus.NOT_SYNCED)
    if not queued:
        return done("No account is waiting for its first sync.", url_for("web.first_sync"))
    return done(_queued(queued, remaining, "for their first sync"), url_for("web.first_sync"))


@blp.post("/first-sync/retry-failed")
def retry_failed() -> Response:
    """Sync every Failed account again."""
    queued, remaining = _sync_all(SyncStatus.FAILED)
    if not queued:
        return done("No account has failed.", url_for("web.first_sync"))
    return done(_queued(queued, remaining, "again"), url_for("web.first_sync"))


def _queued(queued: int, remaining: int, what: str) -> str:
    message = f"{queued} account{'s' if queued != 1 else ''} queued {what}."
    if remaining:
        message += f" {remaining} more are left: press the button again to queue them."
    return message


def _sync_all(status: SyncStatus) -> tuple[int, int]:
    """Bulk-sync the accounts of `status`, as many bulk requests as they need (each takes at
    most MAX_BULK_ACCOUNTS); return how many were queued and how many are left.

    Only as many requests as there were accounts of the status at the start, so that
    accounts failing again meanwhile are not taken twice.
    """
    context, firm_id = app_context(), current_firm_id()
    services = context.services
    before = account_service.account_summary(services.reader(), firm_id)[status]
    rounds = -(-before // bulk_sync.MAX_BULK_ACCOUNTS)
    queued, remaining = 0, 0
    for _ in range(rounds):
        result = bulk_sync.bulk_sync(
            services.uow(),
            context.dispatcher,
            firm_id,
            bulk_sync.Selection(status=status),
            services.clock(),
        )
        taken = sum(item.outcome is bulk_sync.BulkOutcome.QUEUED for item in result.items)
        queued, remaining = queued + taken, result.remaining
        if not taken or not remaining:
            break
    return queued, remaining
