"""QBO's validation rules for a customer about to be stored."""

from sandbox.entities.customer_fields import NAME_PARTS
from sandbox.entities.payload import JsonDict
from sandbox.faults import (
    bad_email,
    business_rule,
    duplicate_name,
    invalid_reference,
    no_name,
    string_too_long,
)
from sandbox.realm import WriteContext

MAX_LENGTHS = {
    "DisplayName": 500,
    "Title": 16,
    "GivenName": 100,
    "MiddleName": 100,
    "FamilyName": 100,
    "Suffix": 16,
    "CompanyName": 100,
    "PrintOnCheckName": 110,
    "Notes": 2000,
}
NO_SEPARATORS = (*NAME_PARTS, "DisplayName", "PrintOnCheckName")
# Colon separates levels in FullyQualifiedName; tab and newline break QBO's lists.
SEPARATORS = (":", "\t", "\n")


def validate_customer(ctx: WriteContext, fields: JsonDict, own_id: str | None) -> str:
    """Check `fields` against QBO's customer rules and return the DisplayName to store."""
    for name, maximum in MAX_LENGTHS.items():
        value = fields.get(name)
        if value is not None and len(value) > maximum:
            raise string_too_long(name, maximum, len(value))
    for name in NO_SEPARATORS:
        if any(separator in fields.get(name, "") for separator in SEPARATORS):
            raise business_rule(f"{name} cannot contain a colon (:), tab or newline.", name)
    address = fields.get("PrimaryEmailAddr", {}).get("Address")
    if address is not None and not ("@" in address and "." in address):
        raise bad_email("PrimaryEmailAddr.Address")
    display_name: str = fields.get("DisplayName") or built_display_name(fields)
    if not display_name:
        raise no_name()
    type_ref = fields.get("CustomerTypeRef")
    if type_ref is not None and ctx.realm.get("CustomerType", type_ref["value"]) is None:
        raise invalid_reference("CustomerTypeRef")
    if name_taken(ctx, display_name, own_id):
        raise duplicate_name()
    return display_name


def built_display_name(fields: JsonDict) -> str:
    """Return QBO's DisplayName for a customer sent without one: its name parts, spaced."""
    return " ".join(fields[part] for part in NAME_PARTS if part in fields)


def name_taken(ctx: WriteContext, display_name: str, own_id: str | None) -> bool:
    """Tell whether another customer, active or not, already has `display_name`."""
    wanted = ctx.options.fold_name(display_name)
    return any(
        row["Id"] != own_id and ctx.options.fold_name(row["DisplayName"]) == wanted
        for row in ctx.realm.rows("Customer")
    )
