"""Controls of webhook notifications: where they go, how they are signed, what was delivered.

    PUT    /_sandbox/webhooks {"targets": [url…], "verifier_token", "format", "schedule_scale"}
    GET    /_sandbox/webhooks     the configuration and every delivery attempt per target
    DELETE /_sandbox/webhooks     stop notifying

`format` is "cloudevents" (the default) or "legacy"; `schedule_scale` shrinks Intuit's retry
schedule (0.001 makes its 10 s into 10 ms). Only changes made after the PUT are notified.
"""

from dataclasses import asdict

from flask import Response

from sandbox.control.http import ControlError, blueprint, control_state, json_body, text_field
from sandbox.replies import json_reply
from sandbox.webhooks.delivery import WebhookConfig


@blueprint.put("/webhooks")
def configure_webhooks() -> Response:
    """Send signed notifications of every later change to the targets given."""
    body = json_body()
    targets = body.get("targets")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise ControlError(400, '"targets" must be a non-empty list of URLs')
    scale = body.get("schedule_scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
        raise ControlError(400, '"schedule_scale" must be a positive number')
    try:
        config = WebhookConfig(
            targets=targets,
            verifier_token=text_field(body, "verifier_token"),
            format=text_field(body, "format", "cloudevents"),
            schedule_scale=float(scale),
        )
    except ValueError as error:
        raise ControlError(400, str(error)) from error
    control_state().configure_webhooks(config)
    return show_webhooks()


@blueprint.get("/webhooks")
def show_webhooks() -> Response:
    """The configuration (without the verifier token) and the delivery attempts per target."""
    sender = control_state().webhooks
    if sender is None:
        return json_reply({"configured": False})
    config = sender.config
    deliveries = {
        url: [
            {"at": a.at.isoformat(), "events": a.events, "status": a.status}
            for a in sender.attempts(url)
        ]
        for url in config.targets
    }
    settings = {k: v for k, v in asdict(config).items() if k != "verifier_token"}
    return json_reply({"configured": True, **settings, "deliveries": deliveries})


@blueprint.delete("/webhooks")
def stop_webhooks() -> Response:
    """Stop notifying; undelivered notifications are dropped."""
    control_state().configure_webhooks(None)
    return json_reply({"configured": False})
