"""The scheduler's token sweep: keep idle connections alive, and warn of the 5-year limit.

A refresh token dies after 101 idle days; a firm with no work for months would lose its
connection. The sweep refreshes every connection whose refresh token has less than
REFRESH_WHEN_LEFT to live. Intuit ends every connection 5 years after consent; the sweep logs
a warning from 30 days before, and GET /v1/connection shows it (core.domain.oauth).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.domain.oauth import hard_limit_warning
from core.errors import NotConnectedError, QboError
from core.ports import UnitOfWork
from core.services.tokens import TokenKeeper

log = logging.getLogger(__name__)

REFRESH_WHEN_LEFT = timedelta(days=60)


def sweep_tokens(uow: UnitOfWork, keeper: TokenKeeper, now: datetime) -> int:
    """Refresh connections whose refresh token nears its idle end; return how many."""
    with uow:
        connections = [c for c in uow.connections.all() if c.broken_reason is None]
    refreshed = 0
    for connection in connections:
        warning = hard_limit_warning(connection.hard_expires_at, now)
        if warning:
            log.warning("firm %s: %s", connection.firm_id, warning)
        ends = connection.refresh_expires_at
        if ends is None or ends - now > REFRESH_WHEN_LEFT:
            continue
        try:
            keeper.refresh(connection.firm_id)
            refreshed += 1
        except (NotConnectedError, QboError) as exc:  # the next sweep tries again
            log.warning("firm %s: token refresh failed: %s", connection.firm_id, exc)
    return refreshed
