"""Controls of the sandbox itself, kept apart from QBO's surface: fault injection.

Decisions where the facts are silent:
- Fault injection (`chaos`) applies to Accounting API calls (/v3/company/…) only, never to
  OAuth, and sits inside the throttle: injected faults are admitted calls, and
  their latency holds an in-flight slot. One draw per call picks at most one fault.
- A dropped connection is closed with no answer at all (`dropping`): the client sees the server
  disconnect (httpx: RemoteProtocolError). "After the write" means the call ran and stored its
  change first, as when QBO commits and the answer is lost on the way back.
- An injected timeout hangs `request_timeout` (QBO's 120 s) and then answers the gateway's 504:
  a client with a shorter timeout gives up first, as it would against QBO.
"""
