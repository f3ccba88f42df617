"""Payments applied to invoices: what each payment applies, and the invoices' side of it.

A payment's lines are the truth: `Line[{Amount, LinkedTxn:[{TxnId, TxnType:"Invoice"}]}]`.
An invoice's Balance is its TotalAmt less what payments apply to it, and its LinkedTxn lists
those payments. Whenever that changes, the invoice gets a new SyncToken and a journal Update
(decision: the invoice itself changed, as CDC would report it).
"""

from collections.abc import Iterable
from decimal import Decimal

from sandbox.entities.money import ZERO, as_json, stored
from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import touch
from sandbox.realm import Realm, WriteContext


def applications(payment: JsonDict) -> dict[str, Decimal]:
    """Return what a stored payment applies, by invoice Id."""
    applied: dict[str, Decimal] = {}
    for line in payment.get("Line", []):
        for link in line["LinkedTxn"]:
            applied[link["TxnId"]] = applied.get(link["TxnId"], ZERO) + stored(line["Amount"])
    return applied


def applied_to(realm: Realm, invoice_id: str, excluding: str | None = None) -> Decimal:
    """Return what the realm's payments (but `excluding`) apply to an invoice."""
    return sum(
        (
            applications(payment).get(invoice_id, ZERO)
            for payment in realm.scan("Payment")
            if payment["Id"] != excluding
        ),
        ZERO,
    )


def paying(realm: Realm, invoice_id: str) -> list[str]:
    """Return the Ids of the payments applied to an invoice, in Id order."""
    return [p["Id"] for p in realm.rows("Payment") if invoice_id in applications(p)]


def invoice_links(realm: Realm, invoice: JsonDict) -> tuple[float, list[JsonDict]]:
    """Return an invoice's Balance and LinkedTxn as its payments make them."""
    balance = stored(invoice["TotalAmt"]) - applied_to(realm, invoice["Id"])
    linked = [{"TxnId": pid, "TxnType": "Payment"} for pid in paying(realm, invoice["Id"])]
    return as_json(balance), linked


def refresh_invoices(ctx: WriteContext, invoice_ids: Iterable[str]) -> None:
    """Bring the named invoices' Balance and LinkedTxn up to date with the payments."""
    for invoice_id in sorted(set(invoice_ids), key=int):
        invoice = ctx.realm.get("Invoice", invoice_id)
        if invoice is None:
            continue
        balance, linked = invoice_links(ctx.realm, invoice)
        if (balance, linked) != (invoice["Balance"], invoice["LinkedTxn"]):
            invoice["Balance"], invoice["LinkedTxn"] = balance, linked
            touch(ctx, "Invoice", invoice)
