"""What a QBO user can do to customers in the UI but an app cannot: merge and deactivate.

These are the sandbox's control hooks (exposed over HTTP elsewhere). Both raise `QboFault`
when QBO's UI would refuse.

Merge (QBO help "Manage your customer list"): the user renames `from` to the name of `into`,
a customer at the same level, and confirms. Refused (6000) for the same customer twice, a
customer with sub-customers, or two customers at different levels. The invoices and payments
of `from` move to `into` (each a journaled Update with a new SyncToken), `from` is deleted: a
read gives 610 and CDC its Deleted stub. The journal gets one Merge entry for `into` with
`deleted_id` = `from`, and `into` gets a new SyncToken.

Deactivate ("Make inactive" in the UI): the UI lets a customer with an open balance go
(it books a balancing credit memo, which the sandbox does not model: the balance stays), and
its sub-customers go inactive with it; each is a journaled Update. The `inactive_suffix`
switch renames them as it does for an API deactivation.
"""

from sandbox.entities.balances import refresh_balances
from sandbox.entities.hierarchy import children, descendants, qualified_name, refresh_names
from sandbox.entities.names import suffixed
from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import identity, missing, touch
from sandbox.faults import business_rule
from sandbox.realm import WriteContext

_MOVED = ("Invoice", "Payment")


def merge_customers(ctx: WriteContext, from_id: str, into_id: str) -> JsonDict:
    """Merge customer `from_id` into `into_id` as the UI does; return the surviving customer."""
    merged, survivor = _customer(ctx, from_id), _customer(ctx, into_id)
    if from_id == into_id:
        raise business_rule("A customer cannot be merged into itself.")
    if children(ctx.realm, "Customer", from_id):
        raise business_rule("A customer with sub-customers cannot be merged.")
    if merged.get("ParentRef") != survivor.get("ParentRef"):
        raise business_rule("Only customers at the same level can be merged.")
    ref = {"value": survivor["Id"], "name": survivor["DisplayName"]}
    for entity in _MOVED:
        for row in ctx.realm.rows(entity):
            if row["CustomerRef"]["value"] == from_id:
                row["CustomerRef"] = dict(ref)
                touch(ctx, entity, row)
    ctx.realm.remove("Customer", from_id, ctx.now)
    survivor.update(identity(ctx, "Customer", survivor))
    ctx.realm.record("Customer", into_id, "Merge", ctx.now, deleted_id=from_id)
    refresh_balances(ctx.realm)
    return survivor


def deactivate_customer(ctx: WriteContext, customer_id: str) -> JsonDict:
    """Make a customer and its sub-customers inactive as the UI does; return the customer."""
    customer = _customer(ctx, customer_id)
    for row in (customer, *descendants(ctx.realm, "Customer", customer_id)):
        if row["Active"]:
            row["DisplayName"] = suffixed(ctx, row["DisplayName"], False, row)
            row["Active"] = False
            touch(ctx, "Customer", row)
            ctx.realm.put("Customer", row)  # its name may have changed
    parent = ctx.realm.get("Customer", customer.get("ParentRef", {}).get("value", ""))
    customer["FullyQualifiedName"] = qualified_name(parent, customer["DisplayName"])
    refresh_names(ctx.realm, "Customer", customer_id, "DisplayName")
    return customer


def _customer(ctx: WriteContext, customer_id: str) -> JsonDict:
    row = ctx.realm.get("Customer", customer_id)
    if row is None:
        raise missing(ctx.realm, "Customer", customer_id)
    return row
