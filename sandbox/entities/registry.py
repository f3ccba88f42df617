"""The entities the sandbox serves, each with its query fields and its write rules.

Filterable fields follow Intuit's API reference ("filterable" attributes of each entity);
any other field in a where clause or orderby is 4001. Name lists hide inactive rows from
queries that say nothing about Active; transactions have no Active field at all.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.entities.account import save_account
from sandbox.entities.customer import save_customer
from sandbox.entities.invoice import save_invoice
from sandbox.entities.item import save_item
from sandbox.entities.payload import JsonDict
from sandbox.entities.payment import save_payment
from sandbox.entities.person import save_employee, save_vendor
from sandbox.entities.segment import save_class, save_department
from sandbox.realm import WriteContext

FieldKind = Literal["id", "text", "boolean", "number", "datetime", "date"]
Saver = Callable[[WriteContext, object, str], JsonDict]


@dataclass(frozen=True)
class QueryField:
    """A filterable property: its name in queries, its kind and where it sits in the JSON."""

    name: str
    kind: FieldKind
    path: tuple[str, ...]


def _field(name: str, kind: FieldKind = "text", path: str | None = None) -> QueryField:
    return QueryField(name, kind, tuple((path or name).split(".")))


def _texts(*names: str) -> tuple[QueryField, ...]:
    return tuple(_field(name) for name in names)


def _ref(name: str) -> QueryField:
    # A reference compares by the Id it holds: CustomerRef = '67'.
    return _field(name, "id", f"{name}.value")


_ID = _field("Id", "id")
_ACTIVE = _field("Active", "boolean")
_META = (
    _field("MetaData.CreateTime", "datetime"),
    _field("MetaData.LastUpdatedTime", "datetime"),
)


@dataclass(frozen=True)
class EntitySpec:
    """One entity: its name, filterable fields, whether queries hide inactive rows, its writer."""

    name: str
    fields: tuple[QueryField, ...]
    hides_inactive: bool
    save: Saver | None = None  # None: the API can only read and query it

    def field(self, name: str) -> QueryField | None:
        """Return the filterable field called `name` (any case), or None."""
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)


CUSTOMER = EntitySpec(
    name="Customer",
    fields=(
        _ID,
        *_texts("DisplayName", "GivenName", "MiddleName", "FamilyName", "CompanyName"),
        _field("PrimaryEmailAddr", path="PrimaryEmailAddr.Address"),
        _ACTIVE,
        _field("Balance", "number"),
        *_texts("PrintOnCheckName", "FullyQualifiedName"),
        _field("MetaData.LastUpdatedTime", "datetime"),
    ),
    hides_inactive=True,
    save=save_customer,
)
CUSTOMER_TYPE = EntitySpec(
    name="CustomerType",
    fields=(_ID, _field("Name"), _ACTIVE, *_META),
    hides_inactive=True,
)
PAYMENT_METHOD = EntitySpec(
    name="PaymentMethod",
    fields=(_ID, *_texts("Name", "Type"), _ACTIVE, *_META),
    hides_inactive=True,
)
_PERSON = ("DisplayName", "GivenName", "MiddleName", "FamilyName", "Suffix", "PrintOnCheckName")
VENDOR = EntitySpec(
    name="Vendor",
    fields=(_ID, *_texts(*_PERSON, "CompanyName"), _ACTIVE, _field("Balance", "number"), *_META),
    hides_inactive=True,
    save=save_vendor,
)
EMPLOYEE = EntitySpec(
    name="Employee",
    fields=(_ID, *_texts(*_PERSON), _ACTIVE, *_META),
    hides_inactive=True,
    save=save_employee,
)
ITEM = EntitySpec(
    name="Item",
    fields=(
        _ID,
        *_texts("Name", "Type", "FullyQualifiedName"),
        _ACTIVE,
        _field("Taxable", "boolean"),
        _field("SubItem", "boolean"),
        *_META,
    ),
    hides_inactive=True,
    save=save_item,
)
ACCOUNT = EntitySpec(
    name="Account",
    fields=(
        _ID,
        *_texts("Name", "FullyQualifiedName", "Classification", "AccountType", "AccountSubType"),
        _field("Description"),
        _field("SubAccount", "boolean"),
        _ACTIVE,
        _field("CurrentBalance", "number"),
        _field("CurrentBalanceWithSubAccounts", "number"),
        _ref("ParentRef"),
        *_META,
    ),
    hides_inactive=True,
    save=save_account,
)
# Intuit marks Id, Active, FullyQualifiedName and MetaData filterable; Name is added because
# lookups by name are what clients send (decision).
_SEGMENT = (_ID, *_texts("Name", "FullyQualifiedName"), _ACTIVE, *_META)
CLASS = EntitySpec(name="Class", fields=_SEGMENT, hides_inactive=True, save=save_class)
DEPARTMENT = EntitySpec(
    name="Department", fields=_SEGMENT, hides_inactive=True, save=save_department
)
INVOICE = EntitySpec(
    name="Invoice",
    fields=(
        _ID,
        _field("DocNumber"),
        _field("TxnDate", "date"),
        _field("DueDate", "date"),
        _ref("CustomerRef"),
        _field("TotalAmt", "number"),
        _field("Balance", "number"),
        *_META,
    ),
    hides_inactive=False,
    save=save_invoice,
)
PAYMENT = EntitySpec(
    name="Payment",
    fields=(
        _ID,
        _field("TxnDate", "date"),
        _ref("CustomerRef"),
        _field("TotalAmt", "number"),
        _ref("PaymentMethodRef"),
        _field("PaymentRefNum"),
        *_META,
    ),
    hides_inactive=False,
    save=save_payment,
)
ENTITIES = {
    spec.name.lower(): spec
    for spec in (
        CUSTOMER,
        CUSTOMER_TYPE,
        PAYMENT_METHOD,
        VENDOR,
        EMPLOYEE,
        ITEM,
        ACCOUNT,
        CLASS,
        DEPARTMENT,
        INVOICE,
        PAYMENT,
    )
}


def find_entity(name: str) -> EntitySpec | None:
    """Return the entity called `name` in a path or query, in any case, or None."""
    return ENTITIES.get(name.lower())
