"""Request and response schemas of invoices and payments, and the exact reading of their money.

Money never passes through a float: the billing blueprints parse JSON numbers as Decimals
(ExactJsonParser), and the fields take JSON strings or numbers, refusing NaN and infinity,
more decimal places than QBO keeps, and amounts beyond what QBO holds.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, localcontext
from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from api.schemas import (
    AnswerSchema,
    ApiParser,
    PageArgsSchema,
    StrictBoolean,
    StrictSchema,
    SyncErrorSchema,
)
from core.domain.billing import CENT, MAX_AMOUNT, MAX_INVOICE_NUMBER, InvoiceLine, line_amount
from core.domain.status import SyncStatus
from core.services.invoices import InvoiceContent
from core.services.payments import PaymentContent

MAX_LINES = 250
QUANTITY_PLACES = 5  # QBO keeps Qty and UnitPrice to 5 decimal places
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DECIMAL_ERRORS = {
    "invalid": 'Not a decimal number: send one such as "12.50".',
    "special": "NaN and infinity are not numbers.",
    "places": "At most {places} decimal places.",
    "range": "Must be between -{limit} and {limit}.",
}


class ExactJsonParser(ApiParser):
    """The API's parser, reading JSON numbers as Decimals instead of floats and ints."""

    def parse_body(self, body: bytes) -> Any:
        return json.loads(body, parse_float=Decimal, parse_int=Decimal)


class ExactDecimal(fields.Field[Decimal]):
    """A decimal number sent as a JSON string ("12.50") or number, read exactly.

    At most `places` decimal places (trailing zeros aside) and within ±`limit`. Money
    (`places=2`) is shown with its two places; other numbers without trailing zeros.
    """

    def __init__(self, *, places: int, limit: Decimal = MAX_AMOUNT, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"type": "string", "format": "decimal", **kwargs["metadata"]}
        kwargs["error_messages"] = {**_DECIMAL_ERRORS, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)
        self.places = places
        self.limit = limit
        self.step = Decimal(1).scaleb(-places)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        number = self._read(value)
        if not number.is_finite():
            raise self.make_error("special")
        if number.copy_abs() > self.limit:  # copy_abs, unlike abs, never overflows
            raise self.make_error("range", limit=self.limit)
        if number.quantize(self.step) != number:
            raise self.make_error("places", places=self.places)
        if self.places == 2:
            return number.quantize(CENT) + 0  # "+ 0" turns -0.00 into 0.00
        if number == number.to_integral_value():
            return number.quantize(Decimal(1)) + 0
        return number.normalize()

    def _read(self, value: Any) -> Decimal:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, Decimal | int):
            return Decimal(value)
        if isinstance(value, float):  # only NaN and infinity arrive so through ExactJsonParser
            return Decimal(repr(value))
        if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value):
            return Decimal(value)
        raise self.make_error("invalid")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(value.quantize(CENT) if self.places == 2 else value)


def Money(**kwargs: Any) -> ExactDecimal:
    """An amount of money: cents, within what QBO's 15-digit Amount holds."""
    return ExactDecimal(places=2, **kwargs)


class QboName(fields.String):
    """A QBO list item's name (a Service item): no colon, tab or line break, no outer spaces."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=1, max=100), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        name: str = super()._deserialize(value, attr, data, **kwargs)
        if not name.strip():
            raise ValidationError("The name must contain more than white space.")
        if name != name.strip():
            raise ValidationError("Give the name without surrounding spaces.")
        if any(char in name for char in ":\t\r\n"):
            raise ValidationError("A QBO name cannot hold a colon, tab or line break.")
        return name


def _not_blank(value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValidationError("Must contain more than white space.")


def _optional_text(max_length: int, description: str, **kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True,
        load_default=None,
        validate=[validate.Length(min=1, max=max_length), _not_blank],
        metadata={"description": description},
        **kwargs,
    )


class InvoiceLineInSchema(StrictSchema):
    service = QboName(
        required=True, metadata={"description": "The QBO Service item's name (found or created)"}
    )
    description = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=4000)
    )
    quantity = ExactDecimal(places=QUANTITY_PLACES, required=True)
    rate = ExactDecimal(places=QUANTITY_PLACES, required=True)
    amount = Money(
        required=True, metadata={"description": "quantity times rate, rounded half up to cents"}
    )

    @post_load
    def make_line(self, data: dict[str, Any], **_: Any) -> InvoiceLine:
        return InvoiceLine(**data)


class InvoiceInSchema(StrictSchema):
    """An invoice as the firm's system has it; its amounts must add up."""

    account_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The firm's id of the invoice's account"},
    )
    number = _optional_text(MAX_INVOICE_NUMBER, "The invoice number (QBO's DocNumber)")
    issued_on = fields.Date(required=True)
    due_on = fields.Date(allow_none=True, load_default=None)
    lines = fields.List(
        fields.Nested(InvoiceLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_LINES),
    )
    total = Money(required=True, metadata={"description": "The sum of the lines' amounts"})
    class_name = _optional_text(100, "A QBO Class", data_key="class")
    location_name = _optional_text(100, "A QBO location (Department)", data_key="location")

    @validates_schema
    def due_after_issue(self, data: dict[str, Any], **_: Any) -> None:
        if data["due_on"] is not None and data["due_on"] < data["issued_on"]:
            raise ValidationError("The due date cannot be before the issue date.", "due_on")

    @validates_schema
    def amounts_add_up(self, data: dict[str, Any], **_: Any) -> None:
        lines: list[InvoiceLine] = data["lines"]
        errors: dict[str, Any] = {}
        with localcontext() as exact:
            exact.prec = 60  # quantity times rate exactly: the bounds keep it under 40 digits
            wrong = {
                index: {"amount": [f"quantity times rate, rounded to cents, is {expected}."]}
                for index, line in enumerate(lines)
                if line.amount != (expected := line_amount(line.quantity, line.rate))
            }
            if wrong:
                errors["lines"] = wrong
            total = sum((line.amount for line in lines), Decimal("0.00"))
        if data["total"] != total:
            errors["total"] = [f"The lines' amounts add up to {total}."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make_content(self, data: dict[str, Any], **_: Any) -> InvoiceContent:
        return InvoiceContent(
            account_external_id=data.pop("account_id"), lines=tuple(data.pop("lines")), **data
        )


class InvoiceLineSchema(AnswerSchema):
    service = fields.String()
    description = fields.String(allow_none=True)
    quantity = ExactDecimal(places=QUANTITY_PLACES)
    rate = ExactDecimal(places=QUANTITY_PLACES)
    amount = Money()


class InvoiceSchema(AnswerSchema):
    external_id = fields.String()
    account_id = fields.String(metadata={"description": "The firm's id of its account"})
    number = fields.String(allow_none=True)
    issued_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    total = Money()
    class_name = fields.String(allow_none=True, data_key="class")
    location_name = fields.String(allow_none=True, data_key="location")
    payments = fields.List(fields.String(), metadata={"description": "Its payments' ids"})
    status = fields.Enum(SyncStatus, by_value=True)
    error = fields.Nested(SyncErrorSchema, allow_none=True)
    qbo_id = fields.String(allow_none=True, metadata={"description": "The QBO invoice's Id"})
    last_synced_at = fields.DateTime(allow_none=True)
    version = fields.Integer(metadata={"description": "Goes up with every change"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InvoiceListArgsSchema(PageArgsSchema):
    status = fields.Enum(SyncStatus, by_value=True, load_default=None)
    account_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))
    issued_from = fields.Date(load_default=None)
    issued_to = fields.Date(load_default=None)

    @validates_schema
    def a_real_range(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("issued_from"), data.get("issued_to")
        if start is not None and end is not None and end < start:
            raise ValidationError("issued_to cannot be before issued_from.", "issued_to")


class InvoicePageSchema(AnswerSchema):
    items = fields.List(fields.Nested(InvoiceSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class PaymentInSchema(StrictSchema):
    """A payment of one invoice, as the firm's system has it."""

    invoice_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The firm's id of the invoice paid"},
    )
    amount = Money(
        required=True,
        validate=validate.Range(
            min=Decimal(0), min_inclusive=False, error="The amount must be more than zero."
        ),
        metadata={"description": "More than zero, and not more than the invoice's total"},
    )
    paid_on = fields.Date(required=True)
    method = _optional_text(100, "How it was paid")
    sync = StrictBoolean(
        allow_none=True,
        load_default=None,
        metadata={"description": "Push it to QBO or not; left out, the firm's setting decides"},
    )

    @post_load
    def make_content(self, data: dict[str, Any], **_: Any) -> PaymentContent:
        return PaymentContent(invoice_external_id=data.pop("invoice_id"), **data)


class PaymentSchema(AnswerSchema):
    external_id = fields.String()
    invoice_id = fields.String(metadata={"description": "The firm's id of its invoice"})
    amount = Money()
    paid_on = fields.Date()
    method = fields.String(allow_none=True)
    sync = fields.Boolean(allow_none=True)
    status = fields.Enum(SyncStatus, by_value=True)
    error = fields.Nested(SyncErrorSchema, allow_none=True)
    qbo_id = fields.String(allow_none=True, metadata={"description": "The QBO payment's Id"})
    last_synced_at = fields.DateTime(allow_none=True)
    version = fields.Integer(metadata={"description": "Goes up with every change"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PaymentListArgsSchema(PageArgsSchema):
    status = fields.Enum(SyncStatus, by_value=True, load_default=None)
    invoice_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class PaymentPageSchema(AnswerSchema):
    items = fields.List(fields.Nested(PaymentSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


# Examples shown in the OpenAPI document (tests/api/test_openapi.py sends the requests).
INVOICE_IN_EXAMPLE = {
    "account_id": "c-1",
    "number": "INV-1001",
    "issued_on": "2026-03-01",
    "due_on": "2026-03-31",
    "lines": [
        {
            "service": "Tax preparation",
            "description": "2025 individual return",
            "quantity": "2",
            "rate": "225",
            "amount": "450.00",
        }
    ],
    "total": "450.00",
    "class": None,
    "location": None,
}
INVOICE_EXAMPLE = {
    "external_id": "i-1",
    **INVOICE_IN_EXAMPLE,
    "payments": ["p-1"],
    "status": "synced",
    "error": None,
    "qbo_id": "130",
    "last_synced_at": "2026-03-01T10:15:04.512345+00:00",
    "version": 1,
    "created_at": "2026-03-01T10:15:03.004512+00:00",
    "updated_at": "2026-03-01T10:15:04.512345+00:00",
}
PAYMENT_IN_EXAMPLE = {
    "invoice_id": "i-1",
    "amount": "100.00",
    "paid_on": "2026-03-15",
    "method": "Check",
    "sync": True,
}
PAYMENT_EXAMPLE = {
    "external_id": "p-1",
    **PAYMENT_IN_EXAMPLE,
    "status": "syncing",
    "error": None,
    "qbo_id": None,
    "last_synced_at": None,
    "version": 1,
    "created_at": "2026-03-15T09:01:12.734120+00:00",
    "updated_at": "2026-03-15T09:01:12.734120+00:00",
}
