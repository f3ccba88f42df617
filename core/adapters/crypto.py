"""Tokens sealed at rest with Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

Keys come from QBSYNC_ENCRYPTION_KEYS, newest first: the first seals, all of them open, so a
key is rotated by putting a new one in front, running `qbsync keys rotate` (which reseals
every token with it) and then dropping the old one.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.errors import ConfigurationError


def generate_key() -> str:
    """A new random key, in the form QBSYNC_ENCRYPTION_KEYS takes."""
    return Fernet.generate_key().decode()


class FernetVault:
    """Seals and opens secrets with the configured keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ConfigurationError(
                "QBSYNC_ENCRYPTION_KEYS is not set: generate a key with "
                "`qbsync keys generate` and set it (tokens are stored encrypted)."
            )
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as exc:
            raise ConfigurationError(
                "QBSYNC_ENCRYPTION_KEYS holds a key that is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc

    def seal(self, secret: str) -> str:
        """The secret encrypted with the newest key."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret, opened with whichever configured key sealed it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError(
                "A stored token cannot be opened with the configured keys: was a key dropped "
                "from QBSYNC_ENCRYPTION_KEYS before `qbsync keys rotate` ran?"
            ) from exc

    def reseal(self, sealed: str) -> str:
        """The same secret sealed with the newest key (for key rotation)."""
        return self._fernet.rotate(sealed.encode()).decode()
