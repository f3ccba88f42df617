"""Controls of the sandbox itself, kept apart from QBO's surface: fault injection and /_sandbox.

Every /_sandbox endpoint takes and answers JSON, needs no token (the sandbox binds 127.0.0.1 by
default; do not expose it), and refuses a bad request with {"error": "…"} (400; 404 for an
unknown realm; 409 for a realm that exists). The switches are `SandboxOptions`' fields.

    GET    /_sandbox/options                 every switch and its value
    PATCH  /_sandbox/options {switch: value}  change those switches (POST works too); checked as
                                             the constructor checks them, nothing else changes
    PUT    /_sandbox/latency {"ms", "jitter_ms"}   latency: ms plus a uniform 0..jitter_ms
    PUT    /_sandbox/faults {"5xx", "429", "timeout", "drop_before", "drop_after"}
                                             fault rates (shares of calls; kinds left out: 0)
    PUT    /_sandbox/throttling {"on": bool}  every rate limit on or off
    GET    /_sandbox/clock                   {"now": …} the sandbox's time
    POST   /_sandbox/clock {"advance": s} | {"set": "2026-12-01T00:00:00-08:00"}
    GET    /_sandbox/realms                  {"realms": [ids]}
    POST   /_sandbox/realms {"realm_id", "company_name", "seed", "access_token", "app"}
                                             201 {"realm_id", "access_token", "app", "api_base"};
                                             all optional: random id and token, seed "empty"
                                             ("demo", "demo-no-individual"), app "default"
    POST   /_sandbox/realms/<id>/tokens {"access_token", "app"}   another token, for an app
    GET    /_sandbox/counters                {"realms": {id: counters}}
    DELETE /_sandbox/counters                zero every realm's counters
    GET    /_sandbox/realms/<id>/counters    one realm's counters and "coreplus_this_month"
    DELETE /_sandbox/realms/<id>/counters    zero them
    POST   /_sandbox/realms/<id>/customers/<cid>/deactivate   as a QBO UI user: Active:false
                                             even with a balance, SyncToken +1, no API token
    POST   /_sandbox/merge {"realm_id", "from", "into"}   merges customers as a QBO UI user:
                                             transactions move, `from` reads 610 afterwards
    PUT    /_sandbox/webhooks {"targets", "verifier_token", "format", "schedule_scale"}
                                             notify later changes, signed (webhook_views)
    GET    /_sandbox/webhooks                the configuration and the delivery attempts
    DELETE /_sandbox/webhooks                stop notifying
    POST   /_sandbox/snapshot {"path"}       write the whole state to a JSON file
    POST   /_sandbox/snapshot/load {"path"}  replace the whole state with that file's

Decisions where the facts are silent:
- Fault injection (`chaos`) applies to Accounting API calls (/v3/company/…) only, never to
  OAuth or /_sandbox, and sits inside the throttle: injected faults are admitted calls, and
  their latency holds an in-flight slot. One draw per call picks at most one fault.
- A dropped connection is closed with no answer at all (`dropping`): the client sees the server
  disconnect (httpx: RemoteProtocolError). "After the write" means the call ran and stored its
  change first, as when QBO commits and the answer is lost on the way back.
- An injected timeout hangs `request_timeout` (QBO's 120 s) and then answers the gateway's 504:
  a client with a shorter timeout gives up first, as it would against QBO.
- Deactivation as a UI user is the API's sparse update without the token: whatever the API's
  rules refuse (e.g. an unknown customer, 610) it refuses too.
- The clock is `SandboxState.clock` (advance, set); snapshots leave it, the throttle's windows
  and the calls in flight out (`snapshot`).
- Runtime switch changes replace `SandboxState.options` as a whole, so a call sees either the
  old switches or the new ones, never half of each.
"""
