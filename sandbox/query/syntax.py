"""The parsed form of a query statement."""

from dataclasses import dataclass
from typing import Literal

LiteralKind = Literal["string", "number", "boolean"]
Operator = Literal["=", "<", ">", "<=", ">=", "in", "like"]


@dataclass(frozen=True)
class Value:
    """A literal as written: its kind and its text (unescaped for strings)."""

    kind: LiteralKind
    text: str


@dataclass(frozen=True)
class Condition:
    """`field op value`; `in` carries several values, every other operator one."""

    field: str
    operator: Operator
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Query:
    """A whole statement; `fields` is None for `select *` (also `select *, Sku`)."""

    entity: str
    count: bool
    where: tuple[Condition, ...] = ()
    order_by: str | None = None
    descending: bool = False
    start_position: int | None = None
    max_results: int | None = None
    fields: tuple[str, ...] | None = None
