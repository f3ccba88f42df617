"""QBO Accounting API v3 routes under /v3/company/<realm_id>: query, read and write.

Answers are always JSON: clients ask for it (`Accept: application/json` or `?format=json`), and
QBO's XML default is not modelled. `minorversion` is accepted and ignored (everything is 75).
Entity names in paths may come in any case.
"""

from typing import cast

from flask import Blueprint, Response, current_app, request

from sandbox.auth import bearer_token, refusal_detail, unauthorized
from sandbox.clock import reply_time
from sandbox.entities.payload import Reply
from sandbox.entities.registry import find_entity
from sandbox.faults import QboFault
from sandbox.oauth.records import AccessStatus
from sandbox.replies import json_reply
from sandbox.state import SandboxState

blueprint = Blueprint("qbo_v3", __name__, url_prefix="/v3/company/<realm_id>")


def sandbox_state() -> SandboxState:
    """Return the state of the app handling this request."""
    return cast(SandboxState, current_app.extensions["qbo_sandbox"])


@blueprint.before_request
def require_bearer_token() -> Response | None:
    """Refuse a call without a live token issued for this realm, as the API gateway does."""
    state = sandbox_state()
    realm_id = (request.view_args or {}).get("realm_id", "")
    token = bearer_token(request.headers.get("Authorization", ""))
    status = state.access_token_status(realm_id, token) if token else AccessStatus.INVALID
    if status is AccessStatus.VALID:
        return None
    detail = refusal_detail(token, status is AccessStatus.EXPIRED)
    return unauthorized(state.options.auth_fault, state.now(), detail)


@blueprint.route("/query", methods=["GET", "POST"])
def query(realm_id: str) -> Response:
    """Run a statement: GET with ?query=…, or POST with it as an application/text body."""
    state = sandbox_state()
    if request.method == "POST":
        statement = request.get_data(as_text=True)
    else:
        statement = request.args.get("query", "")
    answer = state.query(realm_id, statement)
    return json_reply({"QueryResponse": answer, "time": reply_time(state.now())})


@blueprint.get("/<entity>/<entity_id>")
def read(realm_id: str, entity: str, entity_id: str) -> Response:
    """Read one entity by Id."""
    state = sandbox_state()
    row = state.read(realm_id, entity, entity_id)
    return json_reply({_entity_name(entity): row, "time": reply_time(state.now())})


@blueprint.post("/<entity>")
def write(realm_id: str, entity: str) -> Response:
    """Write an entity; `?operation=` and `?include=` say how, `?requestid=` dedupes."""
    state = sandbox_state()
    name = _entity_name(entity)
    payload = request.get_json(force=True, silent=True)
    operation = request.args.get("operation", "").lower()
    include = [flag for flag in request.args.get("include", "").split(",") if flag.strip()]

    def run() -> Reply:
        try:
            saved = state.save(realm_id, name, payload, operation, include)
        except QboFault as fault:
            return fault.status, fault.payload(state.now())
        return 200, {name: saved, "time": reply_time(state.now())}

    requestid = request.args.get("requestid", "")
    status, body = state.replay_or_run(realm_id, requestid, run) if requestid else run()
    return json_reply(body, status)


def _entity_name(path_name: str) -> str:
    """Return the entity's own spelling for a path segment (unknown names pass through)."""
    spec = find_entity(path_name)
    return spec.name if spec is not None else path_name
