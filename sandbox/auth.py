"""Bearer tokens on API calls and the API gateway's 401 answers.

Shape "json" (the default) is the gateway's lower-case JSON with an epoch-ms `time`; shape
"xml" is the AuthenticationFault XML that QBO also sends (switch `auth_fault`).
"""

from datetime import datetime
from xml.sax.saxutils import escape

from flask import Response

from sandbox.clock import epoch_ms, reply_time
from sandbox.entities.payload import JsonDict
from sandbox.replies import json_reply, xml_reply

_XML_FAULT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}">
  <Fault type="AuthenticationFault">
    <Error code="100">
      <Message>General Authentication Error</Message>
      <Detail>AuthenticationErrorGeneral: SRV-110-Authentication Failure , statusCode: 401</Detail>
    </Error>
  </Fault>
</IntuitResponse>
"""


def bearer_token(authorization: str) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def refusal_detail(token: str | None, expired: bool) -> str:
    """Return the gateway's detail for a refused token: missing, expired, or otherwise invalid."""
    if not token:
        return "Malformed bearer token: too short or too long"
    # The gateway names only the start of the token it refuses.
    return f"Token expired: {token[:4]}xxxxxxxx" if expired else "Token invalid"


def unauthorized(shape: str, moment: datetime, detail: str) -> Response:
    """Return the 401 the API gateway sends for a missing, expired, unknown or foreign token."""
    if shape == "xml":
        return xml_reply(_XML_FAULT.format(time=escape(reply_time(moment))), 401)
    return json_reply(gateway_fault(moment, detail), 401)


def gateway_fault(moment: datetime, detail: str) -> JsonDict:
    """Return the gateway's JSON 401 body: lower-case keys, other top-level keys null or empty."""
    error = {
        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        "detail": detail,
        "code": "3200",
        "element": None,
    }
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {"error": [error], "type": "AUTHENTICATION"},
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": epoch_ms(moment),
        "status": None,
        "cdcresponse": [],
    }
