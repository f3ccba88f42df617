"""Turning the answers of Intuit's OAuth token endpoint into tokens or a typed error."""

from __future__ import annotations

from typing import Any

from core.adapters.qbo import payload
from core.domain.qbo import QboTokens
from core.errors import QboOAuthError

# What each OAuth error means for the firm (shared/qbo/README.md, OAuth 2.0, Errors).
_MEANINGS = {
    "invalid_grant": (
        "QuickBooks refused the authorization code or refresh token (used, expired or revoked); "
        "reconnect QuickBooks."
    ),
    "invalid_client": "QuickBooks refused qbsync's client id or secret; check the app's keys.",
}


def parse_token_answer(body: Any) -> QboTokens:
    """A token answer (either grant); an OAuth error body raises QboOAuthError."""
    answer = payload.obj(body, "a token answer")
    if answer.get("error") is not None:
        raise parse_oauth_error(answer)
    what = "a token answer"
    return QboTokens(
        access_token=payload.text(answer, "access_token", what),
        refresh_token=payload.text(answer, "refresh_token", what),
        expires_in=payload.count(answer, "expires_in", what),
        refresh_expires_in=payload.count(answer, "x_refresh_token_expires_in", what),
        hard_expires_in=payload.optional_count(answer, "x_refresh_token_hard_expires_in", what),
        id_token=payload.optional_text(answer, "id_token", what),
        token_type=payload.optional_text(answer, "token_type", what) or "bearer",
    )


def parse_oauth_error(
    body: Any, *, http_status: int | None = None, intuit_tid: str | None = None
) -> QboOAuthError:
    """The error an OAuth error body (`{"error": "invalid_grant", …}`) stands for."""
    answer = payload.obj(body, "an OAuth error")
    code = payload.text(answer, "error", "an OAuth error")
    description = payload.optional_text(answer, "error_description", "an OAuth error")
    return QboOAuthError(
        _MEANINGS.get(code, f"QuickBooks' token endpoint refused the request: {code}"),
        code=code,
        detail=description,
        http_status=http_status,
        intuit_tid=intuit_tid,
    )
