"""Bearer API-key authentication: every request but the open ones acts for one firm."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort

from api.context import app_context
from core.services.firms import firm_for_api_key

SECURITY_SCHEME = {"type": "http", "scheme": "bearer", "description": "A firm's API key"}


def require_api_key() -> None:
    """Resolve the caller's firm from `Authorization: Bearer <key>`, or answer 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        _unauthorized("Send your API key as 'Authorization: Bearer <key>'.")
    firm_id = firm_for_api_key(app_context().services.reader(), key.strip())
    if firm_id is None:
        _unauthorized("The API key is not valid or has been revoked.")
    g.firm_id = firm_id


def _unauthorized(message: str) -> None:
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="qbsync"'})
