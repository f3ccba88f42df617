"""The batch endpoint: up to 30 independent operations and queries in one request.

`POST /v3/company/<realm>/batch` with `{"BatchItemRequest":[{"bId","operation","<Entity>":{…}}
| {"bId","Query":"select …"}]}` answers `{"BatchItemResponse":[{"bId", "<Entity>"|"QueryResponse"
|"Fault": …}],"time":…}`. Items are run one by one in the order sent and see each other's
writes, but clients must not rely on that: QBO promises no order (shared/qbo/README.md).

Decisions: more than `batch_max` items (30) is one 400 fault 1040 for the whole request. With a
`requestid`, each item is replayed under requestid + bId, so an item whose joined id exceeds 50
characters fails alone with 6000, as QBO does. Each item is metered like a call of its own;
a query item past the CorePlus quota fails alone with 3001. `optionsData` "void" voids the
entity as a single call would (a payment through update with include=void), and other options
("allowduplicatedocnum") go to the write as QBO's `include` flags.
"""

from typing import Any, Literal

from flask import request

from sandbox.clock import reply_time
from sandbox.entities.payload import JsonDict, Reply, json_object
from sandbox.entities.registry import find_entity
from sandbox.faults import QboError, QboFault, required_param_missing, validation
from sandbox.limits.throttle import Throttled
from sandbox.replies import json_reply
from sandbox.state import SandboxState
from sandbox.views import blueprint, sandbox_state

BATCH_MAX = 30
THROTTLED_MESSAGE = "message=ThrottleExceeded; errorCode=003001; statusCode=429"
THROTTLED_DETAIL = "The request limit was reached.  Try again later"


@blueprint.post("/batch")
def batch(realm_id: str) -> Any:
    """Run a batch request's items and answer each one's result or fault."""
    state = sandbox_state()
    body = json_object(request.get_json(force=True, silent=True))
    items = body.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise required_param_missing("BatchItemRequest")
    if len(items) > BATCH_MAX:
        raise validation(
            "1040",
            "Batch size exceeds allowed limit",
            f"Batch size {len(items)} exceeds the allowed limit of {BATCH_MAX}",
            element=None,
        )
    requestid = request.args.get("requestid", "")
    answers = [run_item(state, realm_id, json_object(item), requestid) for item in items]
    if state.after_batch is not None:
        state.after_batch(realm_id)
    return json_reply({"BatchItemResponse": answers, "time": reply_time(state.now())})


def run_item(state: SandboxState, realm_id: str, item: JsonDict, requestid: str) -> JsonDict:
    """One item's answer: the saved entity, the query response, or its own fault."""
    bid = str(item.get("bId", ""))
    try:
        if "Query" in item:
            _meter(state, realm_id, "read")
            answer: JsonDict = {"QueryResponse": state.query(realm_id, str(item["Query"]))}
        else:
            _meter(state, realm_id, "write")
            _, answer = _write(state, realm_id, item, requestid + bid if requestid else "")
    except QboFault as fault:
        answer = {"Fault": fault.payload(state.now())["Fault"]}
    return {**answer, "bId": bid}


def _meter(state: SandboxState, realm_id: str, kind: Literal["read", "write"]) -> None:
    """Each item is metered like a call of its own (reads count against the CorePlus quota)."""
    try:
        state.throttle.charge_item(realm_id, kind)
    except Throttled as exc:
        raise QboFault(
            429, QboError("3001", THROTTLED_MESSAGE, THROTTLED_DETAIL, None), "SERVICE"
        ) from exc


def _write(state: SandboxState, realm_id: str, item: JsonDict, requestid: str) -> Reply:
    entity, payload = _entity_of(item)
    operation, include = _operation(entity, item)

    def write() -> Reply:
        try:
            saved = state.save(realm_id, entity, payload, operation, include)
        except QboFault as fault:
            return fault.status, {"Fault": fault.payload(state.now())["Fault"]}
        return 200, {entity: saved}

    return state.replay_or_run(realm_id, requestid, write) if requestid else write()


def _operation(entity: str, item: JsonDict) -> tuple[str, list[str]]:
    """The `?operation=` and `?include=` a single call would carry for this item."""
    operation = str(item.get("operation", "create")).lower()
    operation = "" if operation == "create" else operation
    options = [o.strip().lower() for o in str(item.get("optionsData", "")).split(",") if o.strip()]
    if "void" in options:
        options.remove("void")
        # A payment is voided by an update with include=void; other transactions by void.
        if entity == "Payment":
            return "update", [*options, "void"]
        return "void", options
    return operation, options


def _entity_of(item: JsonDict) -> tuple[str, object]:
    for key, value in item.items():
        spec = find_entity(key)
        if spec is not None:
            return spec.name, value
    raise required_param_missing("BatchItemRequest entity")
