"""Wires the sandbox's own layers around the QBO app: limits, fault injection, /_sandbox."""

from flask import Flask

from sandbox.control import realm_views, views, webhook_views
from sandbox.control.chaos import ChaosMiddleware
from sandbox.control.http import blueprint
from sandbox.limits.middleware import LimitsMiddleware
from sandbox.state import SandboxState

CHAOS_EXTENSION = "qbo_sandbox_chaos"
# The view modules register their routes on the blueprint when imported.
_VIEWS = (views, realm_views, webhook_views)


def install_layers(app: Flask) -> None:
    """Put the throttle in front of fault injection in front of the app; add /_sandbox."""
    state: SandboxState = app.extensions["qbo_sandbox"]
    chaos = ChaosMiddleware(app.wsgi_app, state)
    app.wsgi_app = LimitsMiddleware(chaos, state)  # type: ignore[method-assign]
    app.extensions[CHAOS_EXTENSION] = chaos
    app.register_blueprint(blueprint)


def stop_waiting(app: Flask) -> None:
    """End the latency waits and hanging timeouts of `app` (its server is stopping)."""
    chaos = app.extensions.get(CHAOS_EXTENSION)
    if isinstance(chaos, ChaosMiddleware):
        chaos.wake()
