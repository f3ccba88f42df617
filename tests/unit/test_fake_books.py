"""FakeQbo's billing side: the knobs tests script it with (its rules are checked against the
sandbox in tests/integration/test_qbo_billing_client.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.domain.qbo import QboInvoiceDraft, QboInvoiceLine
from core.errors import QboFaultError, QboTransientError
from tests.fakes import FakeQbo


def a_draft(fake: FakeQbo) -> QboInvoiceDraft:
    customer = fake.add("Jane Doe")
    line = QboInvoiceLine(fake.add_item("Fee"), Decimal(5), Decimal(1), Decimal(5))
    return QboInvoiceDraft(customer.id, (line,))


def test_the_fake_raises_scripted_faults_before_writing() -> None:
    fake = FakeQbo(faults=[QboTransientError("down")])
    draft = a_draft(fake)

    with pytest.raises(QboTransientError):
        fake.create_invoice(draft, request_id="r1")
    invoice = fake.create_invoice(draft, request_id="r1")

    assert list(fake.invoices) == [invoice.id]
    assert fake.billing_writes == [("create_invoice", "r1")]


def test_the_fake_can_lose_an_answer_after_writing_and_replays_it_on_the_retry() -> None:
    fake = FakeQbo(lose_next_billing_answer=True)
    draft = a_draft(fake)

    with pytest.raises(QboTransientError):
        fake.create_invoice(draft, request_id="r1")
    again = fake.create_invoice(draft, request_id="r1")

    assert list(fake.invoices) == [again.id]
    assert fake.invoice_drafts[again.id].lines == draft.lines


def test_a_repeated_request_id_raises_the_first_fault_again_without_writing() -> None:
    fake = FakeQbo()
    draft = a_draft(fake)
    fake.create_invoice(draft, request_id="r1")
    numbered = QboInvoiceDraft(draft.customer_id, draft.lines, doc_number="7")
    fake.create_invoice(numbered, request_id="r2")

    with pytest.raises(QboFaultError) as first:
        fake.create_invoice(numbered, request_id="r3")
    del fake.invoices[next(i.id for i in fake.invoices.values() if i.doc_number == "7")]
    with pytest.raises(QboFaultError) as again:
        fake.create_invoice(numbered, request_id="r3")

    assert again.value is first.value and first.value.code == "6140"
    assert len(fake.invoices) == 1
