"""The sandbox's Flask app factory and its error answers."""

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException

import sandbox.batch
import sandbox.cdc  # noqa: F401  (adds /cdc to the v3 blueprint)
from sandbox.control.wiring import install_layers
from sandbox.faults import QboError, QboFault, system_fault
from sandbox.oauth.views import blueprint as oauth_blueprint
from sandbox.replies import add_intuit_tid, json_reply
from sandbox.state import SandboxState
from sandbox.views import blueprint, sandbox_state


def create_app(state: SandboxState | None = None) -> Flask:
    """Build the sandbox app around `state` (a new, empty one if None)."""
    app = Flask(__name__)
    app.extensions["qbo_sandbox"] = state if state is not None else SandboxState()
    app.register_blueprint(blueprint)
    app.register_blueprint(oauth_blueprint)
    app.register_error_handler(QboFault, _fault_reply)
    app.register_error_handler(HTTPException, _http_error_reply)
    app.register_error_handler(Exception, _unexpected_reply)
    app.after_request(add_intuit_tid)
    install_layers(app)
    return app


def _fault_reply(fault: QboFault) -> Response:
    return json_reply(fault.payload(sandbox_state().now()), fault.status)


def _http_error_reply(error: HTTPException) -> Response:
    # Unknown paths and methods still answer in QBO's fault shape, so clients parse them.
    status = error.code or 500
    detail = f"{status} {error.name}: {error.description}"
    fault = QboFault(status, QboError("500", "Unsupported Operation", detail))
    return _fault_reply(fault)


def _unexpected_reply(error: Exception) -> Response:
    # A sandbox bug: log it, and answer as QBO answers server trouble.
    current_app.logger.exception("unexpected error in the QBO sandbox", exc_info=error)
    return _fault_reply(system_fault())
