"""JSON payloads as clients send them, and the types the sandbox stores them as."""

from typing import Any

from sandbox.faults import invalid_property

JsonDict = dict[str, Any]
Reply = tuple[int, JsonDict]


def clean(payload: JsonDict) -> JsonDict:
    """Drop empty strings, nulls and objects left empty, at any depth of nested objects.

    Clients send "" for every unset field and refs such as {"value": "", "type": ""}; QBO
    treats them as not sent, so a sparse update leaves those fields alone.
    """
    cleaned: JsonDict = {}
    for key, value in payload.items():
        if isinstance(value, dict):
            value = clean(value)
        if value is not None and value != "" and value != {}:
            cleaned[key] = value
    return cleaned


def json_object(payload: object) -> JsonDict:
    """Return `payload` if it is a JSON object; 2010 otherwise (no body, bad JSON, an array)."""
    if not isinstance(payload, dict):
        raise invalid_property("Request body is not a JSON object")
    return payload
