"""Controls of the companies: realms and their tokens, counters, what QBO's UI users do."""

import secrets
from typing import Any

from flask import Response

from sandbox.control.http import ControlError, blueprint, control_state, json_body, text_field
from sandbox.control.seeding import SEEDS, new_realm_id, seed_realm
from sandbox.limits.throttle import DEFAULT_APP
from sandbox.replies import json_reply


@blueprint.get("/realms")
def list_realms() -> Response:
    """The id of every realm."""
    return json_reply({"realms": control_state().realm_ids()})


@blueprint.post("/realms")
def create_realm() -> Response:
    """Add a realm with an access token: {"realm_id", "company_name", "seed", "access_token",
    "app"}, all optional (a random id and token, seed "empty", app "default")."""
    body, state = json_body(), control_state()
    realm_id = text_field(body, "realm_id", new_realm_id())
    seed = text_field(body, "seed", "empty")
    if seed not in SEEDS:
        raise ControlError(400, f'"seed" must be one of {list(SEEDS)}')
    if realm_id in state.realm_ids():
        raise ControlError(409, f"realm {realm_id} already exists")
    token = text_field(body, "access_token", secrets.token_urlsafe(32))
    company_name = text_field(body, "company_name", "Sandbox Company_US_1")
    seed_realm(state, seed, realm_id, token, company_name)
    return _token_reply(realm_id, token, text_field(body, "app", DEFAULT_APP))


@blueprint.post("/realms/<realm_id>/tokens")
def issue_token(realm_id: str) -> Response:
    """Issue another access token for a realm, for app {"app"} ("default" if left out)."""
    body, state = json_body(), control_state()
    token = state.issue_access_token(realm_id, body.get("access_token") or None)
    return _token_reply(realm_id, token, text_field(body, "app", DEFAULT_APP))


@blueprint.get("/realms/<realm_id>/counters")
def realm_counters(realm_id: str) -> Response:
    """The request counters of one realm, and its CorePlus reads this month."""
    throttle = control_state().throttle
    counters: dict[str, Any] = throttle.counters.of(realm_id)
    return json_reply({**counters, "coreplus_this_month": throttle.coreplus_used(realm_id)})


@blueprint.delete("/realms/<realm_id>/counters")
def reset_realm_counters(realm_id: str) -> Response:
    """Zero the request counters of one realm."""
    throttle = control_state().throttle
    throttle.counters.reset(realm_id)
    return json_reply(throttle.counters.of(realm_id))


@blueprint.post("/realms/<realm_id>/customers/<customer_id>/deactivate")
def deactivate_customer(realm_id: str, customer_id: str) -> Response:
    """Make a customer inactive as a user does in QBO's UI, even one that owes money.

    It needs no API token and bumps the SyncToken, so a client holding the old one gets 5010.
    """
    saved = control_state().deactivate_customer(realm_id, customer_id)
    return json_reply({"Customer": saved})


@blueprint.post("/merge")
def merge_customers() -> Response:
    """Merge customer {"from"} into {"into"} in realm {"realm_id"}, as a UI user does."""
    body, state = json_body(), control_state()
    realm_id, from_id, into_id = (text_field(body, name) for name in ("realm_id", "from", "into"))
    survivor = state.merge_customers(realm_id, from_id, into_id)
    merged = {"realm_id": realm_id, "from": from_id, "into": into_id}
    return json_reply({"merged": merged, "Customer": survivor})


def _token_reply(realm_id: str, token: str, app: str) -> Response:
    control_state().throttle.register_app(token, app)
    body = {"realm_id": realm_id, "access_token": token, "app": app}
    return json_reply({**body, "api_base": f"/v3/company/{realm_id}"}, 201)
