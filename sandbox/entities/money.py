"""Amounts as QBO keeps them: exact decimals rounded half up to cents, written as JSON numbers."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.faults import business_rule, invalid_property

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Line amounts have at most 15 digits in QBO's "10.5" format: ten before the point.
_LIMIT = Decimal(10) ** 10


def number(value: Any, element: str) -> Decimal:
    """Read a JSON number (or a numeric string, as some clients send) exactly; 2010 if it is not."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid_property(f"Property Name:{element} specified is unsupported or invalid")
    try:
        read = Decimal(str(value))
    except InvalidOperation:
        raise invalid_property(
            f"Property Name:{element} specified is unsupported or invalid"
        ) from None
    if not read.is_finite():
        raise invalid_property(f"Property Name:{element} specified is unsupported or invalid")
    return read


def cents(value: Decimal) -> Decimal:
    """Round to cents, half up, as QBO rounds amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def amount(value: Any, element: str) -> Decimal:
    """Read an amount: a number of at most ten digits before the point, rounded to cents."""
    read = number(value, element)
    if abs(read) >= _LIMIT:
        raise business_rule(f"{element} cannot have more than 15 digits (10.5 format).", element)
    return cents(read)


def stored(value: Any) -> Decimal:
    """Read back an amount the sandbox stored itself."""
    return Decimal(str(value))


def as_json(value: Decimal) -> float:
    """Write an amount as QBO does: a JSON number such as 450.0."""
    return float(cents(value))


def as_plain_json(value: Decimal) -> int | float:
    """Write a quantity or price: an integer when whole (Qty 1), else a float (UnitPrice 12.75)."""
    return int(value) if value == value.to_integral_value() else float(value)


def shown(value: Decimal) -> str:
    """Write an amount as QBO's fault texts do: 1,000 or 1,861.07."""
    return f"{value.normalize():,f}"
