"""Turning QBO's JSON answers into the value objects of `core.domain.qbo`.

Pure functions over decoded JSON: entity answers (create, read, update, delete, void), query,
batch and CDC answers, and the classified error of a failed answer. Unknown fields, and the rows
of entities qbsync does not read, are ignored; a field qbsync needs that is missing raises
`QboPayloadError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from core.adapters.qbo import payload
from core.adapters.qbo.faults import error_from_response, fault_in
from core.adapters.qbo.payload import Json
from core.domain.qbo import (
    E,
    QboBatchResult,
    QboCustomer,
    QboCustomerType,
    QboDeleted,
    QboEntity,
    QboEntityChanges,
    QboInvoice,
    QboPayment,
    QboQueryResponse,
    QboRecord,
)
from core.errors import QboError, QboPayloadError

# Codes that mean "try again later" whatever the HTTP status carrying them (a 200 batch item, a
# 400 from a proxy): 3001 is throttling and 10000 QBO's SystemFault (shared/qbo/README.md, Faults).


def parse_customer(row: Any) -> QboCustomer:
    """A Customer object."""
    row = payload.obj(row, "a Customer")
    return QboCustomer(
        id=payload.text(row, "Id", "a Customer"),
        display_name=payload.text(row, "DisplayName", "a Customer"),
        active=payload.flag(row, "Active", "a Customer", default=True),
        sync_token=payload.text(row, "SyncToken", "a Customer"),
        customer_type_id=payload.optional_ref(row, "CustomerTypeRef", "a Customer"),
        email=_email(row),
    )


def _email(customer: Json) -> str | None:
    address = customer.get("PrimaryEmailAddr")
    if address is None:
        return None
    return payload.optional_text(
        payload.obj(address, "a PrimaryEmailAddr"), "Address", "a PrimaryEmailAddr"
    )


def parse_customer_type(row: Any) -> QboCustomerType:
    """A CustomerType object."""
    row = payload.obj(row, "a CustomerType")
    return QboCustomerType(
        id=payload.text(row, "Id", "a CustomerType"),
        name=payload.text(row, "Name", "a CustomerType"),
        active=payload.flag(row, "Active", "a CustomerType", default=True),
        sync_token=payload.text(row, "SyncToken", "a CustomerType"),
    )


def parse_invoice(row: Any) -> QboInvoice:
    """An Invoice object; amounts as Decimal."""
    row = payload.obj(row, "an Invoice")
    what = "an Invoice"
    return QboInvoice(
        id=payload.text(row, "Id", what),
        sync_token=payload.text(row, "SyncToken", what),
        customer_id=payload.ref(row, "CustomerRef", what),
        total_amt=payload.amount(row, "TotalAmt", what),
        balance=payload.amount(row, "Balance", what),
        doc_number=payload.optional_text(row, "DocNumber", what),
        txn_date=payload.optional_date(row, "TxnDate", what),
        due_date=payload.optional_date(row, "DueDate", what),
        private_note=payload.optional_text(row, "PrivateNote", what),
        linked_payment_ids=_linked_ids(row.get("LinkedTxn"), "Payment", f"{what}'s LinkedTxn"),
    )


def parse_payment(row: Any) -> QboPayment:
    """A Payment object and the invoices its lines are applied to."""
    row = payload.obj(row, "a Payment")
    what = "a Payment"
    return QboPayment(
        id=payload.text(row, "Id", what),
        sync_token=payload.text(row, "SyncToken", what),
        customer_id=payload.ref(row, "CustomerRef", what),
        total_amt=payload.amount(row, "TotalAmt", what),
        linked_invoice_ids=_linked_invoice_ids(row),
        unapplied_amt=payload.optional_amount(row, "UnappliedAmt", what),
        txn_date=payload.optional_date(row, "TxnDate", what),
        private_note=payload.optional_text(row, "PrivateNote", what),
    )


def _linked_invoice_ids(payment: Json) -> tuple[str, ...]:
    ids: dict[str, None] = {}  # ordered and without repeats: two lines may pay one invoice
    for line in payload.items(payment.get("Line"), "a Payment's Line"):
        links = payload.obj(line, "a Payment line").get("LinkedTxn")
        ids.update(dict.fromkeys(_linked_ids(links, "Invoice", "a Payment line's LinkedTxn")))
    return tuple(ids)


def _linked_ids(links: Any, txn_type: str, what: str) -> tuple[str, ...]:
    """The TxnIds of a LinkedTxn array's links of one TxnType, in order, without repeats."""
    ids: dict[str, None] = {}
    for link in payload.items(links, what):
        link = payload.obj(link, "a LinkedTxn")
        if link.get("TxnType") == txn_type:
            ids[payload.text(link, "TxnId", "a LinkedTxn")] = None
    return tuple(ids)


ROW_PARSERS: dict[str, Callable[[Any], QboRecord]] = {
    "Customer": parse_customer,
    "CustomerType": parse_customer_type,
    "Invoice": parse_invoice,
    "Payment": parse_payment,
}


def _row(entity: str, row: Any) -> QboEntity:
    """One object of a known entity; a `"status": "Deleted"` stub becomes QboDeleted."""
    fields = payload.obj(row, f"a {entity}")
    if fields.get("status") == "Deleted":
        what = f"a deleted {entity}"
        metadata = payload.obj(fields.get("MetaData") or {}, f"{what}'s MetaData")
        return QboDeleted(
            entity=entity,
            id=payload.text(fields, "Id", what),
            last_updated=payload.optional_time(metadata, "LastUpdatedTime", what),
        )
    return ROW_PARSERS[entity](fields)


def parse_entity_answer(body: Any) -> QboEntity:
    """The object of a create, read, update, delete or void answer (`{"Invoice": {…}}`)."""
    answer = payload.obj(body, "an answer")
    _raise_fault(answer)
    for entity, row in answer.items():
        if entity in ROW_PARSERS:
            return _row(entity, row)
    raise QboPayloadError(
        f"QuickBooks sent an answer without any of {', '.join(ROW_PARSERS)}: {sorted(answer)}"
    )


def parse_query_response(body: Any) -> QboQueryResponse:
    """A query answer (`{"QueryResponse": {…}}`); `{}` inside means no rows."""
    answer = payload.obj(body, "a query answer")
    _raise_fault(answer)
    if "QueryResponse" not in answer:
        raise QboPayloadError("QuickBooks sent a query answer without QueryResponse")
    return _query_response(answer["QueryResponse"])


def _query_response(value: Any) -> QboQueryResponse:
    response = payload.obj(value, "a QueryResponse")
    return QboQueryResponse(
        rows=tuple(row for _, row in _entity_rows(response)),
        start_position=payload.optional_count(response, "startPosition", "a QueryResponse"),
        max_results=payload.optional_count(response, "maxResults", "a QueryResponse"),
        total_count=payload.optional_count(response, "totalCount", "a QueryResponse"),
    )


def _entity_rows(response: Json) -> Iterator[tuple[str, QboEntity]]:
    """The rows of a QueryResponse with their entity names; other entities' rows are skipped."""
    for entity in ROW_PARSERS:
        for row in payload.items(response.get(entity), f"a QueryResponse's {entity}"):
            yield entity, _row(entity, row)


def parse_batch_response(body: Any, *, intuit_tid: str | None = None) -> dict[str, QboBatchResult]:
    """Each batch item's answer by its bId; a faulted item's error is returned, not raised."""
    answer = payload.obj(body, "a batch answer")
    _raise_fault(answer)  # a refused batch as a whole (1040: over 30 items)
    if "BatchItemResponse" not in answer:
        raise QboPayloadError("QuickBooks sent a batch answer without BatchItemResponse")
    results: dict[str, QboBatchResult] = {}
    for item in payload.items(answer["BatchItemResponse"], "a BatchItemResponse"):
        item = payload.obj(item, "a batch item")
        bid = payload.text(item, "bId", "a batch item")
        results[bid] = _batch_result(bid, item, intuit_tid)
    return results


def parse_invoice_batch(
    body: Any, bids: Sequence[str], *, intuit_tid: str | None = None
) -> dict[str, QboInvoice | QboError]:
    """The invoice or fault a batch of invoice creates answered for each bId sent."""
    return parse_create_batch(body, bids, QboInvoice, intuit_tid=intuit_tid)


def parse_create_batch(
    body: Any, bids: Sequence[str], kind: type[E], *, intuit_tid: str | None = None
) -> dict[str, E | QboError]:
    """The entity or fault a batch of creates answered for each bId sent.

    A bId QBO's answer leaves out, or answers with something else, gets a QboPayloadError.
    """
    answers = parse_batch_response(body, intuit_tid=intuit_tid)
    results: dict[str, E | QboError] = {}
    for bid in bids:
        result = answers.get(bid)
        if isinstance(result, kind | QboError):
            results[bid] = result
        else:
            what = "nothing" if result is None else repr(result)
            results[bid] = QboPayloadError(f"QuickBooks answered batch item {bid} with {what}")
    return results


def expect_entity(entity: QboEntity, kind: type[E], what: str) -> E:
    """The entity of an answer, checked to be of the kind asked for."""
    if not isinstance(entity, kind):
        raise QboPayloadError(f"QuickBooks answered {what} with {entity!r}")
    return entity


def _batch_result(bid: str, item: Json, intuit_tid: str | None) -> QboBatchResult:
    if fault_in(item) is not None:
        # An item has no HTTP status of its own: it came inside the batch's 200.
        return _error_in_200(item, intuit_tid)
    if "QueryResponse" in item:
        return _query_response(item["QueryResponse"])
    for entity, row in item.items():
        if entity in ROW_PARSERS:
            return _row(entity, row)
    raise QboPayloadError(f"QuickBooks sent batch item {bid} with no object, query or fault")


def parse_cdc_response(body: Any) -> dict[str, QboEntityChanges]:
    """A CDC answer by entity name: changed objects and deleted stubs; no changes gives {}."""
    answer = payload.obj(body, "a CDC answer")
    _raise_fault(answer)
    if "CDCResponse" not in answer:
        raise QboPayloadError("QuickBooks sent a CDC answer without CDCResponse")
    changes: dict[str, QboEntityChanges] = {}
    for cdc in payload.items(answer["CDCResponse"], "a CDCResponse"):
        query_responses = payload.obj(cdc, "a CDCResponse entry").get("QueryResponse")
        for response in payload.items(query_responses, "a CDC QueryResponse"):
            for entity, row in _entity_rows(payload.obj(response, "a CDC QueryResponse")):
                changes[entity] = _with(changes.get(entity, QboEntityChanges()), row)
    return changes


def _with(changes: QboEntityChanges, row: QboEntity) -> QboEntityChanges:
    if isinstance(row, QboDeleted):
        return QboEntityChanges(changes.changed, (*changes.deleted, row))
    return QboEntityChanges((*changes.changed, row), changes.deleted)


def json_body(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON object, or None when it is XML, HTML or not an object."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def answer_error(response: httpx.Response, body: Any = None) -> QboError:
    """The classified error of a failed answer, in any of QBO's fault shapes (JSON or XML)."""
    if body is None:
        body = json_body(response)
    return error_from_response(response, body)


def _raise_fault(answer: Json) -> None:
    """A 200 answer may carry a Fault (shared/qbo/README.md, Faults): raise it as what it is."""
    if fault_in(answer) is not None:
        raise _error_in_200(answer, None)


def _error_in_200(body: Json, intuit_tid: str | None) -> QboError:
    carrier = httpx.Response(200, headers={"intuit_tid": intuit_tid} if intuit_tid else None)
    return error_from_response(carrier, body)
