"""Invoices, payments and their lists through the QBO client, against the sandbox over loopback
HTTP, and the same suite against FakeQbo (a contract test: the fake cannot drift)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from core.adapters.gate import MemoryRealmGate, RealmLimits
from core.adapters.qbo.client import HttpQboClients
from core.domain.qbo import (
    QboInvoice,
    QboInvoiceDraft,
    QboInvoiceLine,
    QboPaymentDraft,
)
from core.domain.records import QboConnection
from core.errors import QboFaultError, QboPayloadError
from core.ports import Qbo
from sandbox.seed import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLASS,
    DEMO_DEPARTMENT,
    DEMO_ITEM,
    DEMO_PAYMENT_METHODS,
    INACTIVE_CUSTOMER,
)
from tests.conftest import Sandbox
from tests.fakes import FakeQbo
from tests.sandbox.books import versioned

ACTIVE_CUSTOMER = "Amy's Bird Sanctuary"
OTHER_CUSTOMER = "Cool Cars"


@dataclass
class Books:
    """A QBO company's billing side as a test sees it: the port, and what only a test sees."""

    qbo: Qbo
    customer_ids: dict[str, str]  # by display name, the inactive one too
    count_invoices: Callable[[], int]
    # The department and the classes of an invoice's lines, as QBO stored them.
    tags_of: Callable[[str], tuple[str | None, list[str | None]]]
    method_of: Callable[[str], str | None]  # a payment's PaymentMethodRef, as stored
    sandbox: Sandbox | None = None

    @property
    def customer_id(self) -> str:
        return self.customer_ids[ACTIVE_CUSTOMER]


@pytest.fixture
def connector() -> Iterator[HttpQboClients]:
    opened = HttpQboClients(MemoryRealmGate(RealmLimits()), timeout_seconds=5)
    yield opened
    opened.close()


def sandbox_books(sandbox: Sandbox, connector: HttpQboClients) -> Books:
    connection = QboConnection(
        firm_id=1,
        realm_id=sandbox.realm_id,
        api_base_url=sandbox.url,
        sealed_access_token="(sealed; the token is given to the client)",
        connected_at=datetime.now(UTC),
    )
    state, realm = sandbox.state, sandbox.realm_id

    def count_invoices() -> int:
        return int(state.query(realm, "select count(*) from Invoice")["totalCount"])

    def tags_of(invoice_id: str) -> tuple[str | None, list[str | None]]:
        row = state.read(realm, "Invoice", invoice_id)
        sales = [line["SalesItemLineDetail"] for line in row["Line"] if "LineNum" in line]
        department = row.get("DepartmentRef", {}).get("value")
        return department, [detail.get("ClassRef", {}).get("value") for detail in sales]

    def method_of(payment_id: str) -> str | None:
        method: str | None = (
            state.read(realm, "Payment", payment_id).get("PaymentMethodRef", {}).get("value")
        )
        return method

    return Books(
        qbo=connector(connection, DEMO_ACCESS_TOKEN),
        customer_ids={c["DisplayName"]: c["Id"] for c in state.customers(realm)},
        count_invoices=count_invoices,
        tags_of=tags_of,
        method_of=method_of,
        sandbox=sandbox,
    )


def fake_books() -> Books:
    """FakeQbo seeded like the sandbox's demo company."""
    fake = FakeQbo()
    for name in (ACTIVE_CUSTOMER, OTHER_CUSTOMER):
        fake.add(name)
    fake.add(INACTIVE_CUSTOMER, active=False)
    fake.add_item(DEMO_ITEM)
    fake.add_class(DEMO_CLASS)
    fake.add_department(DEMO_DEPARTMENT)
    for method, _ in DEMO_PAYMENT_METHODS:
        fake.add_payment_method(method)

    def tags_of(invoice_id: str) -> tuple[str | None, list[str | None]]:
        draft = fake.invoice_drafts[invoice_id]
        return draft.department_id, [line.class_id for line in draft.lines]

    return Books(
        qbo=fake,
        customer_ids={c.display_name: c.id for c in fake.customers.values()},
        count_invoices=lambda: len(fake.invoices),
        tags_of=tags_of,
        method_of=lambda payment_id: fake.payment_drafts[payment_id].payment_method_id,
    )


@pytest.fixture(params=["sandbox", "fake"])
def books(request: pytest.FixtureRequest) -> Books:
    if request.param == "fake":
        return fake_books()
    return sandbox_books(request.getfixturevalue("sandbox"), request.getfixturevalue("connector"))


def a_line(
    books: Books,
    amount: str,
    qty: str = "1",
    description: str | None = None,
    class_id: str | None = None,
) -> QboInvoiceLine:
    """A line of the demo item whose amount is its quantity times its price."""
    item_id = books.qbo.find_item_id(DEMO_ITEM)
    assert item_id is not None
    price = Decimal(amount) / Decimal(qty)
    return QboInvoiceLine(item_id, Decimal(amount), Decimal(qty), price, description, class_id)


def a_draft(books: Books, *amounts: str, **fields: Any) -> QboInvoiceDraft:
    """A draft for the active customer (unless `customer_id` says otherwise), a line an amount."""
    lines = tuple(a_line(books, amount) for amount in amounts or ("450",))
    customer_id = str(fields.pop("customer_id", books.customer_id))
    return QboInvoiceDraft(customer_id, lines, **fields)


def an_invoice(books: Books, *amounts: str, request_id: str, **fields: Any) -> QboInvoice:
    return books.qbo.create_invoice(a_draft(books, *amounts, **fields), request_id=request_id)


def fault_code(action: Callable[[], object]) -> str | None:
    with pytest.raises(QboFaultError) as raised:
        action()
    assert raised.value.http_status == 400 and not raised.value.retryable
    return raised.value.code


# Invoices.


def test_an_invoice_with_two_lines_a_class_and_a_department_reads_back_with_qbos_sums(
    books: Books,
) -> None:
    qbo = books.qbo
    class_id, department_id = qbo.find_class_id(DEMO_CLASS), qbo.find_department_id(DEMO_DEPARTMENT)
    assert class_id is not None and department_id is not None
    lines = (
        a_line(books, "300.00", "2", description="Monthly bookkeeping", class_id=class_id),
        a_line(books, "12.50", "0.5"),
    )
    draft = QboInvoiceDraft(
        books.customer_id,
        lines,
        doc_number="INV-2026-1",
        txn_date=date(2026, 1, 5),
        due_date=date(2026, 2, 5),
        department_id=department_id,
    )

    created = qbo.create_invoice(draft, request_id="inv-two-lines")

    assert qbo.get_invoice(created.id) == created
    assert (created.total_amt, created.balance) == (Decimal("312.50"), Decimal("312.50"))
    assert (created.customer_id, created.sync_token, created.doc_number) == (
        books.customer_id,
        "0",
        "INV-2026-1",
    )
    assert (created.txn_date, created.due_date) == (date(2026, 1, 5), date(2026, 2, 5))
    assert created.linked_payment_ids == ()
    assert books.tags_of(created.id) == (department_id, [class_id, None])


def test_an_invoice_without_a_number_or_dates_gets_them_from_qbo(books: Books) -> None:
    invoice = an_invoice(books, "100", request_id="inv-numbered")
    assert invoice.doc_number is not None and invoice.doc_number.isdigit()
    assert invoice.txn_date is not None and invoice.due_date is not None


def test_a_repeated_request_id_creates_the_invoice_once(books: Books) -> None:
    before = books.count_invoices()
    first = an_invoice(books, "100", request_id="inv-once")
    again = an_invoice(books, "100", request_id="inv-once")
    assert again == first
    assert books.count_invoices() == before + 1


def test_a_sparse_update_replaces_the_lines_keeps_what_it_does_not_send_and_bumps_the_token(
    books: Books,
) -> None:
    invoice = an_invoice(books, "450", request_id="inv-to-update", doc_number="UPD-1")

    updated = books.qbo.update_invoice(
        invoice.id, invoice.sync_token, a_draft(books, "100", "25.25"), request_id="upd-1"
    )

    assert (updated.id, updated.sync_token) == (invoice.id, "1")
    assert (updated.total_amt, updated.balance) == (Decimal("125.25"), Decimal("125.25"))
    assert (updated.doc_number, updated.txn_date) == ("UPD-1", invoice.txn_date)
    assert books.qbo.get_invoice(invoice.id) == updated
    assert books.tags_of(invoice.id)[1] == [None, None]  # two lines now, not three


def test_a_stale_sync_token_is_fault_5010(books: Books) -> None:
    invoice = an_invoice(books, "450", request_id="inv-stale")
    books.qbo.update_invoice(invoice.id, "0", a_draft(books, "400"), request_id="upd-fresh")

    code = fault_code(
        lambda: books.qbo.update_invoice(
            invoice.id, "0", a_draft(books, "300"), request_id="upd-stale"
        )
    )

    assert code == "5010"


def test_a_duplicate_doc_number_is_fault_6140_naming_the_invoice_that_has_it(books: Books) -> None:
    first = an_invoice(books, "450", request_id="inv-dup-1", doc_number="DUP-7")
    with pytest.raises(QboFaultError) as raised:
        an_invoice(books, "450", request_id="inv-dup-2", doc_number="DUP-7")
    assert raised.value.code == "6140"
    assert raised.value.message == "Duplicate Document Number Error"
    assert f"DocNumber=DUP-7 is assigned to TxnType=Invoice with TxnId={first.id}" in str(
        raised.value.detail
    )
    assert books.qbo.find_invoices_by_doc_number("DUP-7") == [first]
    assert books.qbo.find_invoices_by_doc_number("NO-SUCH") == []


def test_a_line_amount_other_than_quantity_times_price_is_fault_6070(books: Books) -> None:
    line = a_line(books, "100", "2")
    wrong = QboInvoiceDraft(
        books.customer_id,
        (QboInvoiceLine(line.item_id, Decimal("99"), line.quantity, line.unit_price),),
    )
    assert fault_code(lambda: books.qbo.create_invoice(wrong, request_id="inv-6070")) == "6070"


def test_an_invoice_for_an_inactive_customer_is_fault_610(books: Books) -> None:
    inactive = books.customer_ids[INACTIVE_CUSTOMER]
    draft = a_draft(books, "100", customer_id=inactive)
    with pytest.raises(QboFaultError) as raised:
        books.qbo.create_invoice(draft, request_id="inv-inactive")
    assert raised.value.code == "610"
    assert "made inactive" in str(raised.value.detail)


def test_an_unknown_invoice_reads_as_none(books: Books) -> None:
    assert books.qbo.get_invoice("987654") is None
    assert books.qbo.get_payment("987654") is None


# Items, classes, departments.


def test_an_item_is_found_by_name_and_a_created_service_item_is_found_too(books: Books) -> None:
    qbo = books.qbo
    assert qbo.find_item_id(DEMO_ITEM) is not None
    assert qbo.find_item_id("Payroll") is None

    created = qbo.create_service_item("Payroll", request_id="item-payroll")

    assert qbo.create_service_item("Payroll", request_id="item-payroll") == created
    assert qbo.find_item_id("Payroll") == created
    invoice = qbo.create_invoice(
        QboInvoiceDraft(
            books.customer_id, (QboInvoiceLine(created, Decimal(80), Decimal(1), Decimal(80)),)
        ),
        request_id="inv-payroll",
    )
    assert invoice.total_amt == Decimal(80)


def test_an_item_name_over_100_characters_is_refused_before_any_call(books: Books) -> None:
    with pytest.raises(ValueError, match="100"):
        books.qbo.create_service_item("x" * 101, request_id="item-long")
    assert books.qbo.find_item_id("x" * 101) is None


def test_unknown_class_and_department_names_find_nothing(books: Books) -> None:
    assert books.qbo.find_class_id("No Such Class") is None
    assert books.qbo.find_department_id("No Such Place") is None


# Payments.


def test_a_payment_applied_to_the_invoice_pays_it(books: Books) -> None:
    invoice = an_invoice(books, "450", request_id="inv-paid")
    draft = QboPaymentDraft(
        books.customer_id, Decimal("450.00"), invoice.id, txn_date=date(2026, 2, 1)
    )

    payment = books.qbo.create_payment(draft, request_id="pay-1")

    assert (payment.total_amt, payment.unapplied_amt) == (Decimal(450), Decimal(0))
    assert (payment.linked_invoice_ids, payment.txn_date) == ((invoice.id,), date(2026, 2, 1))
    assert books.qbo.create_payment(draft, request_id="pay-1") == payment  # replayed
    paid = books.qbo.get_invoice(invoice.id)
    assert paid is not None
    assert (paid.balance, paid.total_amt) == (Decimal(0), Decimal(450))
    assert paid.linked_payment_ids == (payment.id,)
    assert books.qbo.get_payment(payment.id) == payment


def test_a_payment_method_found_by_name_tags_the_payment(books: Books) -> None:
    check = books.qbo.find_payment_method_id("Check")
    assert check is not None
    assert books.qbo.find_payment_method_id("Bitcoin") is None
    invoice = an_invoice(books, "75", request_id="inv-by-check")
    draft = QboPaymentDraft(
        books.customer_id, Decimal(75), invoice.id, payment_method_id=check, private_note="No 1001"
    )

    payment = books.qbo.create_payment(draft, request_id="pay-by-check")

    assert payment.private_note == "No 1001"
    assert books.method_of(payment.id) == check


def test_an_invoice_with_a_payment_is_deleted_only_once_the_payment_is_unapplied(
    books: Books,
) -> None:
    qbo = books.qbo
    invoice = an_invoice(books, "450", request_id="inv-del")
    payment = qbo.create_payment(
        QboPaymentDraft(books.customer_id, Decimal(450), invoice.id), request_id="pay-del"
    )
    paid = qbo.get_invoice(invoice.id)
    assert paid is not None

    refused = fault_code(lambda: qbo.delete_invoice(paid.id, paid.sync_token, request_id="del-1"))
    unapplied = qbo.unapply_payment(payment.id, payment.sync_token, request_id="unapply-1")
    reopened = qbo.get_invoice(invoice.id)
    assert reopened is not None
    qbo.delete_invoice(reopened.id, reopened.sync_token, request_id="del-2")

    assert refused == "6000"
    assert (unapplied.linked_invoice_ids, unapplied.unapplied_amt) == ((), Decimal(450))
    assert unapplied.sync_token == "1"
    assert (reopened.balance, reopened.linked_payment_ids) == (Decimal(450), ())
    assert qbo.get_invoice(invoice.id) is None
    assert qbo.get_payment(payment.id) == unapplied  # the payment stays, as credit


def test_a_deleted_payment_frees_its_invoice_for_delete(books: Books) -> None:
    qbo = books.qbo
    invoice = an_invoice(books, "200", request_id="inv-del-pay")
    payment = qbo.create_payment(
        QboPaymentDraft(books.customer_id, Decimal(200), invoice.id), request_id="pay-del-pay"
    )

    qbo.delete_payment(payment.id, payment.sync_token, request_id="del-pay")

    assert qbo.get_payment(payment.id) is None
    reopened = qbo.get_invoice(invoice.id)
    assert reopened is not None and reopened.balance == Decimal(200)
    qbo.delete_invoice(reopened.id, reopened.sync_token, request_id="del-inv-after-pay")
    assert qbo.get_invoice(invoice.id) is None
    code = fault_code(
        lambda: qbo.delete_payment(payment.id, payment.sync_token, request_id="del-pay-again")
    )
    assert code == "610"


def test_a_payment_of_another_customers_invoice_is_fault_620(books: Books) -> None:
    invoice = an_invoice(books, "100", request_id="inv-620")
    draft = QboPaymentDraft(books.customer_ids[OTHER_CUSTOMER], Decimal(100), invoice.id)
    assert fault_code(lambda: books.qbo.create_payment(draft, request_id="pay-620")) == "620"


# Batch.


def test_a_batch_returns_each_invoice_or_its_fault_and_a_resend_replays(books: Books) -> None:
    an_invoice(books, "10", request_id="inv-taken", doc_number="B-TAKEN")
    drafts = [
        ("b1", a_draft(books, "100", doc_number="B-1")),
        ("b2", a_draft(books, "200", doc_number="B-TAKEN")),
        ("b3", a_draft(books, "300")),
    ]
    before = books.count_invoices()

    results = books.qbo.create_invoices_in_batch(drafts, request_id="batch-1")
    again = books.qbo.create_invoices_in_batch(drafts, request_id="batch-1")

    assert sorted(results) == ["b1", "b2", "b3"]
    first, refused, third = results["b1"], results["b2"], results["b3"]
    assert isinstance(first, QboInvoice) and isinstance(third, QboInvoice)
    assert (first.doc_number, first.total_amt, third.total_amt) == ("B-1", 100, 300)
    assert isinstance(refused, QboFaultError) and not refused.retryable
    assert (refused.code, refused.message) == ("6140", "Duplicate Document Number Error")
    assert books.count_invoices() == before + 2
    assert again["b1"] == first and again["b3"] == third
    assert isinstance(again["b2"], QboFaultError) and again["b2"].code == "6140"


def test_a_batch_is_checked_before_it_is_sent(books: Books) -> None:
    draft = a_draft(books, "100")
    with pytest.raises(ValueError, match="30"):
        books.qbo.create_invoices_in_batch(
            [(str(n), draft) for n in range(31)], request_id="batch-big"
        )
    with pytest.raises(ValueError, match="unique"):
        books.qbo.create_invoices_in_batch([("a", draft), ("a", draft)], request_id="batch-dup")
    with pytest.raises(ValueError, match="50"):
        books.qbo.create_invoices_in_batch([("b" * 15, draft)], request_id="r" * 36)
    assert books.qbo.create_invoices_in_batch([], request_id="batch-empty") == {}


# What only the sandbox shows.


def test_a_payment_goes_to_undeposited_funds(sandbox: Sandbox, connector: HttpQboClients) -> None:
    books = sandbox_books(sandbox, connector)
    invoice = an_invoice(books, "450", request_id="inv-deposit")
    payment = books.qbo.create_payment(
        QboPaymentDraft(books.customer_id, Decimal(450), invoice.id), request_id="pay-deposit"
    )
    state = sandbox.state
    stored = state.read(sandbox.realm_id, "Payment", payment.id)
    account = state.read(sandbox.realm_id, "Account", stored["DepositToAccountRef"]["value"])
    assert (account["Name"], account["AccountSubType"]) == ("Undeposited Funds", "UndepositedFunds")


def test_a_created_service_item_sells_into_the_services_income_account(
    sandbox: Sandbox, connector: HttpQboClients
) -> None:
    books = sandbox_books(sandbox, connector)
    item_id = books.qbo.create_service_item("Tax return", request_id="item-tax")
    item = sandbox.state.read(sandbox.realm_id, "Item", item_id)
    assert (item["Name"], item["Type"], item["Active"]) == ("Tax return", "Service", True)
    assert item["IncomeAccountRef"]["name"] == "Services"


def test_without_services_an_item_sells_into_another_income_account_and_without_any_fails(
    sandbox: Sandbox, connector: HttpQboClients
) -> None:
    books = sandbox_books(sandbox, connector)
    state, realm = sandbox.state, sandbox.realm_id
    [services] = state.query(realm, "select * from Account where Name = 'Services'")["Account"]
    state.save(realm, "Account", versioned(services, Active=False), "update")

    with pytest.raises(QboPayloadError, match="no active income account"):
        books.qbo.create_service_item("Sold nowhere", request_id="item-nowhere")
    state.add_account(realm, Name="Other Sales", AccountType="Income")
    other = books.qbo.create_service_item("Sold elsewhere", request_id="item-elsewhere")

    assert state.read(realm, "Item", other)["IncomeAccountRef"]["name"] == "Other Sales"


def test_an_inactive_payment_method_is_not_found(
    sandbox: Sandbox, connector: HttpQboClients
) -> None:
    sandbox.state.add_payment_method(sandbox.realm_id, "Old card", active=False)
    assert sandbox_books(sandbox, connector).qbo.find_payment_method_id("Old card") is None


def test_a_class_is_found_by_its_name_not_its_qualified_name(
    sandbox: Sandbox, connector: HttpQboClients
) -> None:
    books = sandbox_books(sandbox, connector)
    state, realm = sandbox.state, sandbox.realm_id
    tax = books.qbo.find_class_id(DEMO_CLASS)
    payroll = state.add_class(realm, Name="Payroll", ParentRef={"value": tax})["Id"]

    assert books.qbo.find_class_id("Payroll") == payroll
    assert books.qbo.find_class_id(f"{DEMO_CLASS}:Payroll") is None
    state.add_class(realm, Name="Payroll")  # a top-level namesake is the one meant
    top = books.qbo.find_class_id("Payroll")
    assert top != payroll and state.read(realm, "Class", str(top))["SubClass"] is False
