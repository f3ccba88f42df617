"""Picking entries of QBO's lists (Item, Class, Department, PaymentMethod, Account) from rows.

Pure functions over the rows of a query answer (`QueryResponse["Item"]` …), read for their Id
only. Queries leave inactive entries out unless they name Active, so the rows are active ones.
"""

from __future__ import annotations

from typing import Any

from core.adapters.qbo import payload
from core.errors import QboPayloadError

# The item types an invoice line may sell; Inventory, Category and Group items are not ours.
SALES_ITEM_TYPES = ("Service", "NonInventory")
# The income account a created Service item sells into, when the company has one of this name.
PREFERRED_INCOME_ACCOUNT = "Services"


def rows_of(response: Any, entity: str) -> list[payload.Json]:
    """The rows of one entity in a `QueryResponse` object (`{}` means none)."""
    rows = payload.items(payload.obj(response, "a QueryResponse").get(entity), entity)
    return [payload.obj(row, f"a {entity}") for row in rows]


def row_id(row: payload.Json, entity: str) -> str:
    """A list entry's Id."""
    return payload.text(row, "Id", f"a {entity}")


def sales_item_id(rows: list[payload.Json]) -> str | None:
    """The first item a sales line may sell (Service or NonInventory), or None."""
    for row in rows:
        if row.get("Type") in SALES_ITEM_TYPES:
            return row_id(row, "Item")
    return None


def named(rows: list[payload.Json], name: str) -> list[payload.Json]:
    """The rows whose Name is `name`: exactly if any are, else ignoring case (as QBO's queries
    compare, unconfirmed). Name, not FullyQualifiedName: a sub-class "Tax:Payroll" is "Payroll"."""
    exact = [row for row in rows if row.get("Name") == name]
    return exact or [row for row in rows if str(row.get("Name", "")).casefold() == name.casefold()]


def segment_id(rows: list[payload.Json], name: str, entity: str) -> str | None:
    """The class or department of this Name; a top-level one first, as sub-entries of two
    parents may share a Name."""
    found = named(rows, name)
    top = [
        row for row in found if row.get("FullyQualifiedName", row.get("Name")) == row.get("Name")
    ]
    chosen = top or found
    return row_id(chosen[0], entity) if chosen else None


def named_id(rows: list[payload.Json], name: str, entity: str) -> str | None:
    """The Id of the first row of this Name, or None."""
    found = named(rows, name)
    return row_id(found[0], entity) if found else None


def income_account_id(rows: list[payload.Json]) -> str:
    """The income account to sell into: "Services" if there is one, else the first."""
    if not rows:
        raise QboPayloadError(
            "The QuickBooks company has no active income account to record service sales in; "
            "add an account of type Income in QuickBooks."
        )
    named = [row for row in rows if row.get("Name") == PREFERRED_INCOME_ACCOUNT]
    return row_id((named or rows)[0], "Account")


def created_id(body: Any, entity: str) -> str:
    """The Id of the entity a create answered (`{"Item": {"Id": …}}`)."""
    answer = payload.obj(body, f"an answer to a {entity} create")
    return row_id(payload.obj(answer.get(entity), f"a {entity}"), entity)
