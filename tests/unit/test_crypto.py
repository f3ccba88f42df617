"""Tokens at rest: sealed with the newest key, opened with any configured one."""

import pytest

from core.adapters.crypto import FernetVault, generate_key
from core.errors import ConfigurationError

TOKEN = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..secret-access-token"


def test_a_sealed_token_reads_as_nothing_like_it_and_opens_again() -> None:
    vault = FernetVault([generate_key()])
    sealed = vault.seal(TOKEN)
    assert "secret-access-token" not in sealed
    assert vault.open(sealed) == TOKEN


def test_rotation_opens_old_tokens_reseals_them_and_then_needs_only_the_new_key() -> None:
    old, new = generate_key(), generate_key()
    sealed_with_old = FernetVault([old]).seal(TOKEN)
    rotating = FernetVault([new, old])

    resealed = rotating.reseal(sealed_with_old)

    assert rotating.open(sealed_with_old) == TOKEN
    assert FernetVault([new]).open(resealed) == TOKEN
    with pytest.raises(ConfigurationError, match="rotate"):
        FernetVault([new]).open(sealed_with_old)


def test_a_missing_or_malformed_key_is_a_configuration_error_that_says_what_to_do() -> None:
    with pytest.raises(ConfigurationError, match="QBSYNC_ENCRYPTION_KEYS is not set"):
        FernetVault([])
    with pytest.raises(ConfigurationError, match="not a Fernet key"):
        FernetVault(["not-a-key"])
