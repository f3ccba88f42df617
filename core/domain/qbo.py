"""What qbsync needs to know of a QBO customer, and how a QBO refusal reads to a bookkeeper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import QboError

DUPLICATE_NAME = "6240"


@dataclass(frozen=True)
class QboCustomer:
    """A QBO Customer as far as linking goes."""

    id: str
    display_name: str
    active: bool
    sync_token: str


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


def inactive_match_error(display_name: str, customer_id: str) -> dict[str, Any]:
    """The error for an account whose only namesake in QBO is an inactive (deleted) customer."""
    return sync_error(
        f"QuickBooks has an inactive (deleted) customer named {display_name!r} "
        f"(Id {customer_id}). Reactivate it in QuickBooks and sync again, "
        "or link this account to another customer.",
        "inactive_customer",
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
