"""The JSON bodies qbsync sends to write invoices, payments and items.

Amounts go out as JSON numbers, as QBO writes them. Python's json writes no Decimal, so an
amount becomes an int or a float, which holds every value of QBO's 15 digits exactly; a value
that a float would change is refused with ValueError rather than sent rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from core.domain.qbo import MAX_ITEM_NAME, QboInvoiceDraft, QboInvoiceLine, QboPaymentDraft

Body = dict[str, Any]

# QBO's batch limits (shared/qbo/README.md, Batch; requestid): 30 items, and per item the
# requestid and bId joined into one id of at most 50 characters.
BATCH_MAX = 30
MAX_REQUEST_ID = 50


def number(value: Decimal) -> int | float:
    """An exact Decimal as the JSON number QBO reads; ValueError if a float would change it."""
    if value == value.to_integral_value():
        return int(value)
    written = float(value)
    if Decimal(repr(written)) != value:
        raise ValueError(f"{value} has more digits than QuickBooks keeps")
    return written


def ref(entity_id: str) -> Body:
    """A reference to an entity by Id (`CustomerRef`, `ItemRef` …)."""
    return {"value": entity_id}


def invoice_line(line: QboInvoiceLine) -> Body:
    """One SalesItemLineDetail line."""
    detail: Body = {
        "ItemRef": ref(line.item_id),
        "Qty": number(line.quantity),
        "UnitPrice": number(line.unit_price),
    }
    if line.class_id is not None:
        detail["ClassRef"] = ref(line.class_id)
    body: Body = {"DetailType": "SalesItemLineDetail", "Amount": number(line.amount)}
    if line.description is not None:
        body["Description"] = line.description
    return {**body, "SalesItemLineDetail": detail}


def invoice(draft: QboInvoiceDraft) -> Body:
    """An invoice create body; fields left None are not sent, so QBO fills them in."""
    body: Body = {
        "CustomerRef": ref(draft.customer_id),
        "Line": [invoice_line(line) for line in draft.lines],
    }
    if draft.doc_number is not None:
        body["DocNumber"] = draft.doc_number
    if draft.txn_date is not None:
        body["TxnDate"] = draft.txn_date.isoformat()
    if draft.due_date is not None:
        body["DueDate"] = draft.due_date.isoformat()
    if draft.department_id is not None:
        body["DepartmentRef"] = ref(draft.department_id)
    return body


def invoice_update(invoice_id: str, sync_token: str, draft: QboInvoiceDraft) -> Body:
    """A sparse update: the lines sent replace every line; fields not sent keep their value."""
    return {"Id": invoice_id, "SyncToken": sync_token, "sparse": True, **invoice(draft)}


def payment(draft: QboPaymentDraft) -> Body:
    """A payment applying its whole amount to one invoice.

    DepositToAccountRef is left out, so QBO deposits it to Undeposited Funds.
    """
    body: Body = {
        "CustomerRef": ref(draft.customer_id),
        "TotalAmt": number(draft.total_amt),
        "Line": [
            {
                "Amount": number(draft.total_amt),
                "LinkedTxn": [{"TxnId": draft.invoice_id, "TxnType": "Invoice"}],
            }
        ],
    }
    if draft.txn_date is not None:
        body["TxnDate"] = draft.txn_date.isoformat()
    if draft.payment_method_id is not None:
        body["PaymentMethodRef"] = ref(draft.payment_method_id)
    if draft.private_note is not None:
        body["PrivateNote"] = draft.private_note
    return body


def unapplied(payment_id: str, sync_token: str) -> Body:
    """A sparse update with no lines: QBO unlinks the payment from every invoice."""
    return {"Id": payment_id, "SyncToken": sync_token, "sparse": True, "Line": []}


def versioned(entity_id: str, sync_token: str) -> Body:
    """The body of a delete: the Id and the SyncToken it was read at."""
    return {"Id": entity_id, "SyncToken": sync_token}


def check_item_name(name: str) -> None:
    """ValueError for a name QBO would refuse for an item (2050): the caller validates first."""
    if len(name) > MAX_ITEM_NAME:
        raise ValueError(
            f"an item name has at most {MAX_ITEM_NAME} characters, not {len(name)}: {name!r}"
        )


def service_item(name: str, income_account_id: str) -> Body:
    """A Service item selling into an income account; ValueError for a name QBO refuses."""
    check_item_name(name)
    return {"Name": name, "Type": "Service", "IncomeAccountRef": ref(income_account_id)}


def invoice_batch(drafts: Sequence[tuple[str, QboInvoiceDraft]], request_id: str) -> Body:
    """A batch of invoice creates keyed by bId; ValueError for what QBO would refuse."""
    return create_batch("Invoice", [(bid, invoice(draft)) for bid, draft in drafts], request_id)


def create_batch(entity: str, items: Sequence[tuple[str, Body]], request_id: str) -> Body:
    """A batch of creates of one entity keyed by bId; ValueError for what QBO would refuse."""
    bids = [bid for bid, _ in items]
    if len(bids) > BATCH_MAX:
        raise ValueError(f"a batch holds at most {BATCH_MAX} items, not {len(bids)}")
    if len(set(bids)) != len(bids):
        raise ValueError(f"the bIds of a batch must be unique: {bids}")
    too_long = [bid for bid in bids if len(request_id) + len(bid) > MAX_REQUEST_ID]
    if too_long:
        raise ValueError(
            f"request id {request_id!r} joined with bIds {too_long} exceeds QuickBooks' "
            f"{MAX_REQUEST_ID} characters"
        )
    return {
        "BatchItemRequest": [
            {"bId": bid, "operation": "create", entity: body} for bid, body in items
        ]
    }
