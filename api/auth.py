"""Bearer API-key authentication: every request but the open ones acts for one firm."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from api.context import app_context
from api.ratelimit import count_request
from core.services.firms import active_api_key

SECURITY_SCHEME = {"type": "http", "scheme": "bearer", "description": "A firm's API key"}


def require_api_key() -> None:
    """Resolve the caller's key and firm from `Authorization: Bearer <key>`, or answer 401;
    then count the request against the key's rate limit (429 over it)."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        _unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
    active = active_api_key(app_context().services.reader(), key.strip())
    if active is None:
        _unauthorized("The API key is not valid or has been revoked.")
        return
    g.firm_id = active.firm_id
    g.api_key_id = active.id
    count_request()


def _unauthorized(message: str) -> None:
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="qbsync"'})
