"""Vendor and Employee: the other two name lists, kept minimal.

Create, read, full and sparse update and query; no delete (500, as for customers: "delete" is
`Active: false`). Their DisplayName follows the Customer rules and shares its uniqueness
(`names.py`). Vendor Balance stays 0: the sandbox has no bills. Employee has no CompanyName in
QBO's reference, so one sent is ignored like any unknown field.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sandbox.entities.fields import ADDRESS, Schema
from sandbox.entities.names import (
    NAME_LENGTHS,
    NAME_PARTS,
    claim_name,
    suffixed,
    validate_names,
)
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.writes import (
    US_DOLLAR,
    check_operation,
    identity,
    update_target,
    with_current,
)
from sandbox.realm import WriteContext

_CONTACT = {
    "PrimaryEmailAddr": ("Address",),
    "PrimaryPhone": ("FreeFormNumber",),
    "Mobile": ("FreeFormNumber",),
}


@dataclass(frozen=True)
class PersonKind:
    """One name list: its entity name, writable fields, and the fixed fields its rows start with."""

    entity: str
    schema: Schema
    head: Callable[[], JsonDict]


VENDOR = PersonKind(
    "Vendor",
    Schema(
        texts=(*NAME_PARTS, "DisplayName", "CompanyName", "PrintOnCheckName"),
        flags=("Active",),
        objects={**_CONTACT, "WebAddr": ("URI",), "BillAddr": ADDRESS},
    ),
    lambda: {"Balance": 0, "Vendor1099": False, "CurrencyRef": dict(US_DOLLAR)},
)
EMPLOYEE = PersonKind(
    "Employee",
    Schema(
        texts=(*NAME_PARTS, "DisplayName", "PrintOnCheckName"),
        flags=("Active",),
        objects={**_CONTACT, "PrimaryAddr": ADDRESS},
    ),
    lambda: {"BillableTime": False},
)
_LENGTHS = {**NAME_LENGTHS, "PrintOnCheckName": 100}


def save_person(kind: PersonKind, ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update a vendor or employee from a client's payload; return the stored row."""
    check_operation(kind.entity, operation, ("create", "update"))
    sent = clean(json_object(payload))
    current = update_target(ctx, kind.entity, sent, operation)
    fields = with_current(current, kind.schema.read(sent), kind.schema.writable, sent)
    active = fields.get("Active", True)
    display_name = suffixed(ctx, validate_names(ctx, fields, _LENGTHS), active, current)
    claim_name(ctx, display_name, None if current is None else current["Id"])
    row = {
        **kind.head(),
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, kind.entity, current),
        **{part: fields.get(part) for part in NAME_PARTS},
        "CompanyName": fields.get("CompanyName"),
        "DisplayName": display_name,
        "PrintOnCheckName": fields.get("PrintOnCheckName", display_name[:100]),
        "Active": active,
        **{name: fields.get(name) for name in kind.schema.objects},
    }
    stored = {key: value for key, value in row.items() if value is not None}
    ctx.realm.put(kind.entity, stored)
    ctx.journal(kind.entity, stored["Id"], "Create" if current is None else "Update")
    return stored


save_vendor = partial(save_person, VENDOR)
save_employee = partial(save_person, EMPLOYEE)
