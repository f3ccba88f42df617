"""The WSGI layer that admits every authenticated Accounting API call through the throttle."""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sandbox.limits.calls import api_call, batch_items
from sandbox.limits.replies import throttled_reply
from sandbox.limits.throttle import Throttled
from sandbox.replies import add_intuit_tid

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from sandbox.state import SandboxState


class LimitsMiddleware:
    """Admit each /v3 call with a valid token, or answer QBO's 429 without calling the app.

    A call without a valid token passes untouched: the gateway authenticates before it
    throttles, so a 401 is neither counted nor throttled. The call holds its in-flight slot
    until the app below has answered (latency and injected faults included).
    """

    def __init__(self, app: "WSGIApplication", state: "SandboxState") -> None:
        self.app = app
        self.state = state

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        call = api_call(environ)
        if (
            call is None
            or call.token is None
            or not self.state.token_is_valid(call.realm_id, call.token)
        ):
            return self.app(environ, start_response)
        throttle = self.state.throttle
        items = batch_items(environ) if call.kind == "batch" else 0
        try:
            admission = throttle.admit(call.realm_id, call.kind, throttle.app_of(call.token), items)
        except Throttled:
            reply = throttled_reply(self.state.options.throttle_body, self.state.now())
            return add_intuit_tid(reply)(environ, start_response)
        with admission:
            return self.app(environ, start_response)
