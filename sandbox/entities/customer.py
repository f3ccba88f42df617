"""Customer writes as QBO applies them: create, full update and sparse update.

Customers are never deleted: `?operation=delete` is refused with 500 "Unsupported Operation";
"delete" is a sparse `Active: false`, refused with 6000 while the Balance is not zero (switch
`deactivate_with_balance`). Balance and BalanceWithJobs are read-only: the sandbox derives them
from the customer's invoices and payments (`balances.py`).
"""

import secrets

from sandbox.entities.address import stored_address
from sandbox.entities.balances import refresh_balances
from sandbox.entities.customer_fields import CUSTOMER_SCHEMA
from sandbox.entities.customer_rules import validate_customer
from sandbox.entities.customer_tree import customer_parent
from sandbox.entities.hierarchy import level, qualified_name, refresh_names
from sandbox.entities.names import NAME_PARTS
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.writes import (
    US_DOLLAR,
    check_operation,
    identity,
    update_target,
    with_current,
)
from sandbox.realm import WriteContext


def save_customer(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update a customer from a client's payload and return the stored row."""
    check_operation("Customer", operation, ("create", "update"))
    sent = clean(json_object(payload))
    current = update_target(ctx, "Customer", sent, operation)
    fields = with_current(current, CUSTOMER_SCHEMA.read(sent), CUSTOMER_SCHEMA.writable, sent)
    display_name = validate_customer(ctx, fields, current)
    parent = customer_parent(ctx, fields, None if current is None else current["Id"])
    row = _customer_row(ctx, fields, display_name, parent, current)
    ctx.realm.put("Customer", row)
    refresh_names(ctx.realm, "Customer", row["Id"], "DisplayName")
    if current is not None and current.get("ParentRef") != row.get("ParentRef"):
        refresh_balances(ctx.realm)  # the balances with jobs above it change
    ctx.journal("Customer", row["Id"], "Create" if current is None else "Update")
    return row


def _customer_row(
    ctx: WriteContext,
    fields: JsonDict,
    display_name: str,
    parent: JsonDict | None,
    current: JsonDict | None,
) -> JsonDict:
    """Build the stored JSON, keys in QBO's order; fields without a value are left out."""
    balance = 0 if current is None else current["Balance"]
    with_jobs = 0 if current is None else current["BalanceWithJobs"]
    pseudonym = "0020" + secrets.token_hex(17) if current is None else current["V4IDPseudonym"]
    row = {
        "Taxable": fields.get("Taxable", True),
        **{
            kind: stored_address(ctx, fields.get(kind), (current or {}).get(kind))
            for kind in ("BillAddr", "ShipAddr")
        },
        "Notes": fields.get("Notes"),
        "Job": parent is not None,
        "BillWithParent": parent is not None and fields.get("BillWithParent", False),
        "ParentRef": None if parent is None else {"value": parent["Id"]},
        "Level": None if parent is None else level(ctx.realm, "Customer", parent) + 1,
        "Balance": balance,
        "BalanceWithJobs": with_jobs,
        "CurrencyRef": dict(US_DOLLAR),
        "PreferredDeliveryMethod": fields.get("PreferredDeliveryMethod", "Print"),
        "IsProject": False,
        "ClientEntityId": "0",
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, "Customer", current),
        **{part: fields.get(part) for part in NAME_PARTS},
        "FullyQualifiedName": qualified_name(parent, display_name),
        "CompanyName": fields.get("CompanyName"),
        "DisplayName": display_name,
        # The default is cut to the field's own limit, as a 500-character DisplayName may be.
        "PrintOnCheckName": fields.get("PrintOnCheckName", display_name[:110]),
        "Active": fields.get("Active", True),
        "V4IDPseudonym": pseudonym,
        **{name: fields.get(name) for name in ("PrimaryPhone", "Mobile", "Fax")},
        "PrimaryEmailAddr": fields.get("PrimaryEmailAddr"),
        "WebAddr": fields.get("WebAddr"),
        "CustomerTypeRef": fields.get("CustomerTypeRef"),
    }
    return {key: value for key, value in row.items() if value is not None}
