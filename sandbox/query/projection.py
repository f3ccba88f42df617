"""Field lists (`select Id, DisplayName from Customer`): sparse objects with only those fields.

QBO's query page says an answer with fewer than all attributes carries `sparse: true`, and its
example shows such objects; the sandbox keeps `Id`, `domain` and `sparse: true` and the fields
named (any case; a dotted name such as MetaData.LastUpdatedTime keeps that part of the object).
A name the entity does not have, or whose value is empty, adds nothing (decision: QBO's answers
leave out attributes without values).
"""

from typing import Any

from sandbox.entities.payload import JsonDict


def project(row: JsonDict, fields: tuple[str, ...]) -> JsonDict:
    """Return the sparse form of `row` holding only `fields` (and Id)."""
    kept: JsonDict = {"domain": row.get("domain", "QBO"), "sparse": True, "Id": row["Id"]}
    for name in fields:
        _copy(row, kept, name.split("."))
    return kept


def _copy(source: JsonDict, target: JsonDict, path: list[str]) -> None:
    key = next((k for k in source if k.lower() == path[0].lower()), None)
    if key is None:
        return
    value: Any = source[key]
    if len(path) == 1:
        target[key] = value
    elif isinstance(value, dict):
        _copy(value, target.setdefault(key, {}), path[1:])
        if not target[key]:
            del target[key]
