"""Payment writes: create, full and sparse update, delete and void.

CustomerRef (an active customer) and TotalAmt are required. `Line[{Amount, LinkedTxn:[{TxnId,
TxnType:"Invoice"}]}]` applies the payment to invoices of the same customer (620 for another
customer's, 2500 for an unknown one); each line links one invoice, and no invoice may get more
than its Balance (6000). The lines sum to at most TotalAmt (6000); the rest is UnappliedAmt,
held as the customer's credit. Lines are all-or-none on every update: a sparse update without
Line keeps them, `Line: []` unapplies them all, a full update without Line too.
DepositToAccountRef defaults to the Undeposited Funds account and must name a Bank or Other
Current Asset account (6000). PaymentMethodRef is stored as sent, unchecked (decision: payment
methods can be read and queried, but a reference to one is not validated).

Void is `?operation=update&include=void` with Id and SyncToken: amounts become 0, the lines go,
PrivateNote gets "Voided", SyncToken goes up, and the invoices it paid get their Balance back;
`?operation=void` is not QBO's path for payments and is refused (500). Delete is as for invoices.
"""

from sandbox.entities.balances import refresh_balances
from sandbox.entities.fields import REF, Schema
from sandbox.entities.links import applications, refresh_invoices
from sandbox.entities.money import amount, as_json
from sandbox.entities.payload import JsonDict, clean, json_object
from sandbox.entities.payment_lines import deposit_account, read_payment_lines
from sandbox.entities.transactions import delete_transaction, today, txn_date, voided_note
from sandbox.entities.writes import (
    US_DOLLAR,
    check_lengths,
    check_operation,
    identity,
    referenced,
    required,
    update_target,
    with_current,
)
from sandbox.faults import business_rule
from sandbox.realm import WriteContext

SCHEMA = Schema(
    texts=("TxnDate", "PaymentRefNum", "PrivateNote"),
    numbers=("TotalAmt",),
    objects={"CustomerRef": REF, "DepositToAccountRef": REF, "PaymentMethodRef": REF},
)
VOID = "void"


def save_payment(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    """Create, update, void or delete a payment; return the stored row or the delete answer."""
    answer = _write(ctx, payload, operation)
    refresh_balances(ctx.realm)
    return answer


def _write(ctx: WriteContext, payload: object, operation: str) -> JsonDict:
    check_operation("Payment", operation, ("create", "update", "delete"))
    sent = clean(json_object(payload))
    if operation == "delete":
        deleted, answer = delete_transaction(ctx, "Payment", sent)
        refresh_invoices(ctx, applications(deleted))
        return answer
    current = update_target(ctx, "Payment", sent, operation)
    if current is not None and operation == "update" and VOID in ctx.include:
        return _void(ctx, current)
    fields = with_current(current, SCHEMA.read(sent), SCHEMA.writable, sent)
    required(fields, "CustomerRef", "TotalAmt")
    check_lengths(fields, {"PaymentRefNum": 21, "PrivateNote": 4000})
    customer = referenced(ctx, "Customer", fields["CustomerRef"], "CustomerRef")
    total = amount(fields["TotalAmt"], "TotalAmt")
    if total < 0:
        raise business_rule("TotalAmt cannot be negative.", "TotalAmt")
    own_id = None if current is None else current["Id"]
    kept_lines = None if current is None or sent.get("sparse") is not True else current["Line"]
    lines, applied = read_payment_lines(ctx, sent.get("Line", kept_lines or []), customer, own_id)
    if applied > total:
        raise business_rule("The amounts applied cannot exceed the payment's TotalAmt.", "Line")
    issued = txn_date(fields.get("TxnDate"), "TxnDate")
    kept = current or {}
    row = {
        "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
        "DepositToAccountRef": {"value": deposit_account(ctx, fields)["Id"]},
        "TotalAmt": as_json(total),
        "UnappliedAmt": as_json(total - applied),
        "ProcessPayment": False,
        "PrivateNote": fields.get("PrivateNote"),
        "domain": "QBO",
        "sparse": False,
        **identity(ctx, "Payment", current),
        "TxnDate": (issued or txn_date(kept.get("TxnDate"), "TxnDate") or today(ctx)).isoformat(),
        "CurrencyRef": dict(US_DOLLAR),
        "PaymentMethodRef": fields.get("PaymentMethodRef"),
        "PaymentRefNum": fields.get("PaymentRefNum"),
        "Line": lines,
    }
    stored = {key: value for key, value in row.items() if value is not None}
    before = {} if current is None else applications(current)
    ctx.realm.put("Payment", stored)
    ctx.journal("Payment", stored["Id"], "Create" if current is None else "Update")
    refresh_invoices(ctx, [*before, *applications(stored)])
    return stored


def _void(ctx: WriteContext, payment: JsonDict) -> JsonDict:
    """Zero the payment, unapply it, and note the void; it stays readable."""
    paid = applications(payment)
    payment["TotalAmt"] = payment["UnappliedAmt"] = 0.0
    payment["Line"] = []
    payment["PrivateNote"] = voided_note(payment.get("PrivateNote"))
    payment.update(identity(ctx, "Payment", payment))
    ctx.journal("Payment", payment["Id"], "Void")
    refresh_invoices(ctx, paid)
    return payment
