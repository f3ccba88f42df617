"""QBO's validation rules for a customer about to be stored."""

from sandbox.entities.customer_fields import CUSTOMER_LENGTHS
from sandbox.entities.names import claim_name, suffixed, validate_names
from sandbox.entities.payload import JsonDict
from sandbox.faults import invalid_reference
from sandbox.realm import WriteContext


def validate_customer(ctx: WriteContext, fields: JsonDict, current: JsonDict | None) -> str:
    """Check `fields` against QBO's customer rules and return the DisplayName to store."""
    display_name = validate_names(ctx, fields, CUSTOMER_LENGTHS)
    type_ref = fields.get("CustomerTypeRef")
    if type_ref is not None and ctx.realm.get("CustomerType", type_ref["value"]) is None:
        raise invalid_reference("CustomerTypeRef")
    display_name = suffixed(ctx, display_name, fields.get("Active", True), current)
    claim_name(ctx, display_name, None if current is None else current["Id"])
    return display_name
