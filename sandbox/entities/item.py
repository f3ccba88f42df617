"""Item (products and services): create, read, full and sparse update, query.

Type is required: "Service" or "NonInventory" (Inventory, Category and Group items are not
modelled: 6000). Name is required, unique among items (6240), at most 100 characters.
IncomeAccountRef is required for both types (decision: QBO requires it for Service and the
sandbox sells NonInventory items too) and must name an active Income or Other Income account
(6000 otherwise); ExpenseAccountRef, which integrations omit, is optional. "Delete" is
`Active: false`; the name is kept. Sub-items are not modelled: FullyQualifiedName is the Name.
"""

from decimal import Decimal

from sandbox.entities.account_types import INCOME_TYPES
from sandbox.entities.fields import REF, Schema
from sandbox.entities.money import as_plain_json, number
from sandbox.entities.names import claim_list_name
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.writes import (
    check_lengths,
    check_operation,
    identity,
    referenced,
    required,
    update_target,
    with_current,
)
from sandbox.faults import business_rule, invalid_property
from sandbox.realm import WriteContext

SCHEMA = Schema(
    texts=("Name", "Type", "Description", "Sku"),
    flags=("Active", "Taxable"),
    numbers=("UnitPrice", "PurchaseCost"),
    objects={"IncomeAccountRef": REF, "ExpenseAccountRef": REF},
)
TYPES = ("Service", "NonInventory")
_NOT_MODELLED = ("Inventory", "Category", "Group")
_LENGTHS = {"Name": 100, "Description": 4000, "Sku": 100}


def save_item(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update an item from a client's payload and return the stored row."""
    check_operation("Item", operation, ("create", "update"))
    sent = clean(json_object(payload))
    current = update_target(ctx, "Item", sent, operation)
    fields = with_current(current, SCHEMA.read(sent), SCHEMA.writable, sent)
    required(fields, "Name", "Type")
    check_lengths(fields, _LENGTHS)
    _check_type(fields["Type"])
    required(fields, "IncomeAccountRef")
    income = referenced(ctx, "Account", fields["IncomeAccountRef"], "IncomeAccountRef")
    if income["AccountType"] not in INCOME_TYPES:
        raise business_rule("IncomeAccountRef must name an income account.", "IncomeAccountRef")
    expense = fields.get("ExpenseAccountRef")
    if expense is not None:
        expense = referenced(ctx, "Account", expense, "ExpenseAccountRef")
    claim_list_name(ctx, "Item", "Name", fields["Name"], None if current is None else current["Id"])
    row = {
        "Name": fields["Name"],
        "Description": fields.get("Description"),
        "Sku": fields.get("Sku"),
        "Active": fields.get("Active", True),
        "FullyQualifiedName": fields["Name"],
        "Taxable": fields.get("Taxable", False),
        "UnitPrice": _price(fields.get("UnitPrice", Decimal(0)), "UnitPrice"),
        "Type": fields["Type"],
        "IncomeAccountRef": {"value": income["Id"], "name": income["Name"]},
        "ExpenseAccountRef": None
        if expense is None
        else {"value": expense["Id"], "name": expense["Name"]},
        "PurchaseCost": _price(fields.get("PurchaseCost", Decimal(0)), "PurchaseCost"),
        "TrackQtyOnHand": False,
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, "Item", current),
    }
    stored = {key: value for key, value in row.items() if value is not None}
    ctx.realm.put("Item", stored)
    ctx.journal("Item", stored["Id"], "Create" if current is None else "Update")
    return stored


def _check_type(item_type: str) -> None:
    if item_type in _NOT_MODELLED:
        raise business_rule(f"Items of Type {item_type} are not supported by the sandbox.", "Type")
    if item_type not in TYPES:
        raise invalid_property("Property Name:Type specified is unsupported or invalid")


def _price(value: Decimal | float, element: str) -> int | float:
    return as_plain_json(number(value, element))
