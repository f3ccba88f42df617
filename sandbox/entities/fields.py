"""Which fields of an entity a client may write, and reading them from a cleaned payload.

Read-only fields (Balance, FullyQualifiedName, MetaData, …) and unknown fields are ignored, as
QBO does. A value of the wrong JSON type is a 2010 fault naming the field.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.entities.money import number
from sandbox.entities.payload import JsonDict
from sandbox.faults import QboFault, invalid_property

REF = ("value",)
ADDRESS = (
    *(f"Line{n}" for n in range(1, 6)),
    "City",
    "Country",
    "CountrySubDivisionCode",
    "PostalCode",
)


@dataclass(frozen=True)
class Schema:
    """The writable fields of an entity, by JSON kind; objects list the keys QBO stores."""

    texts: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    objects: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def writable(self) -> tuple[str, ...]:
        """Every writable field name."""
        return (*self.texts, *self.flags, *self.numbers, *self.objects)

    def read(self, sent: JsonDict) -> JsonDict:
        """Return the writable fields of a cleaned payload; numbers come back as Decimals."""
        fields: JsonDict = {}
        for name in self.texts:
            if name in sent:
                fields[name] = expect(sent[name], str, name)
        for name in self.flags:
            if name in sent:
                fields[name] = expect(sent[name], bool, name)
        for name in self.numbers:
            if name in sent:
                fields[name] = number(sent[name], name)
        for name, keys in self.objects.items():
            if name in sent:
                fields.update(read_object(sent, name, keys))
        return fields


def read_object(sent: JsonDict, name: str, keys: tuple[str, ...]) -> JsonDict:
    """Read object `name` keeping only `keys` (a ref's extra "type" or "name" is dropped)."""
    value = expect(sent[name], dict, name)
    kept = {key: expect(value[key], str, f"{name}.{key}") for key in keys if key in value}
    return {name: kept} if kept else {}


def expect(value: Any, kind: type, name: str) -> Any:
    """Return `value` if it is of JSON kind `kind`; 2010 naming the field otherwise."""
    if not isinstance(value, kind):
        raise wrong_type(name)
    return value


def wrong_type(name: str) -> QboFault:
    """2010 for a field whose value QBO cannot read."""
    return invalid_property(f"Property Name:{name} specified is unsupported or invalid")
