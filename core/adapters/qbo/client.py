"""The QBO Accounting API v3 client over httpx.

Every request has an explicit timeout (a blocking socket call cannot be interrupted later),
asks for JSON at minorversion 75, and every write carries a `requestid` so that QBO answers
a repeat with the original result instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote as quote_path

import httpx

from core.adapters.gate import RealmGate
from core.adapters.metrics import NO_METRICS
from core.adapters.metrics_families import QBO_FAULTS, QBO_REQUESTS
from core.adapters.qbo import billing_payloads, lists
from core.adapters.qbo.faults import fault_in
from core.adapters.qbo.known_items import REFERENCE_FAULTS, KnownItems
from core.adapters.qbo.parsing import (
    answer_error,
    expect_entity,
    json_body,
    parse_cdc_response,
    parse_create_batch,
    parse_entity_answer,
    parse_invoice_batch,
    parse_query_response,
)
from core.adapters.qbo.payload import Json
from core.adapters.tls import tls_context
from core.domain.qbo import (
    QboCustomer,
    QboCustomerType,
    QboDeleted,
    QboEntityChanges,
    QboInvoice,
    QboInvoiceDraft,
    QboPayment,
    QboPaymentDraft,
    QboQueryResponse,
)
from core.domain.records import QboConnection
from core.errors import (
    QboAuthenticationError,
    QboError,
    QboFaultError,
    QboPacedError,
    QboPayloadError,
    QboTransientError,
)
from core.ports import Metrics

MINOR_VERSION = "75"
# QBO's `IN` lists and result pages: one page holds every namesake a display name can have.
MAX_RESULTS = 1000
# Names per `IN` list: no statement limit is documented, so lists stay short (qbo/README.md).
IN_LIST = 100
# QBO's "Object Not Found": an unknown or deleted Id on read.
OBJECT_NOT_FOUND = "610"

Entity = TypeVar("Entity", QboInvoice, QboPayment, QboDeleted)
Created = TypeVar("Created", QboInvoice, QboPayment, QboCustomer)


def quote(value: str) -> str:
    """A QBO query string literal: single quotes, with the quote escaped as \\'."""
    return "'" + value.replace("'", "\\'") + "'"


class QboClient:
    """One QBO company (realm), reached with one access token."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        realm_id: str,
        access_token: str,
        gate: RealmGate,
        metrics: Metrics = NO_METRICS,
        items: KnownItems | None = None,
    ) -> None:
        self._http = http
        self._realm_id = realm_id
        self._gate = gate
        self._items = items or KnownItems()  # item Ids by name, kept across clients
        self._metrics = metrics  # requests and faults by realm (QBO_REQUESTS, QBO_FAULTS)
        self._base = f"{base_url.rstrip('/')}/v3/company/{realm_id}"
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json",
        }

    def query(self, statement: str) -> dict[str, Any]:
        """Run a query statement; return the `QueryResponse` object."""
        response: dict[str, Any] = self._query_answer(statement).get("QueryResponse", {})
        return response

    def find_customers_by_display_name(self, display_name: str) -> list[QboCustomer]:
        """Customers, active or not, whose display name QBO counts as equal to this one."""
        statement = (
            f"select * from Customer where DisplayName = {quote(display_name)} "
            f"and Active in (true, false) maxresults {MAX_RESULTS}"
        )
        return self._query(statement).of(QboCustomer)

    def find_customers_by_display_names(self, display_names: Sequence[str]) -> list[QboCustomer]:
        """Customers, active or not, QBO counts as named like any of these; one read per 100."""
        found: list[QboCustomer] = []
        for chunk in _chunks(display_names):
            statement = (
                f"select * from Customer where DisplayName in ({_literals(chunk)}) "
                f"and Active in (true, false) maxresults {MAX_RESULTS}"
            )
            found.extend(self._query(statement).of(QboCustomer))
        return found

    def display_names_held_by_others(self, display_names: Sequence[str]) -> set[str]:
        """The display names of vendors and employees QBO counts as named like any of these."""
        held: set[str] = set()
        for entity in ("Vendor", "Employee"):
            for chunk in _chunks(display_names):
                statement = (
                    f"select DisplayName from {entity} where DisplayName in ({_literals(chunk)}) "
                    f"and Active in (true, false) maxresults {MAX_RESULTS}"
                )
                rows = self.query(statement).get(entity, [])
                held.update(str(row["DisplayName"]) for row in rows if "DisplayName" in row)
        return held

    def get_customer(self, customer_id: str) -> QboCustomer | None:
        """The customer with this Id, or None when QBO has no such customer."""
        statement = (
            f"select * from Customer where Id = {quote(customer_id)} and Active in (true, false)"
        )
        rows = self._query(statement).of(QboCustomer)
        return rows[0] if rows else None

    def list_customers(
        self,
        *,
        start_position: int = 1,
        max_results: int = MAX_RESULTS,
        include_inactive: bool = False,
    ) -> list[QboCustomer]:
        """One page of customers in Id order; `start_position` counts from 1 (QBO's paging)."""
        if not 1 <= max_results <= MAX_RESULTS or start_position < 1:
            raise ValueError(
                f"pages start at 1 and hold 1 to {MAX_RESULTS} rows, not {start_position}, "
                f"{max_results}"
            )
        # QBO leaves inactive customers out unless the statement names Active.
        where = "where Active in (true, false) " if include_inactive else ""
        statement = (
            f"select * from Customer {where}orderby Id "
            f"startposition {start_position} maxresults {max_results}"
        )
        return self._query(statement).of(QboCustomer)

    def find_customer_type_id(self, name: str) -> str | None:
        """The Id of the active customer type called `name`, or None (a company may have none)."""
        statement = f"select * from CustomerType where Name = {quote(name)}"
        rows = self._query(statement).of(QboCustomerType)
        return rows[0].id if rows else None

    def create_customer(
        self, display_name: str, *, request_id: str, customer_type_id: str | None = None
    ) -> QboCustomer:
        """Create a customer; a repeated `request_id` returns the first result."""
        fields = customer_body(display_name, customer_type_id)
        body = self._send("POST", "/customer", json=fields, request_id=request_id)
        customer = parse_entity_answer(body)
        if not isinstance(customer, QboCustomer):
            raise QboPayloadError(f"QuickBooks answered a customer create with {customer!r}")
        return customer

    def changed_customers(self, since: datetime) -> QboEntityChanges:
        """Customers changed since `since` (at most 30 days back), and stubs of deleted ones."""
        changed_since = since.astimezone(UTC).isoformat(timespec="seconds")  # with its offset
        body = self._send(
            "GET", "/cdc", params={"entities": "Customer", "changedSince": changed_since}
        )
        return parse_cdc_response(body).get("Customer", QboEntityChanges())

    def find_item_id(self, name: str) -> str | None:
        """The active Service or NonInventory item of this Name, or None (found before, it is
        not looked up again for a while: core.adapters.qbo.known_items)."""
        known = self._items.get(self._realm_id, name)
        if known is not None:
            return known
        found = lists.sales_item_id(self._named("Item", name))
        if found is not None:
            self._items.keep(self._realm_id, name, found)
        return found

    def create_service_item(self, name: str, *, request_id: str) -> str:
        """Create a Service item on the income account "Services", else the first; its Id.

        ValueError for a name over 100 characters, before any call; QboPayloadError when the
        company has no income account.
        """
        billing_payloads.check_item_name(name)
        accounts = self.query(
            f"select * from Account where AccountType = 'Income' maxresults {MAX_RESULTS}"
        )
        income = lists.income_account_id(lists.rows_of(accounts, "Account"))
        item = billing_payloads.service_item(name, income)
        created = lists.created_id(
            self._send("POST", "/item", json=item, request_id=request_id), "Item"
        )
        self._items.keep(self._realm_id, name, created)
        return created

    def find_class_id(self, name: str) -> str | None:
        """The active class of this Name, not FullyQualifiedName (a top-level one first)."""
        return lists.segment_id(self._active_entries("Class"), name, "Class")

    def find_department_id(self, name: str) -> str | None:
        """The active department (location) of this Name (a top-level one first), or None."""
        return lists.segment_id(self._active_entries("Department"), name, "Department")

    def find_payment_method_id(self, name: str) -> str | None:
        """The active payment method of this Name, or None."""
        return lists.named_id(self._active_entries("PaymentMethod"), name, "PaymentMethod")

    def create_invoice(self, draft: QboInvoiceDraft, *, request_id: str) -> QboInvoice:
        """Create an invoice; a repeated `request_id` returns the first result."""
        body = billing_payloads.invoice(draft)
        return self._write("/invoice", body, request_id, QboInvoice)

    def update_invoice(
        self, invoice_id: str, sync_token: str, draft: QboInvoiceDraft, *, request_id: str
    ) -> QboInvoice:
        """Sparse update: the draft's lines replace all lines; its None fields stay as they are."""
        body = billing_payloads.invoice_update(invoice_id, sync_token, draft)
        return self._write("/invoice", body, request_id, QboInvoice, operation="update")

    def get_invoice(self, invoice_id: str) -> QboInvoice | None:
        """The invoice, or None when QBO has none of this Id (never had, or deleted)."""
        return self._read("invoice", invoice_id, QboInvoice)

    def find_invoices_by_doc_number(self, doc_number: str) -> list[QboInvoice]:
        """The invoices with this DocNumber (more than one where duplicates were allowed)."""
        statement = (
            f"select * from Invoice where DocNumber = {quote(doc_number)} maxresults {MAX_RESULTS}"
        )
        return self._query(statement).of(QboInvoice)

    def find_invoices_by_doc_numbers(self, doc_numbers: Sequence[str]) -> list[QboInvoice]:
        """The invoices with any of these DocNumbers, in one query (a batch's worth)."""
        if not doc_numbers:
            return []
        listed = ", ".join(quote(number) for number in doc_numbers)
        statement = f"select * from Invoice where DocNumber in ({listed}) maxresults {MAX_RESULTS}"
        return self._query(statement).of(QboInvoice)

    def delete_invoice(self, invoice_id: str, sync_token: str, *, request_id: str) -> None:
        """Delete an invoice; QBO refuses while a payment is applied to it."""
        body = billing_payloads.versioned(invoice_id, sync_token)
        self._write("/invoice", body, request_id, QboDeleted, operation="delete")

    def create_payment(self, draft: QboPaymentDraft, *, request_id: str) -> QboPayment:
        """Record a payment applied in full to one invoice, deposited to Undeposited Funds."""
        body = billing_payloads.payment(draft)
        return self._write("/payment", body, request_id, QboPayment)

    def get_payment(self, payment_id: str) -> QboPayment | None:
        """The payment, or None when QBO has none of this Id (never had, or deleted)."""
        return self._read("payment", payment_id, QboPayment)

    def delete_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> None:
        """Delete a payment; the invoices it paid get their balance back."""
        body = billing_payloads.versioned(payment_id, sync_token)
        self._write("/payment", body, request_id, QboDeleted, operation="delete")

    def unapply_payment(self, payment_id: str, sync_token: str, *, request_id: str) -> QboPayment:
        """Unlink a payment from every invoice (`Line: []`); it stays as the customer's credit."""
        body = billing_payloads.unapplied(payment_id, sync_token)
        return self._write("/payment", body, request_id, QboPayment, operation="update")

    def create_invoices_in_batch(
        self, drafts: Sequence[tuple[str, QboInvoiceDraft]], *, request_id: str
    ) -> dict[str, QboInvoice | QboError]:
        """Create up to 30 invoices in one request; each bId's invoice or its fault, unraised.

        QBO replays each item of a resent batch under `request_id` + bId, so resending the same
        bIds with the same `request_id` creates nothing new. That joined id has at most 50
        characters (QBO's docs advise a request id of at most 36 and bIds of at most 10):
        ValueError before any call otherwise, as for more than 30 drafts or repeated bIds.
        """
        batch = billing_payloads.invoice_batch(drafts, request_id)
        if not drafts:
            return {}
        body, tid = self._exchange("POST", "/batch", json=batch, request_id=request_id)
        return self._counted(parse_invoice_batch(body, [bid for bid, _ in drafts], intuit_tid=tid))

    def create_payments_in_batch(
        self, drafts: Sequence[tuple[str, QboPaymentDraft]], *, request_id: str
    ) -> dict[str, QboPayment | QboError]:
        """Create up to 30 payments in one request; each bId's payment or its fault, unraised,
        as `create_invoices_in_batch` does."""
        bodies = [(bid, billing_payloads.payment(draft)) for bid, draft in drafts]
        batch = billing_payloads.create_batch("Payment", bodies, request_id)
        if not drafts:
            return {}
        body, tid = self._exchange("POST", "/batch", json=batch, request_id=request_id)
        bids = [bid for bid, _ in drafts]
        return self._counted(parse_create_batch(body, bids, QboPayment, intuit_tid=tid))

    def create_customers_in_batch(
        self, drafts: Sequence[tuple[str, str, str | None]], *, request_id: str
    ) -> dict[str, QboCustomer | QboError]:
        """Create up to 30 customers (bId, display name, customer type Id) in one request;
        each bId's customer or its fault, unraised, as `create_invoices_in_batch` does."""
        bodies = [(bid, customer_body(name, type_id)) for bid, name, type_id in drafts]
        batch = billing_payloads.create_batch("Customer", bodies, request_id)
        if not drafts:
            return {}
        body, tid = self._exchange("POST", "/batch", json=batch, request_id=request_id)
        bids = [bid for bid, _, _ in drafts]
        return self._counted(parse_create_batch(body, bids, QboCustomer, intuit_tid=tid))

    def _named(self, entity: str, name: str) -> list[Json]:
        """The active entries of a list with this Name (QBO compares it without case)."""
        statement = f"select * from {entity} where Name = {quote(name)} maxresults {MAX_RESULTS}"
        return lists.rows_of(self.query(statement), entity)

    def _active_entries(self, entity: str) -> list[Json]:
        """Every active entry of a short list, page by page.

        Intuit documents Name as filterable for Item and Account, but not for Class and
        Department (only Id, Active, FullyQualifiedName, MetaData), nor for PaymentMethod: those
        lists, short in practice, are read whole and matched on Name here (pages in QBO's own
        order, which is by Id: no orderby, which these lists may not allow either).
        """
        rows: list[Json] = []
        while True:
            statement = (
                f"select * from {entity} startposition {len(rows) + 1} maxresults {MAX_RESULTS}"
            )
            page = lists.rows_of(self.query(statement), entity)
            rows.extend(page)
            if len(page) < MAX_RESULTS:
                return rows

    def _write(
        self,
        path: str,
        body: dict[str, Any],
        request_id: str,
        kind: type[Entity],
        operation: str | None = None,
    ) -> Entity:
        params = {"operation": operation} if operation else None
        answer = self._send("POST", path, json=body, params=params, request_id=request_id)
        return expect_entity(
            parse_entity_answer(answer), kind, f"a {path[1:]} {operation or 'create'}"
        )

    def _read(self, entity: str, entity_id: str, kind: type[Entity]) -> Entity | None:
        try:
            body = self._send("GET", f"/{entity}/{quote_path(entity_id, safe='')}")
        except QboFaultError as exc:
            if exc.code == OBJECT_NOT_FOUND:
                return None
            raise
        return expect_entity(parse_entity_answer(body), kind, f"a {entity} read")

    def _query(self, statement: str) -> QboQueryResponse:
        return parse_query_response(self._query_answer(statement))

    def _query_answer(self, statement: str) -> dict[str, Any]:
        return self._send(
            "POST",
            "/query",
            content=statement.encode(),
            headers={"Content-Type": "application/text"},
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return self._exchange(method, path, **kwargs)[0]

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        request_id: str | None = None,
        params: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[dict[str, Any], str | None]:
        """Send one request; return the answer's JSON and its `intuit_tid`, or raise its error."""
        params = {**(params or {}), "minorversion": MINOR_VERSION}
        if request_id is not None:
            params["requestid"] = request_id
        headers = {**self._headers, **kwargs.pop("headers", {})}
        counted = {"realm": self._realm_id, "operation": _operation(method, path)}
        try:
            # Every request waits at its company's gate, shared by all workers (jobs.md §6).
            with self._gate.admit(self._realm_id, batch=path == "/batch"):
                self._metrics.count(QBO_REQUESTS, counted)
                response = self._http.request(
                    method, self._base + path, params=params, headers=headers, **kwargs
                )
        except httpx.TransportError as exc:  # timeouts and connection errors alike
            unreached = QboTransientError(f"QuickBooks could not be reached: {exc!r}")
            timeout = isinstance(exc, httpx.TimeoutException)
            self._count_fault(unreached, "timeout" if timeout else "connection")
            raise unreached from exc
        body = json_body(response)
        if response.is_success and body is not None and fault_in(body) is None:
            return body, response.headers.get("intuit_tid")
        raise self._count_fault(answer_error(response, body))

    def _count_fault(self, error: QboError, code: str | None = None) -> QboError:
        """Count QBO's fault (or the missing answer) by realm, code and kind; return it."""
        code = code or error.code or (f"http_{error.http_status}" if error.http_status else "none")
        labels = {"realm": self._realm_id, "code": code, "kind": _fault_kind(error)}
        self._metrics.count(QBO_FAULTS, labels)
        if error.code in REFERENCE_FAULTS:  # perhaps a kept item's: look them up afresh
            self._items.forget(self._realm_id)
        return error

    def _counted(self, answers: dict[str, Created | QboError]) -> dict[str, Created | QboError]:
        """A batch's answers as they are, each item's fault counted."""
        for answer in answers.values():
            if isinstance(answer, QboError):
                self._count_fault(answer)
        return answers


def _operation(method: str, path: str) -> str:
    """The operation a request is counted as: query, batch, cdc, read or write."""
    if path in ("/query", "/batch", "/cdc"):
        return path[1:]
    return "read" if method == "GET" else "write"


def _fault_kind(error: QboError) -> str:
    """How core.adapters.qbo.faults classified it."""
    if isinstance(error, QboPacedError):
        return "throttled"
    if isinstance(error, QboTransientError):
        return "transient"
    return "authentication" if isinstance(error, QboAuthenticationError) else "fault"


def _chunks(names: Sequence[str]) -> list[Sequence[str]]:
    unique = list(dict.fromkeys(names))
    return [unique[i : i + IN_LIST] for i in range(0, len(unique), IN_LIST)]


def _literals(names: Sequence[str]) -> str:
    return ", ".join(quote(name) for name in names)


def customer_body(display_name: str, customer_type_id: str | None) -> dict[str, Any]:
    """A new customer: its display name, and its customer type where the company has one."""
    fields: dict[str, Any] = {"DisplayName": display_name}
    if customer_type_id is not None:
        fields["CustomerTypeRef"] = {"value": customer_type_id}
    return fields


class HttpQboClients:
    """Opens QBO clients over one shared, pooled httpx client."""

    def __init__(
        self,
        gate: RealmGate,
        timeout_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self._gate = gate
        self._metrics = metrics
        self._items = KnownItems()
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds)),
            transport=transport,
            verify=tls_context(),
        )

    def __call__(self, connection: QboConnection, access_token: str) -> QboClient:
        return QboClient(
            self._http,
            connection.api_base_url,
            connection.realm_id,
            access_token,
            self._gate,
            self._metrics,
            self._items,
        )

    def close(self) -> None:
        self._http.close()
