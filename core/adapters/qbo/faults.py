"""Turning a QBO answer that is not a success into one classified error.

QBO speaks faults in several shapes: `{"Fault": …}` (also inside a 200), the gateway's
lower-case `{"fault": …}` on 401, and XML (the 429 always, some 401s). This module reads
them all and decides, once, whether a retry may help (shared/qbo/README.md, Faults).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx

from core.errors import (
    QboAuthenticationError,
    QboError,
    QboFaultError,
    QboPacedError,
    QboTransientError,
)

THROTTLED = "3001"
SYSTEM_FAULT = "10000"


def fault_in(body: Any) -> dict[str, Any] | None:
    """The first error of a JSON fault body, with lower-cased keys, or None."""
    if not isinstance(body, dict):
        return None
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, dict):
        return None
    errors = fault.get("Error") or fault.get("error") or [{}]
    return {str(k).lower(): v for k, v in errors[0].items()}


def error_from_response(response: httpx.Response, body: Any = None) -> QboError:
    """The classified error for a failed QBO answer (or a 200 that carries a Fault)."""
    tid = response.headers.get("intuit_tid")
    status = response.status_code
    fault = fault_in(body) if body is not None else None
    if fault is None:
        fault = _xml_fault(response.text) or {}
    code = str(fault["code"]) if fault.get("code") is not None else None
    message = str(fault.get("message") or f"QBO answered HTTP {status}")
    kwargs: dict[str, Any] = {
        "code": code,
        "detail": fault.get("detail"),
        "http_status": status,
        "intuit_tid": tid,
    }
    # Throttling (3001) and system faults (10000) may pass, whatever status carried them.
    if status == 429 or code == THROTTLED:
        return QboPacedError(message, **kwargs)
    if status >= 500 or code == SYSTEM_FAULT:
        return QboTransientError(message, **kwargs)
    if status in (401, 403):
        return QboAuthenticationError(
            "QuickBooks refused the connection's credentials; reconnect QuickBooks.", **kwargs
        )
    return QboFaultError(message, **kwargs)


def _xml_fault(text: str) -> dict[str, Any] | None:
    """The first `<Error code=…>` of an XML fault (QBO's 429 and some 401s), or None."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if _local(element.tag) == "Error":
            children = {_local(child.tag): (child.text or "").strip() for child in element}
            return {
                "code": element.get("code"),
                "message": children.get("Message"),
                "detail": children.get("Detail"),
            }
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
