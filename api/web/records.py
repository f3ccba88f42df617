"""Records as the pages' rows show them: the cells a live update re-renders, with the same
macros the pages use, and the signature that tells whether they changed.

An invoice or payment row also shows why it cannot be synced now, by the rule its sync
request is refused with (core.services.pushes): the page never keeps a copy of that rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask import get_template_attribute

from api.context import app_context, current_firm_id
from api.web.blueprint import blp
from api.web.statuses import signature
from core.domain.billing import Invoice, Payment
from core.domain.records import Account
from core.services import pushes
from core.services.settings import firm_settings

MACROS = "web/macros.html"


def _macro(name: str) -> Callable[..., str]:
    macro: Callable[..., str] = get_template_attribute(MACROS, name)
    return macro


def account_signature(account: Account) -> str:
    return signature(account.status, account.qbo_customer_id, account.error)


def billing_signature(record: Invoice | Payment, blocked: str | None) -> str:
    return signature(record.status, record.qbo_id, record.error, blocked)


def account_cells(account: Account, names: Mapping[str, str]) -> dict[str, str]:
    """The cells of an account's row that its status changes."""
    return {
        "status": _macro("badge")("account", account.external_id, account.status, account.error),
        "customer": _macro("customer")(account.qbo_customer_id, names),
        "menu": _macro("account_menu")(account),  # its actions follow its status
    }


def billing_cells(
    kind: str, record: Invoice | Payment, blocked: str | None, back: str
) -> dict[str, str]:
    """The cells of an invoice's or a payment's row that its status changes."""
    return {
        "status": _macro("badge")(kind, record.external_id, record.status, record.error),
        "qbo": _macro("qbo_id")(record.qbo_id),
        "actions": _macro("billing_actions")(kind, record, blocked, back),
    }


def invoice_blockers(invoices: Sequence[Invoice]) -> dict[str, str]:
    """Why each invoice cannot be synced now (its account is not Synced, or it is dated
    before the firm's sync_invoices_from), by external id; those that can are left out."""
    if not invoices:
        return {}
    services = app_context().services
    settings = firm_settings(services.reader(), current_firm_id())
    with services.reader() as uow:
        reasons = {i.external_id: pushes.invoice_waits_for(uow, i, settings) for i in invoices}
    return {external_id: reason for external_id, reason in reasons.items() if reason}


def payment_blockers(payments: Sequence[Payment]) -> dict[str, str]:
    """Why each payment cannot be synced now (its invoice is not Synced), by external id."""
    if not payments:
        return {}
    with app_context().services.reader() as uow:
        reasons = {p.external_id: pushes.payment_waits_for(uow, p) for p in payments}
    return {external_id: reason for external_id, reason in reasons.items() if reason}


blp.add_app_template_global(account_signature, "account_signature")
blp.add_app_template_global(billing_signature, "billing_signature")
