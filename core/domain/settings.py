"""A firm's sync settings (SPEC §2.7): what syncs on its own, and from when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from core.domain.qbo import DEFAULT_CUSTOMER_TYPE


class FirstSyncScope(StrEnum):
    """Which accounts a first (bulk) sync takes."""

    ALL = "all"
    WITH_ACTIVITY = "with_activity"  # only accounts that have invoices or payments


@dataclass
class FirmSettings:
    """One firm's settings; a firm that never changed them has these defaults."""

    firm_id: int
    auto_sync_new_accounts: bool = False
    default_customer_type: str = DEFAULT_CUSTOMER_TYPE
    sync_invoices_from: date | None = None  # older invoices are not pushed
    sync_manual_payments: bool = True  # payments recorded by hand, unless a payment says
    first_sync_scope: FirstSyncScope = FirstSyncScope.ALL
    updated_at: datetime | None = None
