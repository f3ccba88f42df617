"""Keeping a firm's access token fresh: refreshed before it expires, and once on a 401.

The refresh runs while the connection's row is write-locked (core.adapters.db.repositories,
`lock_for_firm`), so concurrent refreshes of one company, in any process, collapse into one:
the second waits for the lock and finds the new tokens. This is the one place a transaction
stays open across a call out, an OAuth call of a second, which is what makes the collapse
hold. A refresh Intuit refuses
(invalid_grant: revoked, expired) marks the connection broken with the reason, and every job
of the firm then fails with "QuickBooks is not connected" until the firm reconnects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from core.domain.qbo import (
    QboCustomer,
    QboEntityChanges,
    QboInvoice,
    QboInvoiceDraft,
    QboPayment,
    QboPaymentDraft,
)
from core.domain.records import QboConnection
from core.errors import NotConnectedError, QboAuthenticationError, QboError, QboOAuthError
from core.ports import OAuthProvider, Qbo, QboClients, TokenVault, UnitOfWork
from core.services.connection import store_tokens

# An access token this close to its end is refreshed before use, so no call meets its expiry.
REFRESH_MARGIN = timedelta(minutes=5)

T = TypeVar("T")


class TokenKeeper:
    """Hands out usable access tokens, refreshing them as needed."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        vault: TokenVault,
        oauth: OAuthProvider,
        clock: Callable[[], datetime],
    ) -> None:
        self._uow, self._vault, self._oauth, self._clock = uow, vault, oauth, clock
        # Threads of one process queue here too: SQLite has no row locks to queue them.
        self._refreshing = threading.Lock()

    def access_token(self, firm_id: int, failed: str | None = None) -> str:
        """A usable access token; `failed` is one QBO refused, to be replaced if still stored."""
        with self._refreshing:
            return self._access_token(firm_id, failed)

    def refresh(self, firm_id: int) -> None:
        """Refresh now, whatever the access token's age (keeps the refresh token alive)."""
        with self._refreshing:
            self._access_token(firm_id, None, force=True)

    def _access_token(self, firm_id: int, failed: str | None, force: bool = False) -> str:
        now = self._clock()
        with self._uow() as uow:
            connection = uow.connections.lock_for_firm(firm_id)
            if connection is None:
                raise NotConnectedError()
            if connection.broken_reason:
                raise NotConnectedError(connection.broken_reason)
            current = self._vault.open(connection.sealed_access_token)
            renewable = connection.sealed_refresh_token is not None
            if not (force and renewable) and not self._due(connection, current, failed, now):
                return current
            try:
                assert connection.sealed_refresh_token is not None
                tokens = self._oauth.refresh(self._vault.open(connection.sealed_refresh_token))
            except QboAuthenticationError as exc:
                connection.broken_reason = (
                    f"QuickBooks refused to refresh the connection ({exc.code or exc.message}); "
                    "reconnect QuickBooks."
                )
                uow.commit()
                raise NotConnectedError(connection.broken_reason) from exc
            store_tokens(self._vault, connection, tokens, now)
            uow.commit()
            return tokens.access_token

    @staticmethod
    def _due(connection: QboConnection, current: str, failed: str | None, now: datetime) -> bool:
        if connection.sealed_refresh_token is None:
            return False  # a token without a refresh token (seeded by hand) cannot be renewed
        if failed is not None:
            return failed == current  # another process may have refreshed it already
        expires = connection.access_expires_at
        return expires is not None and expires <= now + REFRESH_MARGIN


class TokenKeepingConnector:
    """The QboConnector the workers use: clients whose token the keeper keeps fresh."""

    def __init__(self, keeper: TokenKeeper, clients: QboClients) -> None:
        self._keeper, self._clients = keeper, clients

    def __call__(self, connection: QboConnection) -> Qbo:
        return _KeptQbo(self._keeper, self._clients, connection)


class _KeptQbo:
    """A Qbo whose calls get a fresh token, and one retry with a new token after a 401."""

    def __init__(self, keeper: TokenKeeper, clients: QboClients, connection: QboConnection):
        self._keeper, self._clients, self._connection = keeper, clients, connection

    def find_customers_by_display_name(self, display_name: str) -> list[QboCustomer]:
        return self._call(lambda qbo: qbo.find_customers_by_display_name(display_name))

    def get_customer(self, customer_id: str) -> QboCustomer | None:
        return self._call(lambda qbo: qbo.get_customer(customer_id))

    def list_customers(
        self, *, start_position: int = 1, max_results: int = 1000, include_inactive: bool = False
    ) -> list[QboCustomer]:
        return self._call(
            lambda qbo: qbo.list_customers(
                start_position=start_position,
                max_results=max_results,
                include_inactive=include_inactive,
            )
        )

    def find_customer_type_id(self, name: str) -> str | None:
        return self._call(lambda qbo: qbo.find_customer_type_id(name))

    def find_customers_by_display_names(self, display_names: Sequence[str]) -> list[QboCustomer]:
        return self._call(lambda qbo: qbo.find_customers_by_display_names(display_names))

    def display_names_held_by_others(self, display_names: Sequence[str]) -> set[str]:
        return self._call(lambda qbo: qbo.display_names_held_by_others(display_names))

    def create_customer(
        self, display_name: str, *, request_id: str, customer_type_id: str | None = None
    ) -> QboCustomer:
        # The same request id on the retry: a create that went through is not made twice.
        return self._call(
            lambda qbo: qbo.create_customer(
                display_name, request_id=request_id, customer_type_id=customer_type_id
            )
        )

    def changed_customers(self, since: datetime) -> QboEntityChanges:
        return self._call(lambda qbo: qbo.changed_customers(since))

    # Invoices and payments: writes keep their request id on the retry after a 401.

    def find_item_id(self, name: str) -> str | None:
        return self._call(lambda qbo: qbo.find_item_id(name))

    def create_service_item(self, name: str, *, request_id: str) -> str:
        return self._call(lambda qbo: qbo.create_service_item(name, request_id=request_id))

    def find_class_id(self, name: str) -> str | None:
        return self._call(lambda qbo: qbo.find_class_id(name))

    def find_department_id(self, name: str) -> str | None:
        return self._call(lambda qbo: qbo.find_department_id(name))

    def find_payment_method_id(self, name: str) -> str | None:
        return self._call(lambda qbo: qbo.find_payment_method_id(name))

    def create_invoice(self, draft: QboInvoiceDraft, *, request_id: str) -> QboInvoice:
        return self._call(lambda qbo: qbo.create_invoice(draft, request_id=request_id))

    def update_invoice(
        self, invoice_id: str, sync_token: str, draft: QboInvoiceDraft, *, request_id: str
    ) -> QboInvoice:
        return self._call(
            lambda qbo: qbo.update_invoice(invoice_id, sync_token, draft, request_id=request_id)
        )

    def get_invoice(self, invoice_id: str) -> QboInvoice | None:
        return self._call(lambda qbo: qbo.get_invoice(invoice_id))

    def find_invoices_by_doc_number(self, doc_number: str) -> list[QboInvoice]:
        return self._call(lambda qbo: qbo.find_invoices_by_doc_number(doc_number))

    def find_invoices_by_doc_numbers(self, doc_numbers: Sequence[str]) -> list[QboInvoice]:
        return self._call(lambda qbo: qbo.find_invoices_by_doc_numbers(doc_numbers))

    def delete_invoice(self, invoice_id: str, sync_token: str, *, request_id: str) -> None:
        self._call(lambda qbo: qbo.delete_invoice(invoice_id, sync_token, request_id=request_id))

    def create_payment(self, draft: QboPaymentDraft, *, request_id: str) -> QboPayment:
        return self._call(lambda qbo: qbo.create_payment(draft, request_id=request_id))

    def get_payment(self, payment_id: str) -> QboPayment | None:
        return self._call(lambda qbo: qbo.get_payment(payment_id))

    def delete_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> None:
        self._call(lambda qbo: qbo.delete_payment(payment_id, sync_token, request_id=request_id))

    def unapply_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> QboPayment:
        return self._call(
            lambda qbo: qbo.unapply_payment(payment_id, sync_token, request_id=request_id)
        )

    def create_invoices_in_batch(
        self, drafts: Sequence[tuple[str, QboInvoiceDraft]], *, request_id: str
    ) -> dict[str, QboInvoice | QboError]:
        return self._call(lambda qbo: qbo.create_invoices_in_batch(drafts, request_id=request_id))

    def create_customers_in_batch(
        self, drafts: Sequence[tuple[str, str, str | None]], *, request_id: str
    ) -> dict[str, QboCustomer | QboError]:
        return self._call(lambda qbo: qbo.create_customers_in_batch(drafts, request_id=request_id))

    def create_payments_in_batch(
        self, drafts: Sequence[tuple[str, QboPaymentDraft]], *, request_id: str
    ) -> dict[str, QboPayment | QboError]:
        return self._call(lambda qbo: qbo.create_payments_in_batch(drafts, request_id=request_id))

    def _call(self, action: Callable[[Qbo], T]) -> T:
        firm_id = self._connection.firm_id
        token = self._keeper.access_token(firm_id)
        try:
            return action(self._clients(self._connection, token))
        except QboOAuthError:
            raise
        except QboAuthenticationError:
            renewed = self._keeper.access_token(firm_id, failed=token)
            return action(self._clients(self._connection, renewed))
