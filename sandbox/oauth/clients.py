"""Registered OAuth apps, and the client credentials a token or revoke request presents."""

import binascii
from base64 import b64decode
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class OAuthClient:
    """An app as registered in Intuit's developer portal: its keys and its redirect URIs."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def allows_redirect(self, uri: str) -> bool:
        """Tell whether `uri` is registered; Intuit compares exactly, character for character."""
        return uri in self.redirect_uris


def presented_credentials(authorization: str, form: Mapping[str, str]) -> tuple[str, str] | None:
    """Return the (client_id, client_secret) a request presents, or None if it presents none.

    HTTP Basic first, as Intuit documents; else the form fields `client_id` and
    `client_secret`, because Intuit's discovery document also lists client_secret_post.
    """
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        return _basic(encoded.strip())
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if client_id is None or client_secret is None:
        return None
    return client_id, client_secret


def _basic(encoded: str) -> tuple[str, str] | None:
    try:
        decoded = b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, client_secret = decoded.partition(":")
    return (client_id, client_secret) if colon else None
