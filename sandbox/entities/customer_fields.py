"""Which Customer fields a client may write, and reading them from a cleaned payload.

Read-only fields (Balance, FullyQualifiedName, MetaData, …) and unknown fields are ignored,
as QBO does. Sub-customers (Job, ParentRef) are not modelled yet: those fields are ignored too.
"""

from typing import Any

from sandbox.entities.payload import JsonDict
from sandbox.faults import QboFault, invalid_property

NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
TEXT_FIELDS = (
    *NAME_PARTS,
    "DisplayName",
    "CompanyName",
    "PrintOnCheckName",
    "Notes",
    "PreferredDeliveryMethod",
)
FLAG_FIELDS = ("Active", "Taxable")
_ADDRESS = (
    *(f"Line{n}" for n in range(1, 6)),
    "City",
    "Country",
    "CountrySubDivisionCode",
    "PostalCode",
)
OBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "PrimaryEmailAddr": ("Address",),
    "PrimaryPhone": ("FreeFormNumber",),
    "Mobile": ("FreeFormNumber",),
    "Fax": ("FreeFormNumber",),
    "WebAddr": ("URI",),
    "BillAddr": _ADDRESS,
    "ShipAddr": _ADDRESS,
    "CustomerTypeRef": ("value",),
}
WRITABLE = (*TEXT_FIELDS, *FLAG_FIELDS, *OBJECT_FIELDS)


def writable_fields(sent: JsonDict) -> JsonDict:
    """Return the writable fields of a cleaned payload; 2010 for a value of the wrong type."""
    fields: JsonDict = {}
    for name in TEXT_FIELDS:
        if name in sent:
            fields[name] = _expect(sent[name], str, name)
    for name in FLAG_FIELDS:
        if name in sent:
            fields[name] = _expect(sent[name], bool, name)
    for name, keys in OBJECT_FIELDS.items():
        if name in sent:
            value = _expect(sent[name], dict, name)
            # Keep only the keys QBO stores; a ref's extra "type" or "name" is dropped here.
            kept = {key: _expect(value[key], str, f"{name}.{key}") for key in keys if key in value}
            if kept:
                fields[name] = kept
    return fields


def _expect(value: Any, kind: type, name: str) -> Any:
    if not isinstance(value, kind):
        raise _wrong_type(name)
    return value


def _wrong_type(name: str) -> QboFault:
    return invalid_property(f"Property Name:{name} specified is unsupported or invalid")
