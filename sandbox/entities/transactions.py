"""What invoices and payments share: dates, delete, and the note a void leaves.

Delete (`?operation=delete` with Id and SyncToken) removes the transaction and answers
`{"status":"Deleted","domain":"QBO","Id":…}`; afterwards a read, update or delete of it is
610 "Another user has deleted this transaction", and CDC shows its Deleted stub.
A void prepends "Voided" to PrivateNote: "Voided" alone, or "Voided - <note>" (decision: the
reference says "prepends" without showing a note that was already there).
"""

from datetime import date, timedelta

from sandbox.clock import COMPANY_ZONE
from sandbox.entities.payload import JsonDict
from sandbox.entities.writes import current_version
from sandbox.faults import invalid_property
from sandbox.realm import WriteContext

VOIDED = "Voided"


def today(ctx: WriteContext) -> date:
    """Return the server date in the company's time zone (QBO's default TxnDate)."""
    return ctx.now.astimezone(COMPANY_ZONE).date()


def txn_date(value: str | None, element: str) -> date | None:
    """Read a yyyy-MM-dd date; 2010 when it is not one."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid_property(
            f"Property Name:{element} specified is unsupported or invalid"
        ) from None


def due_date(txn: date) -> date:
    """The default DueDate: TxnDate + 30 days, the "Net 30" term of QBO's sample companies."""
    return txn + timedelta(days=30)


def voided_note(note: str | None) -> str:
    """Return the PrivateNote of a voided transaction."""
    return VOIDED if not note else f"{VOIDED} - {note}"


def delete_transaction(ctx: WriteContext, entity: str, sent: JsonDict) -> tuple[JsonDict, JsonDict]:
    """Delete the transaction `sent` names; return what it was and the answer for the client."""
    current = current_version(ctx.realm, entity, sent)
    ctx.realm.remove(entity, current["Id"], ctx.now)
    ctx.journal(entity, current["Id"], "Delete")
    return current, {"status": "Deleted", "domain": "QBO", "Id": current["Id"]}
