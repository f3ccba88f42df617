"""GET /app/live: what changed on the page since it was drawn, for static/app.js to put in
place every two seconds while jobs run.

The script sends each record the page shows as `record=<kind>:<signature>:<external id>`
and the page's own address (`page`, where its forms come back to); the answer holds, for each
record whose signature changed, its new signature and its cells rendered by the pages' own
macros, and, for each `counts=accounts|invoices|payments`, their counts per status (by
`<kind>:<status>`, as the pages' `data-live-count` name them) and, for accounts, the first
sync's progress. A record this firm does not have is left out, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from api.context import app_context, current_firm_id
from api.schemas import storable
from api.web.blueprint import blp
from api.web.customers import customer_names
from api.web.forms import safe_next
from api.web.records import (
    account_cells,
    account_signature,
    billing_cells,
    billing_signature,
    invoice_blockers,
    payment_blockers,
)
from api.web.statuses import progress
from core.domain.status import SyncStatus
from core.errors import NotFoundError
from core.services import accounts as account_service
from core.services import invoices as invoice_service
from core.services import payments as payment_service

# A page shows at most 50 rows and an account's invoices; more is not a page's poll.
MAX_RECORDS = 200
MAX_ID = 200

Changed = tuple[str, dict[str, str]]  # a record's signature and cells


@blp.get("/live")
def live() -> Response:
    """The records of the page that changed, and the accounts' counts when asked for."""
    back = safe_next(request.args.get("page"))
    answer: dict[str, Any] = {"records": {}}
    for wanted in request.args.getlist("record")[:MAX_RECORDS]:
        kind, _, rest = wanted.partition(":")
        seen, _, external_id = rest.partition(":")
        look = LOOKS.get(kind)
        if look is None or not 0 < len(external_id) <= MAX_ID or not storable(external_id):
            continue
        try:
            now = look(external_id, seen, back)
        except NotFoundError:
            continue  # another firm's, or deleted: nothing to show
        if now is not None:
            answer["records"][f"{kind}:{external_id}"] = {"sig": now[0], "cells": now[1]}
    for kind in dict.fromkeys(request.args.getlist("counts")):
        summary = SUMMARIES.get(kind)
        if summary is not None:
            answer.setdefault("counts", {}).update(_counts(kind, summary()))
    return jsonify(answer)


def _counts(kind: str, counts: dict[SyncStatus, int]) -> dict[str, int]:
    """`kind`'s counts per status and in all, and the accounts' first-sync progress."""
    shown = {f"{kind}:{status.value}": n for status, n in counts.items()}
    shown[f"{kind}:total"] = sum(counts.values())
    if kind == "accounts":
        done = progress(counts)
        shown.update({"accounts:settled": done.settled, "accounts:percent": done.percent})
    return shown


def _summary(count: Callable[[Any, int], dict[SyncStatus, int]]) -> Callable[[], Any]:
    return lambda: count(app_context().services.reader(), current_firm_id())


SUMMARIES: dict[str, Callable[[], dict[SyncStatus, int]]] = {
    "accounts": _summary(account_service.account_summary),
    "invoices": _summary(invoice_service.invoice_summary),
    "payments": _summary(payment_service.payment_summary),
}


def _account(external_id: str, seen: str, back: str) -> Changed | None:
    account = account_service.get_account(
        app_context().services.reader(), current_firm_id(), external_id
    )
    now = account_signature(account)
    if now == seen:
        return None
    return now, account_cells(account, customer_names([account.qbo_customer_id]))


def _invoice(external_id: str, seen: str, back: str) -> Changed | None:
    invoice = invoice_service.get_invoice(
        app_context().services.reader(), current_firm_id(), external_id
    ).invoice
    blocked = invoice_blockers([invoice]).get(external_id)
    now = billing_signature(invoice, blocked)
    return None if now == seen else (now, billing_cells("invoice", invoice, blocked, back))


def _payment(external_id: str, seen: str, back: str) -> Changed | None:
    payment = payment_service.get_payment(
        app_context().services.reader(), current_firm_id(), external_id
    ).payment
    blocked = payment_blockers([payment]).get(external_id)
    now = billing_signature(payment, blocked)
    return None if now == seen else (now, billing_cells("payment", payment, blocked, back))


LOOKS: dict[str, Callable[[str, str, str], Changed | None]] = {
    "account": _account,
    "invoice": _invoice,
    "payment": _payment,
}
