"""QBO's rate limits, CorePlus metering and request counters, as the sandbox enforces them.

The facts are shared/qbo/README.md "Limits" and "Faults"; where they are silent, the sandbox
decides as follows (each limit has its switch in `SandboxOptions`, see `LimitSwitches`):
- Windows slide: a call is refused when the calls admitted in the last 60 s (or 1 s) already
  reach the limit, and the window reopens 60 s (1 s) after the oldest of them. A sliding
  window is the strictest reading, so a client that paces under it passes a fixed window too.
- Refused calls are not recorded in any window, nor metered: only admitted calls count.
- Limits per realm and app key the app on the bearer token's app (`Throttle.register_app`,
  set by `POST /_sandbox/realms`); a token nobody registered belongs to the app "default".
- 500/min is per realm, all apps together; 10/s, 10 in flight and 40 batches/min are per realm
  and app; 120 batches/min per realm. A batch request counts 1 towards the 500/min (switch
  `batch_throttle="items"` counts its items) and 1 towards 10/s and 10 in flight.
- A call is in flight from admission until its answer is ready, latency and injected faults
  included, so a slow sandbox shows a client that sends more than 10 at a time.
- Only calls with a valid token are throttled or counted: the gateway authenticates first.
- Over a limit: HTTP 429 with the XML body of samples/fault_throttled.xml (switch
  `throttle_body="json"` for the JSON sample), never a Retry-After header.
- `throttling=False` turns every rate limit off; calls are still counted and metered.
- CorePlus metering: reads (GET read, query, CDC, reports, POSTed queries) are metered per realm
  and calendar month (company time, sandbox clock); writes are not. With `coreplus_quota=N`,
  the N+1st read of a month gets the same 429 (its body is unconfirmed) until the month ends.
  Batch read items are metered one by one when the batch view calls `Throttle.charge_item`,
  so an item over the quota gets a 429 fault of its own (`replies.throttled_fault`).
- Requests over 120 s (`request_timeout`): the sandbox never holds a call longer. Latency is
  capped there, and a call whose latency would reach it (or an injected timeout) waits that long
  and answers what QBO's gateway answers, 504 with XML fault 6002 "GatewayTimeout" (captured in
  node-quickbooks #242), without running the call: nothing is written.

Modules: `switches` (the switches), `window` (sliding windows), `metering` (CorePlus months),
`counters` (per-realm counts), `throttle` (`Throttle.admit`, usable by any view), `calls`
(which realm and kind a request is), `replies` (429 and 504 bodies), `middleware` (the WSGI
layer in front of the app).
"""

from sandbox.limits.throttle import DEFAULT_APP, Admission, Throttle, Throttled

__all__ = ["DEFAULT_APP", "Admission", "Throttle", "Throttled"]
