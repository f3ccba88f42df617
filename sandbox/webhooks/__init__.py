"""Webhooks: QBO's change notifications, signed and delivered to the app's endpoint.

Decisions where the facts (shared/qbo/README.md, Webhooks) leave a choice open:
- The default body is CloudEvents (switch `webhook_format="legacy"` for the old form).
- A merge event carries `data: {"deletedId": …}` (the spelling of a captured delivery).
- One POST carries at most 100 events, of any realm, in the order they happened.
- The receiver has 3 s to answer 2xx; anything else is a failure and the same POST is sent
  again after 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every 6 h. Until it is
  acknowledged, later events wait behind it (Intuit's queue is ordered). `schedule_scale`
  compresses the schedule for tests (0.001 makes 10 s into 10 ms).
"""
