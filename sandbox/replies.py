"""HTTP answers as QBO sends them: JSON or XML with charset, and an `intuit_tid` on each."""

import json
import secrets

from flask import Response

from sandbox.entities.payload import JsonDict

JSON_TYPE = "application/json;charset=UTF-8"
XML_TYPE = "application/xml;charset=UTF-8"


def json_reply(body: JsonDict, status: int = 200) -> Response:
    """Return `body` as a JSON answer with QBO's exact Content-Type."""
    return Response(json.dumps(body, ensure_ascii=False), status, content_type=JSON_TYPE)


def xml_reply(body: str, status: int) -> Response:
    """Return an XML answer with QBO's exact Content-Type."""
    return Response(body, status, content_type=XML_TYPE)


def new_intuit_tid() -> str:
    """Return a fresh transaction id shaped like QBO's, e.g. 1-628f0be4-19ed5ea63980105102b16b1e."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


def add_intuit_tid(response: Response) -> Response:
    """Stamp `response` with a new `intuit_tid` header (QBO sends one on every answer)."""
    response.headers["intuit_tid"] = new_intuit_tid()
    return response
