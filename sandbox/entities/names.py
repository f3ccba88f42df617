"""The name rules Customer, Vendor and Employee share, and their one list of display names.

DisplayName is unique across the three lists, inactive entries included (6240); case follows
the `name_case` switch and whitespace always counts. With the `inactive_suffix` switch an entry
made inactive is renamed "Name (deleted)", which frees its name; made active again, it loses
the suffix.
"""

from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import check_lengths
from sandbox.faults import bad_email, business_rule, duplicate_name, no_name
from sandbox.realm import WriteContext

NAME_LISTS = ("Customer", "Vendor", "Employee")
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
NAME_LENGTHS = {
    "DisplayName": 500,
    "Title": 16,
    "GivenName": 100,
    "MiddleName": 100,
    "FamilyName": 100,
    "Suffix": 16,
    "CompanyName": 100,
}
NO_SEPARATORS = (*NAME_PARTS, "DisplayName", "PrintOnCheckName")
# Colon separates levels in FullyQualifiedName; tab and newline break QBO's lists.
SEPARATORS = (":", "\t", "\n")
DELETED_SUFFIX = " (deleted)"


def validate_names(ctx: WriteContext, fields: JsonDict, limits: dict[str, int]) -> str:
    """Check the name fields of a person or company and return the DisplayName to store."""
    check_lengths(fields, limits)
    for name in NO_SEPARATORS:
        if any(separator in fields.get(name, "") for separator in SEPARATORS):
            raise business_rule(f"{name} cannot contain a colon (:), tab or newline.", name)
    address = fields.get("PrimaryEmailAddr", {}).get("Address")
    if address is not None and not ("@" in address and "." in address):
        raise bad_email("PrimaryEmailAddr.Address")
    display_name: str = fields.get("DisplayName") or built_display_name(fields)
    if not display_name:
        raise no_name()
    return display_name


def built_display_name(fields: JsonDict) -> str:
    """Return QBO's DisplayName for an entry sent without one: its name parts, spaced."""
    return " ".join(fields[part] for part in NAME_PARTS if part in fields)


def claim_name(ctx: WriteContext, display_name: str, own_id: str | None) -> None:
    """6240 unless no other customer, vendor or employee, active or not, has `display_name`."""
    wanted = ctx.options.fold_name(display_name)
    for entity, row in ctx.realm.named(display_name):
        if entity not in NAME_LISTS or row["Id"] == own_id:
            continue
        if ctx.options.fold_name(row["DisplayName"]) == wanted:
            raise duplicate_name()


def suffixed(ctx: WriteContext, name: str, active: bool, current: JsonDict | None) -> str:
    """Apply the `inactive_suffix` switch to a name on its way in or out of the active list."""
    was_active = current is None or current.get("Active", True) is not False
    if not ctx.options.inactive_suffix or active == was_active:
        return name
    if not active:
        return name + DELETED_SUFFIX
    return name.removesuffix(DELETED_SUFFIX)


def claim_list_name(
    ctx: WriteContext, entity: str, key: str, name: str, own_id: str | None
) -> None:
    """6240 unless no other entry of `entity` (an item, account …), active or not, has `name`."""
    wanted = ctx.options.fold_name(name)
    for row in ctx.realm.scan(entity):
        if row["Id"] != own_id and ctx.options.fold_name(row[key]) == wanted:
            raise duplicate_name(entity.lower())
