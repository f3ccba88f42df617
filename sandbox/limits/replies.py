"""The gateway's answers: 429 (XML even when JSON was asked for, no Retry-After) and 504."""

from datetime import datetime
from xml.sax.saxutils import quoteattr

from flask import Response

from sandbox.clock import reply_time
from sandbox.entities.payload import JsonDict
from sandbox.replies import json_reply, xml_reply

THROTTLED_STATUS = 429
THROTTLE_MESSAGE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"
# shared/qbo/samples/fault_throttled.xml, character for character but for its time.
_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time={time}>
  <Fault type="SERVICE">
    <Error code="3001">
      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
      <Detail>The request limit was reached.  Try again later</Detail>
    </Error>
  </Fault>
</IntuitResponse>
"""


def throttled_reply(body: str, moment: datetime) -> Response:
    """Return the 429 answer in shape `body` ("xml" or "json"), stamped with `moment`."""
    if body == "json":
        return json_reply(throttled_json(moment), THROTTLED_STATUS)
    return xml_reply(_XML.format(time=quoteattr(reply_time(moment))), THROTTLED_STATUS)


def throttled_json(moment: datetime) -> JsonDict:
    """Return the JSON 429 body of shared/qbo/samples/fault_throttled.json."""
    return {"Fault": throttled_fault(), "time": reply_time(moment)}


def throttled_fault() -> JsonDict:
    """Return the `Fault` of a throttled call, e.g. for one BatchItemResponse entry."""
    error = {
        "Message": THROTTLE_MESSAGE,
        "Detail": "The request limit was reached.",
        "code": "3001",
    }
    return {"Error": [error], "type": "SERVICE"}


# The gateway's answer when QBO does not answer in time, as captured (node-quickbooks #242, 2025;
# quickbooks-ruby PR #175 has the 2014 wording): XML, code 6002, no Detail.
_GATEWAY_TIMEOUT_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time={time} xmlns="http://schema.intuit.com/finance/v3">
    <Fault type="SERVICE">
        <Error code="6002">
            <Message>message=GatewayTimeout; errorCode=006002; statusCode=504</Message>
        </Error>
    </Fault>
</IntuitResponse>
"""


def gateway_timeout_reply(moment: datetime) -> Response:
    """Return the 504 QBO's gateway sends for a request that ran past its timeout."""
    return xml_reply(_GATEWAY_TIMEOUT_XML.format(time=quoteattr(reply_time(moment))), 504)
