"""QBO webhook signatures: `intuit-signature` is base64(HMAC-SHA256(verifier token, raw body)).

The check runs over the raw bytes before anything reads them (SPEC §7), and compares in
constant time so a forger learns nothing from how long a refusal takes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def webhook_signature(body: bytes, verifier_token: str) -> str:
    """The signature QBO sends with `body`, keyed with the app's verifier token."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(body: bytes, signature: str | None, verifier_token: str) -> bool:
    """Whether `signature` (the header's value, None if absent) signs `body` with the token."""
    if not signature or not verifier_token:
        return False
    expected = webhook_signature(body, verifier_token).encode()
    return hmac.compare_digest(expected, signature.strip().encode())
