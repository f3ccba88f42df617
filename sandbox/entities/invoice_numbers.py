"""Invoice DocNumbers: at most 21 characters, unique unless the client allows duplicates.

A DocNumber another invoice has is 6140, with QBO's Detail naming that invoice, unless the
request says `include=allowduplicatedocnum`. Sent without one, an invoice is numbered by the
sandbox as QBO does when `Preferences.SalesFormsPrefs.CustomTxnNumber` is false: one more than
the highest all-digit DocNumber of the realm's invoices, from 1001 (decision: QBO's sample
companies number from there). With the `custom_txn_number` switch it stays without one. An
update that sends none keeps the invoice's number.
"""

from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import check_lengths
from sandbox.faults import duplicate_doc_number
from sandbox.realm import Realm, WriteContext

FIRST_NUMBER = 1001
ALLOW_DUPLICATES = "allowduplicatedocnum"


def doc_number(ctx: WriteContext, fields: JsonDict, current: JsonDict | None) -> str | None:
    """Return the DocNumber to store for an invoice being written."""
    sent: str | None = fields.get("DocNumber")
    if sent is None:
        if current is not None:
            kept: str | None = current.get("DocNumber")
            return kept
        return None if ctx.options.custom_txn_number else next_number(ctx.realm)
    check_lengths(fields, {"DocNumber": 21})
    if ALLOW_DUPLICATES not in ctx.include:
        own_id = None if current is None else current["Id"]
        for row in ctx.realm.rows("Invoice"):
            if row["Id"] != own_id and row.get("DocNumber") == sent:
                raise duplicate_doc_number(sent, "Invoice", row["Id"])
    return sent


def next_number(realm: Realm) -> str:
    """Return the number QBO would give the next invoice sent without one."""
    numbers = [int(row["DocNumber"]) for row in realm.rows("Invoice") if _digits(row)]
    return str(max(numbers, default=FIRST_NUMBER - 1) + 1)


def _digits(row: JsonDict) -> bool:
    text = row.get("DocNumber", "")
    return isinstance(text, str) and text.isascii() and text.isdigit()
