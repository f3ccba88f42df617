"""The two bodies of a webhook notification: CloudEvents (now) and legacy (before 2026)."""

import base64
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox.webhooks.events import ChangeEvent

# CloudEvents `type` verbs for QBO's operation names (shared/qbo/README.md, Webhooks).
_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "void",
    "Emailed": "emailed",
}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cloudevents_body(events: Sequence[ChangeEvent], app_id: str) -> list[dict[str, Any]]:
    """The CloudEvents array: one object per event, realms mixed."""
    source = "intuit." + base64.b64encode(app_id.encode()).decode()
    body = []
    for event in events:
        item: dict[str, Any] = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": f"qbo.{event.entity.lower()}.{_VERBS[event.operation]}.v1",
            "time": _utc(event.at),
            "intuitentityid": event.entity_id,
            "intuitaccountid": event.realm_id,
        }
        if event.deleted_id is not None:
            item["datacontenttype"] = "application/json"
            item["data"] = {"deletedId": event.deleted_id}
        body.append(item)
    return body


def legacy_body(events: Sequence[ChangeEvent]) -> dict[str, Any]:
    """The legacy `eventNotifications` object: events grouped by realm, in order."""
    by_realm: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        entity: dict[str, Any] = {
            "name": event.entity,
            "id": event.entity_id,
            "operation": event.operation,
            "lastUpdated": _utc(event.at),
        }
        if event.deleted_id is not None:
            entity["deletedId"] = event.deleted_id
        by_realm.setdefault(event.realm_id, []).append(entity)
    return {
        "eventNotifications": [
            {"realmId": realm_id, "dataChangeEvent": {"entities": entities}}
            for realm_id, entities in by_realm.items()
        ]
    }
