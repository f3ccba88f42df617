"""The token endpoint's answer, field for field as Intuit sends it, and OAuth's JSON replies."""

from datetime import datetime

from flask import Response

from sandbox.entities.payload import JsonDict
from sandbox.oauth.records import Issued
from sandbox.replies import json_reply

HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


def token_answer(issued: Issued, *, hard_expiry: bool, id_token: str | None) -> JsonDict:
    """Return the bearer-token answer for `issued`, in the key order of Intuit's samples.

    `x_refresh_token_hard_expires_in` only when the request asked for it; `id_token` only
    when the consent included openid.
    """
    answer: JsonDict = {
        "token_type": "bearer",
        "access_token": issued.access.value,
        "refresh_token": issued.refresh.value,
        "expires_in": _seconds_left(issued.access.expires_at, issued.at),
        "x_refresh_token_expires_in": _seconds_left(issued.refresh.expires_at, issued.at),
    }
    if hard_expiry:
        cap = issued.refresh.connection.hard_expires_at
        answer["x_refresh_token_hard_expires_in"] = _seconds_left(cap, issued.at)
    if id_token is not None:
        answer["id_token"] = id_token
    return answer


def oauth_reply(body: JsonDict, status: int = 200) -> Response:
    """Return an OAuth JSON answer; tokens must not be cached (RFC 6749 §5.1)."""
    response = json_reply(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _seconds_left(until: datetime | None, now: datetime) -> int:
    if until is None:
        raise ValueError("an OAuth-issued token always has an expiry")
    return max(0, int((until - now).total_seconds()))
