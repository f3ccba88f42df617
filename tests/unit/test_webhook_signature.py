"""The `intuit-signature` check: HMAC-SHA256 over the raw body, keyed with the verifier token."""

from __future__ import annotations

import base64
import hashlib
import hmac

from core.domain.webhooks import signature_is_valid, webhook_signature

TOKEN = "the-apps-verifier-token"
BODY = b'{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[]}}]}'


def test_the_signature_is_base64_of_the_hmac_sha256_of_the_body() -> None:
    expected = base64.b64encode(hmac.new(TOKEN.encode(), BODY, hashlib.sha256).digest()).decode()
    assert webhook_signature(BODY, TOKEN) == expected


def test_a_good_signature_is_accepted() -> None:
    assert signature_is_valid(BODY, webhook_signature(BODY, TOKEN), TOKEN)


def test_surrounding_white_space_in_the_header_does_not_matter() -> None:
    assert signature_is_valid(BODY, f" {webhook_signature(BODY, TOKEN)}\n", TOKEN)


def test_a_missing_or_empty_signature_is_refused() -> None:
    assert not signature_is_valid(BODY, None, TOKEN)
    assert not signature_is_valid(BODY, "", TOKEN)


def test_a_signature_made_with_another_token_is_refused() -> None:
    assert not signature_is_valid(BODY, webhook_signature(BODY, "another-token"), TOKEN)


def test_a_body_altered_by_one_byte_is_refused() -> None:
    signature = webhook_signature(BODY, TOKEN)
    altered = BODY[:-2] + bytes([BODY[-2] ^ 1]) + BODY[-1:]
    assert len(altered) == len(BODY) and altered != BODY
    assert not signature_is_valid(altered, signature, TOKEN)


def test_a_signature_that_is_not_base64_or_not_ascii_is_refused_not_an_error() -> None:
    assert not signature_is_valid(BODY, "not base64 at all!", TOKEN)
    assert not signature_is_valid(BODY, "signé", TOKEN)


def test_without_a_verifier_token_nothing_verifies() -> None:
    assert not signature_is_valid(BODY, webhook_signature(BODY, ""), "")
