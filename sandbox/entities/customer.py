"""Customer writes as QBO applies them: create, full update and sparse update.

A payload with an Id is an update (with or without `?operation=update`) and must carry the
current SyncToken. A sparse update (`"sparse": true`) changes only the fields sent; a full update
resets every writable field it omits (flags and PreferredDeliveryMethod to their defaults).
Customers are never deleted: `?operation=delete` is refused with 500 "Unsupported Operation".
"""

import secrets

from sandbox.clock import meta_time
from sandbox.entities.customer_fields import NAME_PARTS, WRITABLE, writable_fields
from sandbox.entities.customer_rules import validate_customer
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.faults import (
    object_not_found,
    required_param_missing,
    stale_object,
    unsupported_operation,
)
from sandbox.realm import Realm, WriteContext

_OPERATIONS = ("", "create", "update")
_US_DOLLAR = {"value": "USD", "name": "United States Dollar"}


def save_customer(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create or update a customer from a client's payload and return the stored row."""
    if operation not in _OPERATIONS:
        raise unsupported_operation(f"Operation {operation} is not supported for Customer.")
    sent = clean(json_object(payload))
    fields = writable_fields(sent)
    current = _update_target(ctx.realm, sent, operation)
    if current is not None and sent.get("sparse") is True:
        fields = {**{name: current[name] for name in WRITABLE if name in current}, **fields}
    own_id = None if current is None else current["Id"]
    display_name = validate_customer(ctx, fields, own_id)
    row = _customer_row(ctx, fields, display_name, current)
    ctx.realm.put("Customer", row)
    return row


def _update_target(realm: Realm, sent: JsonDict, operation: str) -> JsonDict | None:
    """Return the stored customer an update names, or None for a create."""
    if "Id" not in sent:
        if operation == "update":
            raise required_param_missing("Id")
        return None
    current = realm.get("Customer", str(sent["Id"]))
    if current is None:
        raise object_not_found()
    if "SyncToken" not in sent:
        raise required_param_missing("SyncToken")
    # Clients send SyncToken as a number too (python-quickbooks sends 0); QBO reads its string.
    if str(sent["SyncToken"]) != current["SyncToken"]:
        raise stale_object()
    return current


def _customer_row(
    ctx: WriteContext, fields: JsonDict, display_name: str, current: JsonDict | None
) -> JsonDict:
    """Build the stored JSON, keys in QBO's order; fields without a value are left out."""
    stamp = meta_time(ctx.now)
    if current is None:
        entity_id, sync_token = ctx.realm.new_id("Customer"), "0"
        created, balance, pseudonym = stamp, 0, "0020" + secrets.token_hex(17)
    else:
        entity_id, sync_token = current["Id"], str(int(current["SyncToken"]) + 1)
        created, balance = current["MetaData"]["CreateTime"], current["Balance"]
        pseudonym = current["V4IDPseudonym"]
    row = {
        "Taxable": fields.get("Taxable", True),
        "BillAddr": fields.get("BillAddr"),
        "ShipAddr": fields.get("ShipAddr"),
        "Notes": fields.get("Notes"),
        "Job": False,
        "BillWithParent": False,
        "Balance": balance,
        "BalanceWithJobs": balance,
        "CurrencyRef": dict(_US_DOLLAR),
        "PreferredDeliveryMethod": fields.get("PreferredDeliveryMethod", "Print"),
        "IsProject": False,
        "ClientEntityId": "0",
        "domain": "QBO",
        "sparse": False,
        "Id": entity_id,
        "SyncToken": sync_token,
        "MetaData": {"CreateTime": created, "LastUpdatedTime": stamp},
        **{part: fields.get(part) for part in NAME_PARTS},
        # Without sub-customers the fully qualified name is the display name itself.
        "FullyQualifiedName": display_name,
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
