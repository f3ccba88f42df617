"""A payment's lines checked against the invoices they pay, and where the money goes."""

from decimal import Decimal

from sandbox.entities.account_types import DEPOSIT_TYPES
from sandbox.entities.fields import expect
from sandbox.entities.links import applied_to
from sandbox.entities.money import ZERO, amount, as_json, stored
from sandbox.entities.payload import JsonDict, clean
from sandbox.entities.writes import referenced
from sandbox.faults import (
    business_rule,
    cannot_link,
    invalid_property,
    invalid_reference,
    required_param_missing,
)
from sandbox.realm import WriteContext

_TXN_ID = "Line.LinkedTxn.TxnId"


def read_payment_lines(
    ctx: WriteContext, sent: object, customer: JsonDict, own_id: str | None
) -> tuple[list[JsonDict], Decimal]:
    """Return the lines to store and the total they apply; every linked invoice checked."""
    lines: list[JsonDict] = []
    by_invoice: dict[str, Decimal] = {}
    for line in expect(sent, list, "Line"):
        line = clean(expect(line, dict, "Line"))
        if "Amount" not in line:
            raise required_param_missing("Line.Amount")
        value = amount(line["Amount"], "Line.Amount")
        if value < 0:
            raise business_rule("A payment line cannot apply a negative amount.", "Line.Amount")
        invoice_id = _linked_invoice(line)
        by_invoice[invoice_id] = by_invoice.get(invoice_id, ZERO) + value
        lines.append(
            {"Amount": as_json(value), "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        )
    for invoice_id, value in by_invoice.items():
        _check_invoice(ctx, invoice_id, value, customer, own_id)
    return lines, sum(by_invoice.values(), ZERO)


def _linked_invoice(line: JsonDict) -> str:
    links = expect(line.get("LinkedTxn", []), list, "Line.LinkedTxn")
    if not links:
        raise required_param_missing("Line.LinkedTxn")
    if len(links) > 1:
        raise business_rule("A payment line links exactly one transaction.", "Line.LinkedTxn")
    link = clean(expect(links[0], dict, "Line.LinkedTxn"))
    if link.get("TxnType") != "Invoice":
        raise invalid_property(
            "Property Name:Line.LinkedTxn.TxnType specified is unsupported or invalid"
        )
    if "TxnId" not in link:
        raise required_param_missing(_TXN_ID)
    return str(link["TxnId"])


def _check_invoice(
    ctx: WriteContext, invoice_id: str, value: Decimal, customer: JsonDict, own_id: str | None
) -> None:
    invoice = ctx.realm.get("Invoice", invoice_id)
    if invoice is None:
        raise invalid_reference(_TXN_ID)
    if invoice["CustomerRef"]["value"] != customer["Id"]:
        raise cannot_link(_TXN_ID)
    open_balance = stored(invoice["TotalAmt"]) - applied_to(ctx.realm, invoice_id, excluding=own_id)
    if value > open_balance:
        raise business_rule(
            f"The amount applied to invoice {invoice_id} exceeds its balance.", "Line.Amount"
        )


def deposit_account(ctx: WriteContext, fields: JsonDict) -> JsonDict:
    """The account a payment is deposited to: the one named, or Undeposited Funds."""
    ref = fields.get("DepositToAccountRef")
    if ref is None:
        funds = [
            account
            for account in ctx.realm.rows("Account")
            if account["AccountSubType"] == "UndepositedFunds" and account["Active"]
        ]
        if not funds:
            raise required_param_missing("DepositToAccountRef")
        return funds[0]
    account = referenced(ctx, "Account", ref, "DepositToAccountRef")
    if account["AccountType"] not in DEPOSIT_TYPES:
        raise business_rule(
            "DepositToAccountRef must name a Bank or Other Current Asset account.",
            "DepositToAccountRef",
        )
    return account
