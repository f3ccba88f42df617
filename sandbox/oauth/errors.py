"""OAuth errors as Intuit's token and revoke endpoints answer them: a status and a small JSON body.

The bodies of `invalid_grant` and `invalid_client` are the captured ones (shared/qbo/samples);
the others follow RFC 6749 §5.2, as Intuit documents no body for them.
"""

from sandbox.entities.payload import JsonDict

TOKEN_INVALID = "Token invalid"


class OAuthError(Exception):
    """An OAuth error answer: HTTP status and JSON body."""

    def __init__(self, status: int, body: JsonDict) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def invalid_grant() -> OAuthError:
    """400: a code or refresh token that is unknown, used, expired or revoked, or not this app's;
    or a redirect_uri other than the authorize call's."""
    return OAuthError(400, {"error": "invalid_grant", "error_description": TOKEN_INVALID})


def invalid_client() -> OAuthError:
    """401: missing or wrong client credentials."""
    return OAuthError(401, {"error": "invalid_client"})


def invalid_request(description: str) -> OAuthError:
    """400: a required parameter is missing."""
    return OAuthError(400, {"error": "invalid_request", "error_description": description})


def unsupported_grant_type() -> OAuthError:
    """400: a grant type other than authorization_code and refresh_token."""
    return OAuthError(400, {"error": "unsupported_grant_type"})
