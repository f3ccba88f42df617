"""What every entity's writes share: finding the target, SyncTokens, MetaData, references.

A payload with an Id is an update (with or without `?operation=update`) and must carry the
current SyncToken; a numeric SyncToken is read as its string (python-quickbooks sends 0). A
sparse update (`"sparse": true`) changes only the fields sent; a full update resets every
writable field it omits.
"""

from collections.abc import Iterable

from sandbox.clock import meta_time
from sandbox.entities.ids import new_id
from sandbox.entities.payload import JsonDict
from sandbox.faults import (
    QboFault,
    deleted_object,
    invalid_reference,
    object_not_found,
    required_param_missing,
    stale_object,
    string_too_long,
    unsupported_operation,
)
from sandbox.realm import Realm, WriteContext

US_DOLLAR = {"value": "USD", "name": "United States Dollar"}
TRANSACTIONS = ("Invoice", "Payment")


def check_operation(entity: str, operation: str, allowed: Iterable[str]) -> None:
    """Refuse an `?operation=` the entity does not support with 500 Unsupported Operation."""
    if operation not in ("", *allowed):
        raise unsupported_operation(f"Operation {operation} is not supported for {entity}.")


def update_target(
    ctx: WriteContext, entity: str, sent: JsonDict, operation: str
) -> JsonDict | None:
    """Return the stored entity an update names, or None for a create."""
    if "Id" not in sent:
        if operation not in ("", "create"):
            raise required_param_missing("Id")
        return None
    return current_version(ctx.realm, entity, sent)


def current_version(realm: Realm, entity: str, sent: JsonDict) -> JsonDict:
    """Return the stored entity `sent` names by Id, checking its SyncToken (2020, 610, 5010)."""
    if "Id" not in sent:
        raise required_param_missing("Id")
    current = realm.get(entity, str(sent["Id"]))
    if current is None:
        raise missing(realm, entity, str(sent["Id"]))
    if "SyncToken" not in sent:
        raise required_param_missing("SyncToken")
    if str(sent["SyncToken"]) != current["SyncToken"]:
        raise stale_object()
    return current


def missing(realm: Realm, entity: str, entity_id: str) -> QboFault:
    """The 610 for an Id that names nothing: deleted transactions say so."""
    if entity in TRANSACTIONS and realm.stub(entity, entity_id) is not None:
        return deleted_object()
    return object_not_found()


def with_current(
    current: JsonDict | None, fields: JsonDict, writable: Iterable[str], sent: JsonDict
) -> JsonDict:
    """For a sparse update, the stored writable fields overlaid with the ones sent."""
    if current is None or sent.get("sparse") is not True:
        return fields
    return {**{name: current[name] for name in writable if name in current}, **fields}


def identity(ctx: WriteContext, entity: str, current: JsonDict | None) -> JsonDict:
    """The Id, SyncToken and MetaData of the entity about to be stored (new or next version)."""
    stamp = meta_time(ctx.now)
    if current is None:
        return {
            "Id": new_id(ctx.realm, entity),
            "SyncToken": "0",
            "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp},
        }
    return {
        "Id": current["Id"],
        "SyncToken": str(int(current["SyncToken"]) + 1),
        "MetaData": {"CreateTime": current["MetaData"]["CreateTime"], "LastUpdatedTime": stamp},
    }


def touch(ctx: WriteContext, entity: str, row: JsonDict) -> None:
    """Record a change a write made to another stored entity: bump it and journal an Update."""
    row.update(identity(ctx, entity, row))
    ctx.journal(entity, row["Id"], "Update")


def check_lengths(fields: JsonDict, limits: dict[str, int]) -> None:
    """2050 for the first text longer than its field allows."""
    for name, maximum in limits.items():
        value = fields.get(name)
        if isinstance(value, str) and len(value) > maximum:
            raise string_too_long(name, maximum, len(value))


def referenced(ctx: WriteContext, entity: str, ref: JsonDict, element: str) -> JsonDict:
    """The active entity `ref` names: 2500 when there is none, 610 when it is inactive."""
    row = ctx.realm.get(entity, ref.get("value", ""))
    if row is None:
        raise invalid_reference(element)
    if row.get("Active") is False:
        raise object_not_found(element)
    return row


def required(fields: JsonDict, *names: str) -> None:
    """2020 for the first of `names` that has no value."""
    for name in names:
        if fields.get(name) is None:
            raise required_param_missing(name)
