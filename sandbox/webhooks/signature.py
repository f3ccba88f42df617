"""The `intuit-signature` header: base64 of HMAC-SHA256 over the raw body."""

import base64
import hashlib
import hmac


def sign(body: bytes, verifier_token: str) -> str:
    """The signature QBO sends with `body`, keyed with the app's verifier token."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
