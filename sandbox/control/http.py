"""The /_sandbox blueprint, its JSON helpers and its one error shape: {"error": "…"}."""

from typing import Any, cast

from flask import Blueprint, Response, current_app, request

from sandbox.replies import json_reply
from sandbox.state import SandboxState

blueprint = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")


class ControlError(Exception):
    """A control request the sandbox refuses: HTTP `status` and a message for a person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def control_state() -> SandboxState:
    """Return the state of the app handling this request."""
    return cast(SandboxState, current_app.extensions["qbo_sandbox"])


def json_body() -> dict[str, Any]:
    """Return the request's JSON object; an empty body is an empty object."""
    if not request.get_data():
        return {}
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def text_field(body: dict[str, Any], name: str, default: str | None = None) -> str:
    """Return the string `name` of `body`; a missing one is `default`, or a 400 without it."""
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise ControlError(400, f'"{name}" must be a non-empty string')
    return value


def number_field(body: dict[str, Any], name: str) -> float:
    """Return the number `name` of `body`, or a 400."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(400, f'"{name}" must be a number')
    return float(value)


@blueprint.errorhandler(ControlError)
def _control_error(error: ControlError) -> Response:
    return json_reply({"error": error.message}, error.status)


@blueprint.errorhandler(KeyError)
def _unknown_realm(error: KeyError) -> Response:
    # SandboxState raises KeyError("unknown realm …") for a realm it does not have.
    return json_reply({"error": str(error.args[0]) if error.args else "not found"}, 404)
