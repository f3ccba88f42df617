"""Which Customer fields a client may write, and how long each may be."""

from sandbox.entities.fields import ADDRESS, REF, Schema
from sandbox.entities.names import NAME_LENGTHS, NAME_PARTS

CUSTOMER_SCHEMA = Schema(
    texts=(
        *NAME_PARTS,
        "DisplayName",
        "CompanyName",
        "PrintOnCheckName",
        "Notes",
        "PreferredDeliveryMethod",
    ),
    flags=("Active", "Taxable", "Job", "BillWithParent"),
    objects={
        "PrimaryEmailAddr": ("Address",),
        "PrimaryPhone": ("FreeFormNumber",),
        "Mobile": ("FreeFormNumber",),
        "Fax": ("FreeFormNumber",),
        "WebAddr": ("URI",),
        "BillAddr": ADDRESS,
        "ShipAddr": ADDRESS,
        "CustomerTypeRef": REF,
        "ParentRef": REF,
    },
)
CUSTOMER_LENGTHS = {**NAME_LENGTHS, "PrintOnCheckName": 110, "Notes": 2000}
