"""A firm's API keys (core.services.firms): several at once, listed by prefix, revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.bootstrap import Services
from core.errors import NotFoundError
from core.services.firms import (
    api_keys_of,
    create_firm,
    firm_for_api_key,
    issue_api_key,
    revoke_api_key,
)


def test_a_revoked_key_is_refused_at_once_and_the_firms_other_key_still_works(
    services: Services,
) -> None:
    firm_id, first = create_firm(services.uow(), "Keys Ltd", services.clock())
    stored, second = issue_api_key(services.uow(), firm_id, services.clock())
    assert stored.id is not None and firm_for_api_key(services.uow(), second) == firm_id

    revoked = revoke_api_key(services.uow(), firm_id, stored.id, services.clock())
    again = revoke_api_key(services.uow(), firm_id, stored.id, services.clock() + timedelta(1))

    assert firm_for_api_key(services.uow(), second) is None
    assert firm_for_api_key(services.uow(), first) == firm_id
    assert again.revoked_at == revoked.revoked_at  # revoking twice changes nothing
    listed = api_keys_of(services.uow(), firm_id)
    assert [k.prefix for k in listed] == [first[:12], second[:12]]
    assert [k.revoked_at is None for k in listed] == [True, False]


def test_another_firms_key_cannot_be_revoked(services: Services) -> None:
    owner, key = create_firm(services.uow(), "Owner Ltd", services.clock())
    other, _ = create_firm(services.uow(), "Other Ltd", services.clock())
    owned = api_keys_of(services.uow(), owner)[0]
    assert owned.id is not None

    with pytest.raises(NotFoundError):
        revoke_api_key(services.uow(), other, owned.id, services.clock())

    assert firm_for_api_key(services.uow(), key) == owner
