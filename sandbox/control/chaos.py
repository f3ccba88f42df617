"""Fault injection on Accounting API calls: latency, SystemFaults, 429s, timeouts, drops.

Each /v3 call draws once against the rates of `ChaosSwitches`, so at most one fault hits it,
then waits its latency. It sits inside the limits layer, so an admitted call holds its
in-flight slot while it waits, as a slow QBO would. Kinds, in the order of the draw:
- fail_5xx: QBO's SystemFault 10000 (samples/fault_system.json) with status `fault_status`.
- fail_429: the throttle's 429 (XML or JSON as `throttle_body` says).
- fail_timeout: hangs `request_timeout` seconds, longer than any client that sets a timeout
  under QBO's 120 s waits, then answers the gateway's 504; nothing is written.
- drop_before: the connection is closed without an answer before the call runs.
- drop_after: the call runs (a write is stored), then the connection is closed without an answer.
Waits end early when the server stops (`wake`), so stopping never waits for a hanging call.
"""

import random
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sandbox.control.dropping import drop_connection
from sandbox.control.switches import FAULT_RATES
from sandbox.faults import system_fault
from sandbox.limits.calls import api_call
from sandbox.limits.replies import gateway_timeout_reply, throttled_reply
from sandbox.replies import add_intuit_tid, json_reply

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from sandbox.options import SandboxOptions
    from sandbox.state import SandboxState


class ChaosMiddleware:
    """The WSGI layer that delays calls and injects faults as the switches say."""

    def __init__(
        self,
        app: "WSGIApplication",
        state: "SandboxState",
        wait: Callable[[float], object] | None = None,
    ) -> None:
        self.app = app
        self.state = state
        self._stopping = threading.Event()
        self._wait = wait if wait is not None else self._stopping.wait
        self._lock = threading.Lock()
        self._seed: int | None = None
        self._random = random.Random()

    def wake(self) -> None:
        """End every wait now and from now on (the server is stopping)."""
        self._stopping.set()

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        call = api_call(environ)
        if call is None:
            return self.app(environ, start_response)
        options, counters = self.state.options, self.state.throttle.counters
        fault, delay = self._draw(options)
        if fault == "fail_timeout" or delay >= options.request_timeout:
            counters.add(call.realm_id, "timeouts")
            self._wait(options.request_timeout)
            return add_intuit_tid(gateway_timeout_reply(self.state.now()))(environ, start_response)
        if delay > 0:
            self._wait(delay)
        if fault in ("drop_before", "drop_after"):
            counters.add(call.realm_id, "dropped")
        if fault == "drop_before":
            drop_connection(environ, body_unread=True)
        if fault == "fail_5xx":
            counters.add(call.realm_id, "injected_5xx")
            body = system_fault().payload(self.state.now())
            reply = json_reply(body, options.fault_status)
            return add_intuit_tid(reply)(environ, start_response)
        if fault == "fail_429":
            counters.add(call.realm_id, "throttled")
            reply = throttled_reply(options.throttle_body, self.state.now())
            return add_intuit_tid(reply)(environ, start_response)
        answer = self.app(environ, start_response)
        if fault == "drop_after":
            _close(answer)
            drop_connection(environ, body_unread=False)
        return answer

    def _draw(self, options: "SandboxOptions") -> tuple[str | None, float]:
        """Pick at most one fault by the rates, and this call's latency in seconds."""
        with self._lock:
            if options.fault_seed != self._seed:
                self._seed = options.fault_seed
                self._random = random.Random(options.fault_seed)
            point = self._random.random()
            jitter = self._random.uniform(0, options.jitter_ms) if options.jitter_ms else 0.0
        fault = None
        for name in FAULT_RATES:
            rate: float = getattr(options, name)
            if point < rate:
                fault = name
                break
            point -= rate
        return fault, (options.latency_ms + jitter) / 1000


def _close(answer: Iterable[bytes]) -> None:
    """Close a WSGI answer that will not be sent, as a server must."""
    close = getattr(answer, "close", None)
    if callable(close):
        close()
