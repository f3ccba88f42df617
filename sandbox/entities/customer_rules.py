"""QBO's validation rules for a customer about to be stored."""

from decimal import Decimal

from sandbox.entities.customer_fields import CUSTOMER_LENGTHS
from sandbox.entities.names import claim_name, suffixed, validate_names
from sandbox.entities.payload import JsonDict
from sandbox.faults import balance_blocks_deactivation, invalid_reference
from sandbox.realm import WriteContext


def validate_customer(ctx: WriteContext, fields: JsonDict, current: JsonDict | None) -> str:
    """Check `fields` against QBO's customer rules and return the DisplayName to store."""
    display_name = validate_names(ctx, fields, CUSTOMER_LENGTHS)
    type_ref = fields.get("CustomerTypeRef")
    if type_ref is not None and ctx.realm.get("CustomerType", type_ref["value"]) is None:
        raise invalid_reference("CustomerTypeRef")
    active = fields.get("Active", True)
    if current is not None and current.get("Active", True) and not active:
        check_deactivation(ctx, current)
    display_name = suffixed(ctx, display_name, active, current)
    claim_name(ctx, display_name, None if current is None else current["Id"])
    return display_name


def check_deactivation(ctx: WriteContext, current: JsonDict) -> None:
    """6000 "Delete List Has Balance Error" for an API deactivation of a customer who owes."""
    if not ctx.options.deactivate_with_balance and Decimal(str(current["Balance"])) != 0:
        raise balance_blocks_deactivation()
