"""Sub-customers: a customer's parent, checked against QBO's depth limit.

A payload with `ParentRef` makes a sub-customer (`Job: true`, `Level` 1 to 4, FullyQualifiedName
"Parent:Child"); `Job: true` without a ParentRef is a 2020 fault naming ParentRef (decision:
QBO's reference ties the two together). A customer may sit at most 4 levels below its
top-level customer; deeper, or a parent that is the customer itself or one of its own
sub-customers, is a 6000 fault.
"""

from sandbox.entities.hierarchy import checked_parent, depth_below, level
from sandbox.entities.payload import JsonDict
from sandbox.faults import business_rule, required_param_missing
from sandbox.realm import WriteContext

MAX_LEVEL = 4


def customer_parent(ctx: WriteContext, fields: JsonDict, own_id: str | None) -> JsonDict | None:
    """Return the active parent the fields name (None for a top-level customer), checked."""
    ref = fields.get("ParentRef")
    if ref is None:
        if fields.get("Job") is True:
            raise required_param_missing("ParentRef")
        return None
    parent = checked_parent(ctx, "Customer", ref, own_id)
    below = 0 if own_id is None else depth_below(ctx.realm, "Customer", own_id)
    if level(ctx.realm, "Customer", parent) + 1 + below > MAX_LEVEL:
        raise business_rule(
            f"A sub-customer can be at most {MAX_LEVEL} levels below its top-level customer.",
            "ParentRef",
        )
    return parent
