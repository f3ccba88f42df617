"""The firm's invoices and payments (SPEC §3): pushed one way to QBO once their account is linked.

Money is exact: amounts are Decimals of whole cents, as QBO keeps them; a line's amount is its
quantity times its rate rounded half up to cents (QBO refuses anything else with 6070), and an
invoice's total is the sum of its lines. A record deleted by the firm is kept, marked deleted,
until its QBO copy is deleted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from core.domain.records import StatusTracked
from core.domain.status import SyncStatus

CENT = Decimal("0.01")
# QBO's Amount holds at most 15 digits: 13 before the point and 2 after.
MAX_AMOUNT = Decimal("9999999999999.99")
# QBO's DocNumber holds at most 21 characters (2050 beyond).
MAX_INVOICE_NUMBER = 21


def line_amount(quantity: Decimal, rate: Decimal) -> Decimal:
    """What QBO makes of quantity times rate: rounded half up to cents."""
    return (quantity * rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice: a service sold, with its own description, quantity and rate."""

    service: str  # the QBO Service item's name, found or created once per company
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    description: str | None = None


@dataclass
class _Pushed(StatusTracked):
    """What invoices and payments share: a sync status, its history, and their QBO copy."""

    firm_id: int
    external_id: str
    created_at: datetime
    updated_at: datetime
    status: SyncStatus = SyncStatus.NOT_SYNCED
    error: dict[str, Any] | None = None
    qbo_id: str | None = None
    qbo_sync_token: str | None = None
    last_synced_at: datetime | None = None
    version: int = 1  # goes up with every change the firm sends
    pushed_version: int = 0  # the version QBO holds
    deleted_at: datetime | None = None  # deleted by the firm; its QBO copy goes next
    id: int | None = None

    @property
    def up_to_date(self) -> bool:
        """Whether QBO holds what the firm last sent (or, once deleted, holds nothing)."""
        if self.deleted_at is not None:
            return self.qbo_id is None
        return self.qbo_id is not None and self.pushed_version >= self.version


@dataclass
class Invoice(_Pushed):
    """An invoice of one of the firm's accounts."""

    account_id: int = 0
    number: str | None = None  # the firm's invoice number: QBO's DocNumber
    issued_on: date | None = None  # TxnDate
    due_on: date | None = None
    lines: tuple[InvoiceLine, ...] = ()
    total: Decimal = Decimal("0.00")
    class_name: str | None = None  # a QBO Class
    location_name: str | None = None  # a QBO Department
    skipped_with_account: bool = False  # Skipped because its account was; synced back with it

    record_type: ClassVar[str] = "invoice"


@dataclass
class Payment(_Pushed):
    """A payment of one invoice, pushed as a QBO Payment linked to it."""

    invoice_id: int = 0
    amount: Decimal = Decimal("0.00")
    paid_on: date | None = None
    method: str | None = None
    sync: bool | None = None  # the request's own choice; None follows sync_manual_payments

    record_type: ClassVar[str] = "payment"
