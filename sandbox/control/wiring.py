"""Wires the sandbox's own layers around the QBO app: limits, then fault injection."""

from flask import Flask

from sandbox.control.chaos import ChaosMiddleware
from sandbox.limits.middleware import LimitsMiddleware
from sandbox.state import SandboxState

CHAOS_EXTENSION = "qbo_sandbox_chaos"


def install_layers(app: Flask) -> None:
    """Put the throttle in front of fault injection in front of the app."""
    state: SandboxState = app.extensions["qbo_sandbox"]
    chaos = ChaosMiddleware(app.wsgi_app, state)
    app.wsgi_app = LimitsMiddleware(chaos, state)  # type: ignore[method-assign]
    app.extensions[CHAOS_EXTENSION] = chaos


def stop_waiting(app: Flask) -> None:
    """End the latency waits and hanging timeouts of `app` (its server is stopping)."""
    chaos = app.extensions.get(CHAOS_EXTENSION)
    if isinstance(chaos, ChaosMiddleware):
        chaos.wake()
