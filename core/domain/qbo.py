"""What qbsync reads of QBO's answers, and how a QBO refusal reads to a bookkeeper.

The value objects here are what `core.adapters.qbo.parsing` and its siblings make of QBO's JSON:
entities, query, batch and CDC answers, OAuth token answers and webhook events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeAlias, TypeVar

from core.errors import QboError

DUPLICATE_NAME = "6240"
# The customer type a created customer gets (SPEC §2.3); left empty where a company has none.
DEFAULT_CUSTOMER_TYPE = "Individual"


@dataclass(frozen=True)
class QboCustomer:
    """A QBO Customer as far as linking goes."""

    id: str
    display_name: str
    active: bool
    sync_token: str
    customer_type_id: str | None = None  # CustomerTypeRef, present only when a type is assigned
    email: str | None = None  # PrimaryEmailAddr.Address: one way to suggest a link (SPEC §2.4)


@dataclass(frozen=True)
class QboCustomerType:
    """A QBO CustomerType: read and query only."""

    id: str
    name: str
    active: bool
    sync_token: str


@dataclass(frozen=True)
class QboInvoice:
    """A QBO Invoice; TotalAmt and Balance are QBO's own sums (Balance 0 means paid)."""

    id: str
    sync_token: str
    customer_id: str
    total_amt: Decimal
    balance: Decimal
    doc_number: str | None = None
    txn_date: date | None = None
    due_date: date | None = None
    private_note: str | None = None  # a void prepends "Voided"
    linked_payment_ids: tuple[str, ...] = ()  # LinkedTxn of TxnType "Payment": applied payments


@dataclass(frozen=True)
class QboPayment:
    """A QBO Payment and the invoices its lines are applied to."""

    id: str
    sync_token: str
    customer_id: str
    total_amt: Decimal
    linked_invoice_ids: tuple[str, ...] = ()
    unapplied_amt: Decimal | None = None
    txn_date: date | None = None
    private_note: str | None = None  # a void answers TotalAmt 0 and the note "Voided"


# QBO's limit on an Item's Name (2050 beyond); the caller shortens or refuses longer names.
MAX_ITEM_NAME = 100


@dataclass(frozen=True)
class QboInvoiceLine:
    """One sales line to send: QBO refuses an amount other than quantity x unit price (6070)."""

    item_id: str
    amount: Decimal
    quantity: Decimal
    unit_price: Decimal
    description: str | None = None
    class_id: str | None = None


@dataclass(frozen=True)
class QboInvoiceDraft:
    """An invoice to create, or what an update sets; None leaves a field to QBO (or as it is)."""

    customer_id: str
    lines: tuple[QboInvoiceLine, ...]
    doc_number: str | None = None  # None: QBO numbers it (unless the company numbers by hand)
    txn_date: date | None = None  # None: QBO's server date
    due_date: date | None = None  # None: from the customer's or company's terms
    department_id: str | None = None  # a QBO "location"


@dataclass(frozen=True)
class QboPaymentDraft:
    """A payment applied in full to one invoice; QBO deposits it to Undeposited Funds."""

    customer_id: str
    total_amt: Decimal
    invoice_id: str
    txn_date: date | None = None
    payment_method_id: str | None = None
    private_note: str | None = None


@dataclass(frozen=True)
class QboDeleted:
    """What QBO answers for a deleted object: a delete's answer, or a stub in a CDC answer."""

    entity: str
    id: str
    last_updated: datetime | None = None


QboRecord: TypeAlias = QboCustomer | QboCustomerType | QboInvoice | QboPayment
QboEntity: TypeAlias = QboRecord | QboDeleted
E = TypeVar("E", QboCustomer, QboCustomerType, QboInvoice, QboPayment, QboDeleted)


@dataclass(frozen=True)
class QboQueryResponse:
    """A `QueryResponse`: the rows of one page, or the count of a `count(*)` query."""

    rows: tuple[QboEntity, ...] = ()
    start_position: int | None = None
    max_results: int | None = None
    total_count: int | None = None

    def of(self, kind: type[E]) -> list[E]:
        """The rows of one kind, in QBO's order."""
        return [row for row in self.rows if isinstance(row, kind)]


@dataclass(frozen=True)
class QboEntityChanges:
    """One entity's part of a CDC answer: changed objects, and stubs of deleted ones."""

    changed: tuple[QboRecord, ...] = ()
    deleted: tuple[QboDeleted, ...] = ()


# A batch item's answer: the entity written or read, a query's rows, or its fault, unraised.
QboBatchResult: TypeAlias = QboEntity | QboQueryResponse | QboError


@dataclass(frozen=True)
class QboTokens:
    """An OAuth token answer; lifetimes in seconds from the answer, tokens kept out of repr."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int  # seconds the access token lives (3600)
    refresh_expires_in: int  # seconds the refresh token lives; each refresh restarts the 101 days
    hard_expires_in: int | None = None  # seconds to the five-year cap, when the request asked
    id_token: str | None = field(default=None, repr=False)  # with the openid scope
    token_type: str = "bearer"

    def access_expires_at(self, now: datetime) -> datetime:
        """When the access token stops working, for an answer received at `now`."""
        return now + timedelta(seconds=self.expires_in)

    def refresh_expires_at(self, now: datetime) -> datetime:
        """When the refresh token dies unless used (the rolling 101 days)."""
        return now + timedelta(seconds=self.refresh_expires_in)

    def hard_expires_at(self, now: datetime) -> datetime | None:
        """The five-year cap, when the answer gave it."""
        if self.hard_expires_in is None:
            return None
        return now + timedelta(seconds=self.hard_expires_in)


WebhookOperation: TypeAlias = Literal["Create", "Update", "Delete", "Merge", "Void", "Emailed"]


@dataclass(frozen=True)
class Room:
    """What a company's share of QBO's minute still holds: single and batch requests, and,
    with room for neither, the seconds until some opens (design/jobs.md §6)."""

    singles: int
    batches: int
    wait_s: float = 0.0


@dataclass(frozen=True)
class QboWebhookEvent:
    """One change a webhook reports; events carry ids only, so the object is read afterwards."""

    realm_id: str
    entity: str
    entity_id: str
    operation: WebhookOperation
    time: datetime | None = None
    deleted_id: str | None = None  # on Merge: the Id merged away into entity_id
    event_id: str | None = None  # CloudEvents `id`, for spotting a delivery seen before


def display_name_for(account_name: str) -> str:
    """The QBO display name an account is matched and created under (SPEC §2.2: trimmed)."""
    return account_name.strip()


def sync_error(message: str, code: str, *, retryable: bool = False) -> dict[str, Any]:
    """An error of qbsync's own, stored in the shape of a QBO error (core.errors.QboError)."""
    return {
        "message": message,
        "code": code,
        "detail": None,
        "retryable": retryable,
        "intuit_tid": None,
    }


# QBO refuses these in display names (shared/qbo/README.md, Display names) and its limit.
FORBIDDEN_IN_NAMES = {":": "a colon", "\t": "a tab", "\n": "a line break", "\r": "a line break"}
MAX_DISPLAY_NAME = 500


def refused_name_error(display_name: str) -> dict[str, Any] | None:
    """The error for a name QBO would refuse, found before asking it; None if QBO takes it."""
    found = sorted({what for char, what in FORBIDDEN_IN_NAMES.items() if char in display_name})
    if found:
        return sync_error(
            f"QuickBooks does not allow {' or '.join(found)} in a customer name: rename the "
            "account in your practice system and sync it again.",
            "name_forbidden_characters",
        )
    if len(display_name) > MAX_DISPLAY_NAME:
        return sync_error(
            f"The name has {len(display_name)} characters and QuickBooks allows "
            f"{MAX_DISPLAY_NAME}: shorten it in your practice system and sync it again.",
            "name_too_long",
        )
    return None


def inactive_match_error(display_name: str, customer_id: str) -> dict[str, Any]:
    """The error for an account whose only namesake in QBO is an inactive (deleted) customer."""
    return sync_error(
        f"QuickBooks has an inactive (deleted) customer named {display_name!r} "
        f"(Id {customer_id}). Reactivate it in QuickBooks and sync again, "
        "or link this account to another customer.",
        "inactive_customer",
    )


CUSTOMER_DELETED = "customer_deleted"


def deleted_customer_error(customer_id: str, display_name: str | None) -> dict[str, Any]:
    """The error of an account whose linked customer was deleted (made inactive) or merged."""
    if display_name is not None:  # QBO still has it, inactive: what its UI calls deleted
        what = f"The QuickBooks customer {display_name!r} (Id {customer_id}) was deleted "
        what += "(made inactive) in QuickBooks"
    else:
        what = f"The QuickBooks customer with Id {customer_id} no longer exists: it was "
        what += "deleted or merged into another customer in QuickBooks"
    return sync_error(
        f"{what}, so this account is no longer linked to it. Sync the account again to link "
        "it to a customer or to create a new one.",
        CUSTOMER_DELETED,
    )


def explain_qbo_error(error: QboError, display_name: str) -> dict[str, Any]:
    """The stored error for a QBO refusal, worded for the bookkeeper who reads it on hover."""
    record = error.as_record()
    if error.code == DUPLICATE_NAME:
        record["message"] = (
            f"QuickBooks already uses the name {display_name!r} for a vendor, an employee or an "
            "inactive customer, so no customer can be created with it. Rename that record in "
            "QuickBooks, or link this account to an existing customer."
        )
    return record


DUPLICATE_DOC_NUMBER = "6140"
STALE_SYNC_TOKEN = "5010"  # the object changed in QBO since it was read
LINE_AMOUNT_MISMATCH = "6070"


def explain_push_error(error: QboError, what: str) -> dict[str, Any]:
    """The stored error for QBO refusing an invoice or payment, worded for the bookkeeper."""
    record = error.as_record()
    if error.code == DUPLICATE_DOC_NUMBER:
        record["message"] = (
            f"QuickBooks already has a transaction with this {what}'s number. Give the {what} "
            "another number in your practice system, or remove the other one in QuickBooks."
        )
    elif error.code in ("610", "2500"):
        record["message"] = (
            f"QuickBooks cannot use the customer or an item of this {what}: it was made "
            "inactive (deleted) or no longer exists. Reactivate it in QuickBooks, or sync the "
            "account again, then sync this again."
        )
    elif error.code == LINE_AMOUNT_MISMATCH:
        record["message"] = (
            "QuickBooks computed a line's amount differently (quantity times rate, in cents): "
            f"correct the {what} in your practice system."
        )
    return record
