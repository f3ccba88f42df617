"""The entities the sandbox serves, each with its query fields and its write rules."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.entities.customer import save_customer
from sandbox.entities.payload import JsonDict
from sandbox.realm import WriteContext

FieldKind = Literal["id", "text", "boolean", "number", "datetime"]
Saver = Callable[[WriteContext, object, str], JsonDict]


@dataclass(frozen=True)
class QueryField:
    """A filterable property: its name in queries, its kind and where it sits in the JSON."""

    name: str
    kind: FieldKind
    path: tuple[str, ...]


def _field(name: str, kind: FieldKind = "text", path: str | None = None) -> QueryField:
    return QueryField(name, kind, tuple((path or name).split(".")))


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
        _field("Id", "id"),
        *(_field(name) for name in ("DisplayName", "GivenName", "MiddleName", "FamilyName")),
        _field("CompanyName"),
        _field("PrimaryEmailAddr", path="PrimaryEmailAddr.Address"),
        _field("Active", "boolean"),
        _field("Balance", "number"),
        _field("PrintOnCheckName"),
        _field("FullyQualifiedName"),
        _field("MetaData.LastUpdatedTime", "datetime"),
    ),
    hides_inactive=True,
    save=save_customer,
)
CUSTOMER_TYPE = EntitySpec(
    name="CustomerType",
    fields=(_field("Id", "id"), _field("Name"), _field("Active", "boolean")),
    hides_inactive=True,
)
ENTITIES = {spec.name.lower(): spec for spec in (CUSTOMER, CUSTOMER_TYPE)}


def find_entity(name: str) -> EntitySpec | None:
    """Return the entity called `name` in a path or query, in any case, or None."""
    return ENTITIES.get(name.lower())
