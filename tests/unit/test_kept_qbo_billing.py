"""The token-keeping Qbo hands every billing call to the client unchanged, and retries a write
after a 401 with the same request id."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.domain.qbo import QboInvoice, QboInvoiceDraft, QboInvoiceLine, QboPaymentDraft
from core.domain.records import QboConnection
from core.errors import QboAuthenticationError
from core.services.tokens import _KeptQbo
from tests.fakes import FakeQbo

CONNECTION = QboConnection(
    firm_id=1,
    realm_id="1",
    api_base_url="https://qbo.test",
    sealed_access_token="sealed",
    connected_at=datetime(2026, 1, 1, tzinfo=UTC),
)


class StubKeeper:
    """Hands out "t1", and "t2" once "t1" is reported refused."""

    def __init__(self) -> None:
        self.refused: list[str | None] = []

    def access_token(self, firm_id: int, failed: str | None = None) -> str:
        self.refused.append(failed)
        return "t2" if failed else "t1"


def kept(fake: FakeQbo, keeper: StubKeeper | None = None) -> tuple[_KeptQbo, list[str]]:
    tokens: list[str] = []

    def clients(connection: QboConnection, token: str) -> Any:
        tokens.append(token)
        return fake

    return _KeptQbo(keeper or StubKeeper(), clients, CONNECTION), tokens  # type: ignore[arg-type]


def test_every_billing_call_reaches_the_client_with_its_arguments() -> None:
    fake = FakeQbo()
    customer = fake.add("Jane Doe").id
    class_id, department_id = fake.add_class("Tax"), fake.add_department("Main")
    method_id = fake.add_payment_method("Check")
    qbo, _ = kept(fake)

    item_id = qbo.create_service_item("Fee", request_id="i1")
    assert qbo.find_item_id("Fee") == item_id
    assert (qbo.find_class_id("Tax"), qbo.find_department_id("Main")) == (class_id, department_id)
    assert qbo.find_payment_method_id("Check") == method_id
    line = QboInvoiceLine(item_id, Decimal(10), Decimal(1), Decimal(10), class_id=class_id)
    draft = QboInvoiceDraft(customer, (line,), doc_number="A1", department_id=department_id)
    invoice = qbo.create_invoice(draft, request_id="c1")
    updated = qbo.update_invoice(invoice.id, invoice.sync_token, draft, request_id="u1")
    assert qbo.get_invoice(invoice.id) == updated
    assert qbo.find_invoices_by_doc_number("A1") == [updated]
    paid = QboPaymentDraft(customer, Decimal(10), invoice.id, payment_method_id=method_id)
    payment = qbo.create_payment(paid, request_id="p1")
    assert qbo.get_payment(payment.id) == payment
    unapplied = qbo.unapply_payment(payment.id, payment.sync_token, request_id="p2")
    qbo.delete_payment(payment.id, unapplied.sync_token, request_id="p3")
    current = qbo.get_invoice(invoice.id)
    assert current is not None
    qbo.delete_invoice(invoice.id, current.sync_token, request_id="d1")
    batch = qbo.create_invoices_in_batch([("b1", draft)], request_id="batch")

    assert isinstance(batch["b1"], QboInvoice)
    assert fake.invoices == {batch["b1"].id: batch["b1"]} and fake.payments == {}
    assert [request_id for _, request_id in fake.billing_writes] == [
        "i1",
        "c1",
        "u1",
        "p1",
        "p2",
        "p3",
        "d1",
        "batchb1",
    ]


def test_a_write_refused_with_401_is_sent_again_with_a_new_token_and_the_same_request_id() -> None:
    fake = FakeQbo(faults=[QboAuthenticationError("expired", code="3200", http_status=401)])
    draft = QboInvoiceDraft(
        fake.add("Jane Doe").id,
        (QboInvoiceLine(fake.add_item("Fee"), Decimal(5), Decimal(1), Decimal(5)),),
    )
    keeper = StubKeeper()
    qbo, tokens = kept(fake, keeper)

    invoice = qbo.create_invoice(draft, request_id="c1")

    assert tokens == ["t1", "t2"] and keeper.refused == [None, "t1"]
    assert fake.billing_writes == [("create_invoice", "c1")]
    assert list(fake.invoices) == [invoice.id]
