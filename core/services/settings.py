"""Reading and changing a firm's sync settings (SPEC §2.7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from core.domain.settings import FirmSettings, FirstSyncScope
from core.ports import UnitOfWork

# What PATCH may change, and the type each value must have once the API has parsed it.
CHANGEABLE: dict[str, type | tuple[type, ...]] = {
    "auto_sync_new_accounts": bool,
    "default_customer_type": str,
    "sync_invoices_from": (date, type(None)),
    "sync_manual_payments": bool,
    "first_sync_scope": FirstSyncScope,
}


def firm_settings(uow: UnitOfWork, firm_id: int) -> FirmSettings:
    """The firm's settings, the defaults where it never changed them."""
    with uow:
        return uow.settings.for_firm(firm_id)


def change_settings(
    uow: UnitOfWork, firm_id: int, changes: dict[str, Any], now: datetime
) -> FirmSettings:
    """Apply the given settings and keep the others; the API has validated the values."""
    unknown = set(changes) - set(CHANGEABLE)
    assert not unknown, f"not settings: {sorted(unknown)}"
    for name, value in changes.items():
        assert isinstance(value, CHANGEABLE[name]), f"{name}={value!r}"
    with uow:
        current = uow.settings.for_firm(firm_id)
        changed = replace(current, **changes, updated_at=now) if changes else current
        if changes:
            uow.settings.save(changed)
            uow.commit()
        return changed
