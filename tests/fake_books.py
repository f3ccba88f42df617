"""FakeQbo's invoices and payments (issue 15), kept by the bundled sandbox's rules
(sandbox/entities/invoice.py, payment.py …), so tests/integration/test_qbo_billing_client.py
runs one suite against both. Transactions share one Id counter, as in QBO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.adapters.qbo.billing_payloads import invoice_batch
from core.domain.qbo import (
    QboCustomer,
    QboInvoice,
    QboInvoiceDraft,
    QboInvoiceLine,
    QboPayment,
    QboPaymentDraft,
)
from core.errors import QboError
from tests.fake_lists import INACTIVE, FakeLists, active_entry, business_rule, fault

CENT = Decimal("0.01")
FIRST_DOC_NUMBER = 1001


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class FakeBooks(FakeLists):
    """The billing half of FakeQbo; FakeQbo supplies `_maybe_fail` and `_customer`."""

    invoices: dict[str, QboInvoice] = field(default_factory=dict)
    invoice_drafts: dict[str, QboInvoiceDraft] = field(default_factory=dict)  # as last written
    payments: dict[str, QboPayment] = field(default_factory=dict)
    payment_drafts: dict[str, QboPaymentDraft] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)  # Ids of deleted invoices and payments
    today: date = field(default_factory=date.today)  # QBO's server date: the default TxnDate

    def _customer(self, customer_id: str) -> QboCustomer | None:  # FakeQbo's
        raise NotImplementedError

    # Invoices.

    def create_invoice(self, draft: QboInvoiceDraft, *, request_id: str) -> QboInvoice:
        self._maybe_fail()
        return self._once(request_id, "create_invoice", lambda: self._write_invoice(draft))

    def update_invoice(
        self, invoice_id: str, sync_token: str, draft: QboInvoiceDraft, *, request_id: str
    ) -> QboInvoice:
        self._maybe_fail()

        def update() -> QboInvoice:
            current = self._current(self.invoices, invoice_id, sync_token)
            return self._write_invoice(draft, current)

        return self._once(request_id, "update_invoice", update)

    def get_invoice(self, invoice_id: str) -> QboInvoice | None:
        self._maybe_fail()
        return self.invoices.get(invoice_id)

    def find_invoices_by_doc_number(self, doc_number: str) -> list[QboInvoice]:
        self._maybe_fail()
        return [i for i in self.invoices.values() if i.doc_number == doc_number]

    def find_invoices_by_doc_numbers(self, doc_numbers: Sequence[str]) -> list[QboInvoice]:
        self._maybe_fail()
        return [i for i in self.invoices.values() if i.doc_number in doc_numbers]

    def delete_invoice(self, invoice_id: str, sync_token: str, *, request_id: str) -> None:
        self._maybe_fail()

        def delete() -> None:
            invoice = self._current(self.invoices, invoice_id, sync_token)
            if invoice.linked_payment_ids:
                raise business_rule("Unlink the payments of the invoice before the delete.")
            del self.invoices[invoice_id]
            self.deleted.add(invoice_id)

        self._once(request_id, "delete_invoice", delete)

    def create_invoices_in_batch(
        self, drafts: Sequence[tuple[str, QboInvoiceDraft]], *, request_id: str
    ) -> dict[str, QboInvoice | QboError]:
        invoice_batch(drafts, request_id)  # the client's own checks: ValueError before a call
        if not drafts:
            return {}
        self._maybe_fail()
        results: dict[str, QboInvoice | QboError] = {}
        for bid, draft in drafts:

            def create(draft: QboInvoiceDraft = draft) -> QboInvoice:
                return self._write_invoice(draft)

            try:
                results[bid] = self._once(request_id + bid, "create_invoice", create, lose=False)
            except QboError as exc:
                results[bid] = exc
        self._lose_answer()
        return results

    # Payments.

    def create_payment(self, draft: QboPaymentDraft, *, request_id: str) -> QboPayment:
        self._maybe_fail()
        return self._once(request_id, "create_payment", lambda: self._write_payment(draft))

    def create_payments_in_batch(
        self, drafts: Sequence[tuple[str, QboPaymentDraft]], *, request_id: str
    ) -> dict[str, QboPayment | QboError]:
        if not drafts:
            return {}
        self._maybe_fail()
        results: dict[str, QboPayment | QboError] = {}
        for bid, draft in drafts:

            def create(draft: QboPaymentDraft = draft) -> QboPayment:
                return self._write_payment(draft)

            try:
                results[bid] = self._once(request_id + bid, "create_payment", create, lose=False)
            except QboError as exc:
                results[bid] = exc
        self._lose_answer()
        return results

    def get_payment(self, payment_id: str) -> QboPayment | None:
        self._maybe_fail()
        return self.payments.get(payment_id)

    def delete_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> None:
        self._maybe_fail()

        def delete() -> None:
            payment = self._current(self.payments, payment_id, sync_token)
            del self.payments[payment_id]
            self.deleted.add(payment_id)
            self._refresh_invoices(payment.linked_invoice_ids)

        self._once(request_id, "delete_payment", delete)

    def unapply_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> QboPayment:
        self._maybe_fail()

        def unapply() -> QboPayment:
            payment = self._current(self.payments, payment_id, sync_token)
            unlinked = replace(
                payment,
                sync_token=_next(payment.sync_token),
                linked_invoice_ids=(),
                unapplied_amt=payment.total_amt,
            )
            self.payments[payment_id] = unlinked
            self._refresh_invoices(payment.linked_invoice_ids)
            return unlinked

        return self._once(request_id, "unapply_payment", unapply)

    # The rules.

    def _write_invoice(
        self, draft: QboInvoiceDraft, current: QboInvoice | None = None
    ) -> QboInvoice:
        customer = self._active_customer(draft.customer_id)
        if not draft.lines:
            raise fault("2020", "Required param missing", "Required parameter Line is missing")
        total = sum((self._line_amount(line) for line in draft.lines), Decimal(0))
        if draft.department_id is not None:
            active_entry(self.departments, draft.department_id, "DepartmentRef")
        kept = None if current is None else self.invoice_drafts[current.id]
        applied = Decimal(0) if current is None else self._applied(current.id)
        if applied and current is not None and current.customer_id != customer.id:
            raise fault("620", "TxnID Cannot Be Linked", "The linked transaction's customer")
        if total < applied:
            raise business_rule("The invoice total cannot be less than the payments applied.")
        doc_number = self._doc_number(draft, current)
        issued = draft.txn_date or (kept.txn_date if kept else None) or self.today
        written = replace(
            draft,
            doc_number=doc_number,
            txn_date=issued,
            due_date=draft.due_date or (kept.due_date if kept else None) or issued + timedelta(30),
            department_id=draft.department_id or (kept.department_id if kept else None),
        )
        invoice = QboInvoice(
            id=self._new_id("Transaction") if current is None else current.id,
            sync_token="0" if current is None else _next(current.sync_token),
            customer_id=customer.id,
            total_amt=total,
            balance=total - applied,
            doc_number=doc_number,
            txn_date=written.txn_date,
            due_date=written.due_date,
            linked_payment_ids=() if current is None else current.linked_payment_ids,
        )
        self.invoices[invoice.id], self.invoice_drafts[invoice.id] = invoice, written
        return invoice

    def _line_amount(self, line: QboInvoiceLine) -> Decimal:
        active_entry(self.items, line.item_id, "Line.SalesItemLineDetail.ItemRef")
        if line.class_id is not None:
            active_entry(self.classes, line.class_id, "Line.SalesItemLineDetail.ClassRef")
        amount = cents(line.amount)
        if line.quantity and line.unit_price and cents(line.quantity * line.unit_price) != amount:
            message = "Amount is not equal to UnitPrice * Qty"
            raise fault("6070", message, f"{message}. Supplied value:{amount}")
        return amount

    def _doc_number(self, draft: QboInvoiceDraft, current: QboInvoice | None) -> str | None:
        if draft.doc_number is None:
            if current is not None:
                return current.doc_number
            numbers = [int(i.doc_number) for i in self.invoices.values() if _digits(i.doc_number)]
            return str(max(numbers, default=FIRST_DOC_NUMBER - 1) + 1)
        if len(draft.doc_number) > 21:
            raise fault("2050", "String length specified does not match the supported length.")
        for other in self.invoices.values():
            if other.doc_number == draft.doc_number and (current is None or other.id != current.id):
                raise fault(
                    "6140",
                    "Duplicate Document Number Error",
                    "Duplicate Document Number Error : You must specify a different number. "
                    "This number has already been used. "
                    f"DocNumber={draft.doc_number} is assigned to TxnType=Invoice "
                    f"with TxnId={other.id}",
                )
        return draft.doc_number

    def _write_payment(self, draft: QboPaymentDraft) -> QboPayment:
        customer = self._active_customer(draft.customer_id)
        total = cents(draft.total_amt)
        if total < 0:
            raise business_rule("TotalAmt cannot be negative.")
        invoice = self.invoices.get(draft.invoice_id)
        if invoice is None:
            detail = "Invalid Reference Id : Line.LinkedTxn.TxnId"
            raise fault("2500", "Invalid Reference Id", detail)
        if invoice.customer_id != customer.id:
            raise fault("620", "TxnID Cannot Be Linked", "The linked transaction's customer")
        if total > invoice.balance:
            raise business_rule(f"The amount applied to invoice {invoice.id} exceeds its balance.")
        payment = QboPayment(
            id=self._new_id("Transaction"),
            sync_token="0",
            customer_id=customer.id,
            total_amt=total,
            linked_invoice_ids=(invoice.id,),
            unapplied_amt=Decimal(0),
            txn_date=draft.txn_date or self.today,
            private_note=draft.private_note,
        )
        self.payments[payment.id], self.payment_drafts[payment.id] = payment, draft
        self._refresh_invoices(payment.linked_invoice_ids)
        return payment

    def _applied(self, invoice_id: str) -> Decimal:
        return sum(
            (
                p.total_amt - (p.unapplied_amt or 0)
                for p in self.payments.values()
                if invoice_id in p.linked_invoice_ids
            ),
            Decimal(0),
        )

    def _refresh_invoices(self, invoice_ids: Sequence[str]) -> None:
        """An invoice's Balance and linked payments follow its payments; its SyncToken too."""
        for invoice_id in invoice_ids:
            invoice = self.invoices.get(invoice_id)
            if invoice is None:
                continue
            paying = tuple(
                sorted(
                    (p.id for p in self.payments.values() if invoice_id in p.linked_invoice_ids),
                    key=int,
                )
            )
            balance = invoice.total_amt - self._applied(invoice_id)
            if (balance, paying) != (invoice.balance, invoice.linked_payment_ids):
                self.invoices[invoice_id] = replace(
                    invoice,
                    balance=balance,
                    linked_payment_ids=paying,
                    sync_token=_next(invoice.sync_token),
                )

    def _active_customer(self, customer_id: str) -> QboCustomer:
        customer = self._customer(customer_id)
        if customer is None:
            raise fault("2500", "Invalid Reference Id", "Invalid Reference Id : CustomerRef")
        if not customer.active:
            raise fault("610", "Object Not Found", INACTIVE)
        return customer

    def _current(self, rows: dict[str, Any], entity_id: str, sync_token: str) -> Any:
        row = rows.get(entity_id)
        if row is None:
            if entity_id in self.deleted:
                detail = "Object Not Found : Another user has deleted this transaction."
                raise fault("610", "Object Not Found", detail)
            raise fault("610", "Object Not Found", INACTIVE)
        if row.sync_token != sync_token:
            raise fault("5010", "Stale Object Error", "Stale Object Error : You and QuickBooks …")
        return row


def _next(sync_token: str) -> str:
    return str(int(sync_token) + 1)


def _digits(doc_number: str | None) -> bool:
    return doc_number is not None and doc_number.isascii() and doc_number.isdigit()
