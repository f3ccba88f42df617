"""Controls of the sandbox itself: switches, latency, faults, throttling, clock, counters,
snapshots. Every answer is JSON; the endpoints are listed in `sandbox.control`."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response

from sandbox.clock import reply_time
from sandbox.control.http import (
    ControlError,
    blueprint,
    control_state,
    json_body,
    number_field,
    text_field,
)
from sandbox.control.settings import SwitchError, changed, switches
from sandbox.control.snapshot import load_snapshot, save_snapshot
from sandbox.replies import json_reply

# Names of `python -m sandbox`'s fault flags, as /_sandbox/faults takes them.
FAULT_NAMES = {
    "5xx": "fail_5xx",
    "429": "fail_429",
    "timeout": "fail_timeout",
    "drop_before": "drop_before",
    "drop_after": "drop_after",
}


@blueprint.get("/options")
def read_options() -> Response:
    """Every switch of SandboxOptions and its value."""
    return json_reply(switches(control_state().options))


@blueprint.route("/options", methods=["PATCH", "POST"])
def change_options() -> Response:
    """Change the switches named in the body; the others keep their values."""
    return _apply(json_body())


@blueprint.route("/latency", methods=["PUT", "POST"])
def change_latency() -> Response:
    """Set latency: {"ms": fixed, "jitter_ms": up to this much more, drawn uniformly}."""
    body = json_body()
    return _apply({"latency_ms": number_field(body, "ms"), "jitter_ms": body.get("jitter_ms", 0)})


@blueprint.route("/faults", methods=["PUT", "POST"])
def change_faults() -> Response:
    """Set fault rates by kind ({"5xx": 0.05, …}); kinds left out go back to 0."""
    body = json_body()
    unknown = set(body) - set(FAULT_NAMES)
    if unknown:
        kinds = ", ".join(FAULT_NAMES)
        raise ControlError(400, f"unknown fault kinds {sorted(unknown)}; kinds: {kinds}")
    return _apply({switch: body.get(kind, 0) for kind, switch in FAULT_NAMES.items()})


@blueprint.route("/throttling", methods=["PUT", "POST"])
def change_throttling() -> Response:
    """Turn every rate limit on or off: {"on": true|false}."""
    return _apply({"throttling": json_body().get("on")})


@blueprint.get("/clock")
def read_clock() -> Response:
    """The sandbox's time."""
    return _clock_reply()


@blueprint.post("/clock")
def move_clock() -> Response:
    """Move the clock: {"advance": seconds} or {"set": "2026-12-01T00:00:00-08:00"}."""
    body, clock = json_body(), control_state().clock
    if "advance" in body:
        clock.advance(number_field(body, "advance"))
    elif "set" in body:
        try:
            clock.set(datetime.fromisoformat(text_field(body, "set")))
        except ValueError as error:
            raise ControlError(
                400, f'"set" needs an ISO 8601 time with an offset: {error}'
            ) from error
    else:
        raise ControlError(400, 'say "advance" (seconds) or "set" (an ISO 8601 time)')
    return _clock_reply()


@blueprint.get("/counters")
def read_counters() -> Response:
    """The request counters of every realm that has any."""
    return json_reply({"realms": control_state().throttle.counters.all()})


@blueprint.delete("/counters")
def reset_counters() -> Response:
    """Zero the counters of every realm."""
    control_state().throttle.counters.reset()
    return json_reply({"realms": {}})


@blueprint.post("/snapshot")
def save() -> Response:
    """Write the whole state to {"path"} on the sandbox's machine."""
    path = text_field(json_body(), "path")
    realms = _file_step(lambda: save_snapshot(control_state(), path))
    return json_reply({"saved": path, "realms": realms})


@blueprint.post("/snapshot/load")
def load() -> Response:
    """Replace the whole state with the snapshot at {"path"}."""
    path = text_field(json_body(), "path")
    realms = _file_step(lambda: load_snapshot(control_state(), path))
    return json_reply({"loaded": path, "realms": realms})


def _apply(changes: dict[str, Any]) -> Response:
    state = control_state()
    try:
        state.options = changed(state.options, changes)
    except SwitchError as error:
        raise ControlError(400, str(error)) from error
    return json_reply(switches(state.options))


def _clock_reply() -> Response:
    return json_reply({"now": reply_time(control_state().now())})


def _file_step(step: Callable[[], int]) -> int:
    try:
        return step()
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ControlError(400, f"{type(error).__name__}: {error}") from error
