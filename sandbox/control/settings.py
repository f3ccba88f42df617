"""Switches changed at runtime: JSON values checked against `SandboxOptions`' own types."""

import dataclasses
import types
import typing
from typing import Any

from sandbox.options import SandboxOptions


class SwitchError(ValueError):
    """A switch that does not exist, or a value it cannot take."""


def switches(options: SandboxOptions) -> dict[str, Any]:
    """Return every switch and its value."""
    return dataclasses.asdict(options)


def changed(options: SandboxOptions, changes: dict[str, Any]) -> SandboxOptions:
    """Return a copy of `options` with `changes` applied, each checked as the constructor does.

    Integers are accepted for float switches; nothing else is converted, so "10" for a count
    or 1 for a boolean is refused rather than guessed at.
    """
    hints = typing.get_type_hints(SandboxOptions)
    names = {field.name for field in dataclasses.fields(SandboxOptions)}
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in names:
            raise SwitchError(f"unknown switch {name!r}; switches: {', '.join(sorted(names))}")
        checked[name] = _typed(name, value, hints[name])
    try:
        return dataclasses.replace(options, **checked)
    except ValueError as error:
        raise SwitchError(str(error)) from error


def _typed(name: str, value: Any, hint: Any) -> Any:
    """Return `value` as switch `name` of type `hint` takes it, or raise SwitchError."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    for allowed in typing.get_args(hint) if union else (hint,):
        if allowed is type(None) and value is None:
            return None
        if allowed is bool and isinstance(value, bool):
            return value
        if isinstance(value, bool):
            continue
        if allowed is float and isinstance(value, int | float):
            return float(value)
        if allowed in (int, str) and isinstance(value, allowed):
            return value
    raise SwitchError(f"{name} takes {_describe(hint)}, not {value!r}")


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in typing.get_args(hint))
    return "null" if hint is type(None) else getattr(hint, "__name__", str(hint))
