"""Reading single fields of a decoded QBO payload, with one clear error when one is missing.

Every reader names what it read (`"Invoice"`) so that the `QboPayloadError` says which object
lacked which field; unknown fields are never looked at, so they cannot break a parser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import QboPayloadError

Json = Mapping[str, Any]


def obj(value: Any, what: str) -> Json:
    """The value as a JSON object, or QboPayloadError naming what it should have been."""
    if not isinstance(value, Mapping):
        raise QboPayloadError(f"QuickBooks sent {what} that is not a JSON object")
    return value


def items(value: Any, what: str) -> list[Any]:
    """The value as a JSON array; an absent (None) array is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise QboPayloadError(f"QuickBooks sent {what} that is not a JSON array")
    return value


def text(row: Json, key: str, what: str) -> str:
    """A required string field; an Id or SyncToken sent as a number is read as its string."""
    value = optional_text(row, key, what)
    if value is None:
        raise QboPayloadError(f"QuickBooks sent {what} without {key}")
    return value


def optional_text(row: Json, key: str, what: str) -> str | None:
    """A string field that may be absent or null."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a string")
    return str(value)


def ref(row: Json, key: str, what: str) -> str:
    """The `value` (an Id) of a required reference such as `CustomerRef`."""
    return text(obj(row.get(key), f"{what} {key}"), "value", f"{what} {key}")


def optional_ref(row: Json, key: str, what: str) -> str | None:
    """The `value` of a reference that may be absent."""
    return None if row.get(key) is None else ref(row, key, what)


def amount(row: Json, key: str, what: str) -> Decimal:
    """A required amount, exact: QBO writes amounts as JSON numbers (450.0)."""
    value = optional_amount(row, key, what)
    if value is None:
        raise QboPayloadError(f"QuickBooks sent {what} without {key}")
    return value


def optional_amount(row: Json, key: str, what: str) -> Decimal | None:
    """An amount that may be absent; str() first, so 0.1 stays 0.1 and not its float binary."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a number") from exc


def optional_count(row: Json, key: str, what: str) -> int | None:
    """A whole number that may be absent (startPosition, expires_in …)."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a whole number")
    try:
        return int(value)
    except ValueError as exc:
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a whole number") from exc


def count(row: Json, key: str, what: str) -> int:
    """A required whole number."""
    value = optional_count(row, key, what)
    if value is None:
        raise QboPayloadError(f"QuickBooks sent {what} without {key}")
    return value


def flag(row: Json, key: str, what: str, *, default: bool) -> bool:
    """A boolean field, `default` when absent."""
    value = row.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not true or false")
    return value


def optional_date(row: Json, key: str, what: str) -> date | None:
    """A `YYYY-MM-DD` date (TxnDate, DueDate) that may be absent."""
    value = optional_text(row, key, what)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a date") from exc


def optional_time(row: Json, key: str, what: str) -> datetime | None:
    """An ISO 8601 time that may be absent; CloudEvents' nanoseconds are cut to microseconds."""
    value = optional_text(row, key, what)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise QboPayloadError(f"QuickBooks sent {what} whose {key} is not a time") from exc
