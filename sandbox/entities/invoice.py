"""Invoice writes: create, full and sparse update, delete and void.

CustomerRef (an active customer: 2500 unknown, 610 inactive) and at least one Line are
required. TotalAmt and Balance are read-only: the total of the counted lines, and that total
less the payments applied (`links.py`). TxnDate defaults to the server date in the company's
zone, DueDate to TxnDate + 30 days; an update that omits them keeps them. ClassRef and
DepartmentRef must name active entries (the ClassTrackingPerTxn preference is not modelled:
ClassRef is always accepted). PrivateNote is at most 4000 characters.

While a payment is applied, the invoice cannot be deleted or voided (6000; decision: QBO says
linked transactions must be unlinked first), its total cannot drop below what is applied
(6000), and its customer cannot change (620). A void zeroes every amount (Qty too), Balance and
TotalAmt, prepends "Voided" to PrivateNote, bumps SyncToken and keeps the invoice readable.
"""

from decimal import Decimal

from sandbox.entities.balances import refresh_balances
from sandbox.entities.fields import REF, Schema
from sandbox.entities.invoice_lines import SALES, read_lines
from sandbox.entities.invoice_numbers import doc_number
from sandbox.entities.links import applied_to, invoice_links, paying
from sandbox.entities.money import ZERO, as_json, stored
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.transactions import (
    delete_transaction,
    due_date,
    today,
    txn_date,
    voided_note,
)
from sandbox.entities.writes import (
    US_DOLLAR,
    check_lengths,
    check_operation,
    current_version,
    identity,
    referenced,
    required,
    update_target,
    with_current,
)
from sandbox.faults import business_rule, cannot_link, required_param_missing
from sandbox.realm import WriteContext

SCHEMA = Schema(
    texts=("DocNumber", "TxnDate", "DueDate", "PrivateNote"),
    objects={"CustomerRef": REF, "ClassRef": REF, "DepartmentRef": REF, "CustomerMemo": REF},
)


def save_invoice(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create, update, delete or void an invoice; return the stored row or the delete answer."""
    answer = _write(ctx, payload, operation)
    refresh_balances(ctx.realm)
    return answer


def _write(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    check_operation("Invoice", operation, ("create", "update", "delete", "void"))
    sent = clean(json_object(payload))
    if operation in ("delete", "void"):
        target = current_version(ctx.realm, "Invoice", sent)
        if paying(ctx.realm, target["Id"]):
            raise business_rule(f"Unlink the payments of the invoice before the {operation}.")
        if operation == "void":
            return _void(ctx, target)
        return delete_transaction(ctx, "Invoice", sent)[1]
    current = update_target(ctx, "Invoice", sent, operation)
    fields = with_current(current, SCHEMA.read(sent), SCHEMA.writable, sent)
    required(fields, "CustomerRef")
    check_lengths(fields, {"PrivateNote": 4000})
    customer = referenced(ctx, "Customer", fields["CustomerRef"], "CustomerRef")
    lines, total = _lines(ctx, sent, current)
    _check_payments(ctx, current, customer, total)
    row = _invoice_row(ctx, fields, current, customer, lines, total)
    ctx.realm.put("Invoice", row)
    row["Balance"], row["LinkedTxn"] = invoice_links(ctx.realm, row)
    ctx.journal("Invoice", row["Id"], "Create" if current is None else "Update")
    return row


def _lines(
    ctx: WriteContext, sent: JsonDict, current: JsonDict | None
) -> tuple[list[JsonDict], Decimal]:
    """The lines sent, or for a sparse update without Line the stored ones."""
    if "Line" in sent:
        return read_lines(ctx, sent["Line"], current)
    if current is not None and sent.get("sparse") is True:
        return current["Line"], stored(current["TotalAmt"])
    raise required_param_missing("Line")


def _check_payments(
    ctx: WriteContext, current: JsonDict | None, customer: JsonDict, total: Decimal
) -> None:
    if total < 0:
        raise business_rule("The invoice total cannot be negative.", "TotalAmt")
    applied = ZERO if current is None else applied_to(ctx.realm, current["Id"])
    if applied == 0:
        return
    assert current is not None
    if current["CustomerRef"]["value"] != customer["Id"]:
        raise cannot_link("CustomerRef")
    if total < applied:
        raise business_rule("The invoice total cannot be less than the payments applied to it.")


def _invoice_row(
    ctx: WriteContext,
    fields: JsonDict,
    current: JsonDict | None,
    customer: JsonDict,
    lines: list[JsonDict],
    total: Decimal,
) -> JsonDict:
    """Build the stored JSON in QBO's order; fields without a value are left out."""
    kept = current or {}
    issued = txn_date(fields.get("TxnDate"), "TxnDate") or txn_date(kept.get("TxnDate"), "TxnDate")
    issued = issued or today(ctx)
    due = txn_date(fields.get("DueDate"), "DueDate") or txn_date(kept.get("DueDate"), "DueDate")
    row = {
        "AllowIPNPayment": False,
        "AllowOnlinePayment": False,
        "AllowOnlineCreditCardPayment": False,
        "AllowOnlineACHPayment": False,
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, "Invoice", current),
        "CustomField": [],
        "DocNumber": doc_number(ctx, fields, current),
        "TxnDate": issued.isoformat(),
        "CurrencyRef": dict(US_DOLLAR),
        "PrivateNote": fields.get("PrivateNote"),
        "LinkedTxn": [],
        "Line": lines,
        "TxnTaxDetail": {"TotalTax": 0},
        "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
        "CustomerMemo": fields.get("CustomerMemo"),
        "DueDate": (due or due_date(issued)).isoformat(),
        "TotalAmt": as_json(total),
        "ApplyTaxAfterDiscount": False,
        "PrintStatus": "NeedToPrint",
        "EmailStatus": "NotSet",
        "Balance": as_json(total),
        "DepartmentRef": _named_ref(ctx, "Department", fields.get("DepartmentRef")),
        "ClassRef": _named_ref(ctx, "Class", fields.get("ClassRef")),
    }
    return {key: value for key, value in row.items() if value is not None}


def _named_ref(ctx: WriteContext, entity: str, ref: JsonDict | None) -> JsonDict | None:
    if ref is None:
        return None
    row = referenced(ctx, entity, ref, f"{entity}Ref")
    return {"value": row["Id"], "name": row["FullyQualifiedName"]}


def _void(ctx: WriteContext, invoice: JsonDict) -> JsonDict:
    """Zero the invoice's amounts and note the void; it stays readable."""
    for line in invoice["Line"]:
        if "Amount" in line:
            line["Amount"] = 0.0
        if "Qty" in line.get(SALES, {}):
            line[SALES]["Qty"] = 0
    invoice["TotalAmt"] = invoice["Balance"] = 0.0
    invoice["PrivateNote"] = voided_note(invoice.get("PrivateNote"))
    invoice.update(identity(ctx, "Invoice", invoice))
    ctx.journal("Invoice", invoice["Id"], "Void")
    return invoice
