"""Where-clause conditions turned into tests on stored rows, and sort keys, by field kind.

Text follows the `name_case` switch; whitespace always counts. `Id` takes only `=` and `in`,
booleans only `=` and `in`, and `like` (with `%` only) only text.
"""

import operator
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sandbox.clock import parse_time
from sandbox.entities.payload import JsonDict
from sandbox.entities.registry import FieldKind, QueryField
from sandbox.faults import query_validation_error
from sandbox.options import SandboxOptions
from sandbox.query.syntax import Condition, Value

RowTest = Callable[[JsonDict], bool]

_ORDERED = ("=", "<", ">", "<=", ">=", "in")
_OPERATORS: dict[FieldKind, tuple[str, ...]] = {
    "id": ("=", "in"),
    "text": (*_ORDERED, "like"),
    "boolean": ("=", "in"),
    "number": _ORDERED,
    "datetime": _ORDERED,
    "date": _ORDERED,
}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def compile_condition(condition: Condition, field: QueryField, options: SandboxOptions) -> RowTest:
    """Return a test that tells whether a row meets `condition`; 4001 if QBO would refuse it."""
    if condition.operator not in _OPERATORS[field.kind]:
        raise query_validation_error(
            f"operator '{condition.operator}' is not supported for property '{field.name}'"
        )
    if condition.operator == "like":
        parts = options.fold_name(condition.values[0].text).split("%")
        pattern = re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)
        return lambda row: _matches(pattern, field_value(row, field), options)
    wanted = [_literal(field, value, options) for value in condition.values]
    if condition.operator == "in":
        return lambda row: _stored(field, row, options) in wanted
    compare = _COMPARE[condition.operator]

    def test(row: JsonDict) -> bool:
        have = _stored(field, row, options)
        return have is not None and compare(have, wanted[0])

    return test


def sort_key(field: QueryField, options: SandboxOptions) -> Callable[[JsonDict], tuple[Any, ...]]:
    """Return a key that orders rows by `field`, rows without it first."""

    def key(row: JsonDict) -> tuple[Any, ...]:
        have = _stored(field, row, options)
        if have is None:
            return (0,)
        # Ids are digit strings: shorter first orders them as numbers.
        return (1, len(have), have) if field.kind == "id" else (1, have)

    return key


def field_value(row: JsonDict, field: QueryField) -> Any:
    """Return the value at the field's path in `row`, or None when it is absent."""
    value: Any = row
    for step in field.path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _matches(pattern: re.Pattern[str], value: Any, options: SandboxOptions) -> bool:
    return isinstance(value, str) and pattern.fullmatch(options.fold_name(value)) is not None


def _stored(field: QueryField, row: JsonDict, options: SandboxOptions) -> Any:
    value = field_value(row, field)
    if value is None:
        return None
    if field.kind == "text":
        return options.fold_name(value)
    if field.kind == "datetime":
        return parse_time(value)
    if field.kind == "date":
        return date.fromisoformat(value)
    if field.kind == "number":
        return float(value)
    return value


def _literal(field: QueryField, value: Value, options: SandboxOptions) -> Any:
    """Convert a literal to the form stored values of `field` are compared in."""
    if field.kind == "id":
        return value.text
    if field.kind == "text":
        return options.fold_name(value.text)
    try:
        if field.kind == "boolean":
            return {"true": True, "false": False}[value.text.lower()]
        if field.kind == "number":
            return float(value.text)
        if field.kind == "date":
            return date.fromisoformat(value.text)
        return parse_time(value.text)
    except (KeyError, ValueError):
        raise query_validation_error(
            f"value '{value.text}' is not valid for property '{field.name}'"
        ) from None
