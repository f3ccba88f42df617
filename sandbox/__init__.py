"""The bundled QuickBooks Online sandbox: a Flask app that speaks QBO's Accounting API v3.

It imports nothing from `core`, `api` or `worker`; only the standard library, Flask,
Werkzeug and waitress (the faster server option). Start it with `python -m sandbox`, in tests
with `SandboxServer`, or mount the app from `create_app`. The QBO facts it follows live in
`shared/qbo/README.md`.

Where the facts leave a choice open, the sandbox decides as follows:
- Case of name uniqueness and of text matches in queries: insensitive (switch `name_case`).
- A 401 has the gateway's lower-case JSON body (switch `auth_fault="xml"` for the XML one).
- A requestid is kept for the sandbox's lifetime; a repeat replays the first answer, fault or
  not, even with another body.
- Forbidden characters (colon, tab, newline) in names give 6000, naming the field.
- `CustomerTypeRef` is writable; an unknown Id gives 2500.
- A deactivated customer keeps its DisplayName.
- MetaData times are in US Pacific time, as QBO's sandbox companies answer.
- QBO's limits are on by default, each with its switch, over sliding windows; over one, 429
  with QBO's XML body and no Retry-After; reads are metered apart from writes (CorePlus), with
  an optional monthly quota. Decisions in `sandbox.limits`.
- Requests never run past 120 s (`request_timeout`): past it the gateway's 504 XML, unwritten.
- Latency and fault injection (SystemFault, 429, timeout, connection dropped before or after
  the write) and every control of the sandbox itself live apart from QBO's surface, under
  /_sandbox and as `python -m sandbox` flags. Endpoints and decisions in `sandbox.control`.
- Answers are JSON whatever the Accept header; `minorversion` is ignored (all is 75).
- A query on an entity the sandbox does not serve gives 4001; a path to one gives 500
  "Unsupported Operation".
- OAuth 2.0 (authorize, token, revoke, userinfo, discovery) runs on the same host at Intuit's
  paths; its decisions (consent, codes, rolling refresh, the five-year cap, revoke, ID tokens)
  are listed in `sandbox.oauth`. Switches `consent`, `consent_realm_id`, `old_refresh_grace`.
- Time is `SandboxState.clock`: tests and controls move it with `advance` and `set`.
"""
