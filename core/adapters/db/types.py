"""Column types that behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from core.domain.billing import InvoiceLine


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite hands back naive values: they were stored as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: Any) -> sa.Enum:
    """A portable enum column that stores the members' values, not their names."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class InvoiceLines(sa.TypeDecorator[tuple[Any, ...]]):
    """An invoice's lines as one JSON list, money kept as exact decimal strings."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[Any, ...] | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return [
            {
                "service": line.service,
                "description": line.description,
                "quantity": str(line.quantity),
                "rate": str(line.rate),
                "amount": str(line.amount),
            }
            for line in value
        ]

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> tuple[Any, ...] | None:
        if value is None:
            return None
        return tuple(
            InvoiceLine(
                service=line["service"],
                description=line["description"],
                quantity=Decimal(line["quantity"]),
                rate=Decimal(line["rate"]),
                amount=Decimal(line["amount"]),
            )
            for line in value
        )
