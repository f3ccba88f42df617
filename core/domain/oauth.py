"""The OAuth consent's rules that qbsync keeps (token answers are core.domain.qbo.QboTokens)."""

from __future__ import annotations

from datetime import datetime, timedelta

# A consent must come back within this; a state is single use.
STATE_LIFETIME = timedelta(minutes=10)
# Intuit ends a connection 5 years after consent; qbsync warns this long before.
HARD_LIMIT_WARNINGS = (timedelta(days=7), timedelta(days=30))


def hard_limit_warning(hard_expires_at: datetime | None, now: datetime) -> str | None:
    """The warning a connection near Intuit's 5-year limit carries, or None."""
    if hard_expires_at is None:
        return None
    if any(hard_expires_at - now <= window for window in HARD_LIMIT_WARNINGS):
        return (
            f"Intuit ends this connection on {hard_expires_at.date().isoformat()} (its 5-year "
            "limit); reconnect QuickBooks before then."
        )
    return None
