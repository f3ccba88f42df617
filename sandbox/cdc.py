"""Change data capture: `GET /v3/company/<realm>/cdc?entities=Customer,Invoice&changedSince=…`.

Answers every entity of the named kinds that changed at or after `changedSince`, as it is now:
its full payload, or the Deleted stub of a deleted or merged-away one. Objects are grouped by
entity in the order asked, each group ordered by update time with deleted ones after active
ones, as QBO does (shared/qbo/README.md, Change data capture).

Decisions: `changedSince` without an offset is read as UTC (QBO's reading is unconfirmed), and
an offset whose `+` arrived as a space (a client that does not encode it) is accepted. A date
more than 30 days back is refused with 400 "6000" and QBO's wording. Past 1,000 objects the
answer holds the first 1,000 by update time, with no paging, as QBO: a client must shorten its
window. An entity the sandbox does not serve is refused with 400 "6000".
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request

from sandbox.clock import reply_time
from sandbox.entities.payload import JsonDict
from sandbox.entities.registry import find_entity
from sandbox.faults import business_rule, required_param_missing
from sandbox.journal import Change
from sandbox.replies import json_reply
from sandbox.state import SandboxState
from sandbox.views import blueprint, sandbox_state

LOOK_BACK = timedelta(days=30)
MAX_OBJECTS = 1000


@blueprint.get("/cdc")
def cdc(realm_id: str) -> Any:
    """Answer the changes of the named entities since `changedSince`."""
    state = sandbox_state()
    entities = _entities(request.args.get("entities", ""))
    since = _since(request.args.get("changedSince", ""), state.now())
    groups = changed_objects(state, realm_id, entities, since)
    responses: list[JsonDict] = [
        {name: rows, "startPosition": 1, "maxResults": len(rows)}
        for name, rows in groups.items()
        if rows
    ]
    body = {"CDCResponse": [{"QueryResponse": responses or [{}]}], "time": reply_time(state.now())}
    return json_reply(body)


def changed_objects(
    state: SandboxState, realm_id: str, entities: list[str], since: datetime
) -> dict[str, list[JsonDict]]:
    """Each entity's changed objects, as CDC answers them, at most MAX_OBJECTS in all."""
    last_change: dict[tuple[str, str], datetime] = {}
    for change in state.changes(realm_id, since, entities):
        for entity_id in _ids_of(change):
            last_change[(change.entity, entity_id)] = change.at
    first_by_time = sorted(last_change.items(), key=lambda item: item[1])[:MAX_OBJECTS]
    groups: dict[str, list[JsonDict]] = {name: [] for name in entities}
    for (entity, entity_id), _ in first_by_time:
        payload = state.latest(realm_id, entity, entity_id)
        if payload is not None:
            groups[entity].append(payload)
    for rows in groups.values():
        rows.sort(key=lambda row: row.get("status") == "Deleted")  # stable: keeps time order
    return groups


def _ids_of(change: Change) -> list[str]:
    # A merge changes the survivor and deletes the merged-away customer.
    return [change.entity_id] + ([change.deleted_id] if change.deleted_id else [])


def _entities(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise required_param_missing("entities")
    entities = []
    for name in names:
        spec = find_entity(name)
        if spec is None:
            raise business_rule(f"Operation cdc is not supported for entity {name}.")
        entities.append(spec.name)
    return entities


def _since(text: str, now: datetime) -> datetime:
    if not text:
        raise required_param_missing("changedSince")
    raw = text.strip()
    if len(raw) > 10 and raw[-6] == " ":  # "+hh:mm" sent unencoded arrives as " hh:mm"
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise business_rule(f"changedSince {text!r} is not a date or date-time.") from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment < now - LOOK_BACK:
        raise business_rule(
            f"Operation cdc with changedSince date {text} which is older than fixed days is "
            "not supported."
        )
    return moment
