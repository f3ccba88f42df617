"""Turning a webhook delivery, CloudEvents or legacy, into the changes it reports.

Intuit switched apps to CloudEvents (a top-level array with `specversion`); the legacy
`{"eventNotifications": …}` body is still read (shared/qbo/README.md, Webhooks).
"""

from __future__ import annotations

from typing import Any, get_args

from core.adapters.qbo import payload
from core.adapters.qbo.payload import Json
from core.domain.qbo import QboWebhookEvent, WebhookOperation
from core.errors import QboPayloadError

OPERATIONS: tuple[WebhookOperation, ...] = get_args(WebhookOperation)
# CloudEvents `type` verbs (`qbo.customer.merged.v1`) and the legacy operation each stands for.
_VERBS: dict[str, WebhookOperation] = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "void": "Void",
    "voided": "Void",
    "emailed": "Emailed",
}
# CloudEvents write entity names in lower case; these give the QBO spelling back.
_ENTITIES = {
    name.lower(): name
    for name in (
        *("Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency"),
        *("Customer", "CustomerType", "Department", "Deposit", "Employee", "Estimate"),
        *("Invoice", "Item", "JournalCode", "JournalEntry", "Payment", "PaymentMethod"),
        *("Preferences", "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt"),
        *("TaxAgency", "Term", "TimeActivity", "Transfer", "Vendor", "VendorCredit"),
    )
}


def parse_webhook(body: Any) -> list[QboWebhookEvent]:
    """The events of a delivery, in its order; one delivery may mix realms."""
    if isinstance(body, list):
        return [_cloud_event(payload.obj(event, "a CloudEvent")) for event in body]
    notifications = payload.obj(body, "a webhook body").get("eventNotifications")
    if notifications is None:
        raise QboPayloadError("QuickBooks sent a webhook body in neither known shape")
    return [
        event
        for notification in payload.items(notifications, "eventNotifications")
        for event in _notification(payload.obj(notification, "an eventNotification"))
    ]


def _cloud_event(event: Json) -> QboWebhookEvent:
    kind = payload.text(event, "type", "a CloudEvent")
    parts = kind.split(".")  # qbo.<entity>.<verb>.v<n>
    if len(parts) != 4 or parts[0] != "qbo" or parts[2] not in _VERBS:
        raise QboPayloadError(f"QuickBooks sent a CloudEvent of an unknown type: {kind}")
    data = payload.obj(event.get("data") or {}, "a CloudEvent's data")
    return QboWebhookEvent(
        realm_id=payload.text(event, "intuitaccountid", "a CloudEvent"),
        entity=_ENTITIES.get(parts[1], parts[1].capitalize()),
        entity_id=payload.text(event, "intuitentityid", "a CloudEvent"),
        operation=_VERBS[parts[2]],
        time=payload.optional_time(event, "time", "a CloudEvent"),
        deleted_id=_deleted_id(data, "a CloudEvent's data"),
        event_id=payload.optional_text(event, "id", "a CloudEvent"),
    )


def _notification(notification: Json) -> list[QboWebhookEvent]:
    realm_id = payload.text(notification, "realmId", "an eventNotification")
    change = payload.obj(notification.get("dataChangeEvent"), "a dataChangeEvent")
    return [
        _legacy_event(realm_id, payload.obj(entity, "a dataChangeEvent entity"))
        for entity in payload.items(change.get("entities"), "a dataChangeEvent's entities")
    ]


def _legacy_event(realm_id: str, entity: Json) -> QboWebhookEvent:
    what = "a dataChangeEvent entity"
    operation = payload.text(entity, "operation", what)
    if operation not in OPERATIONS:
        raise QboPayloadError(f"QuickBooks sent an unknown webhook operation: {operation}")
    return QboWebhookEvent(
        realm_id=realm_id,
        entity=payload.text(entity, "name", what),
        entity_id=payload.text(entity, "id", what),
        operation=operation,
        time=payload.optional_time(entity, "lastUpdated", what),
        deleted_id=_deleted_id(entity, what),
    )


def _deleted_id(fields: Json, what: str) -> str | None:
    # The docs write `deletedid`, captured deliveries `deletedId`: accept both.
    return payload.optional_text(fields, "deletedId", what) or payload.optional_text(
        fields, "deletedid", what
    )
