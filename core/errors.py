"""The one exception tree of qbsync.

    QbsyncError
    ├── NotFoundError            a record of this firm does not exist (HTTP 404)
    ├── UnknownRecordsError      a request body named records the firm does not have (HTTP 422)
    ├── InvalidValueError        a value clashes with a record it names (HTTP 422, naming the field)
    ├── ConflictError            the request clashes with the record's state (HTTP 409)
    │   └── InvalidTransitionError   a status change SPEC §2 does not allow
    ├── NotConnectedError        the firm has no QBO connection (a permanent job failure)
    ├── ConfigurationError       the process is configured wrongly (a missing or bad key)
    ├── EventDeliveryError       the firm's own system did not take its status events
    └── QboError                 QBO, or the way to it, failed; classified once, in the QBO adapter
        ├── QboTransientError        timeouts, connection errors, 429, 5xx: a retry may help
        │   └── QboBatchBudgetError      the minute's batch requests are spent: single calls go
        ├── QboPayloadError          QBO's answer lacks a field qbsync needs, or is not JSON
        └── QboFaultError            QBO refused the request: a retry will not help
            └── QboAuthenticationError   401/403: the connection needs a reconnect
                └── QboOAuthError            the token endpoint refused: invalid_grant …

Every QboError carries what a bookkeeper or support needs: QBO's code, message and detail,
the `intuit_tid` of the answer, and whether a retry may help.
"""

from __future__ import annotations

from typing import Any


class QbsyncError(Exception):
    """The root of every error qbsync raises on purpose."""


class NotFoundError(QbsyncError):
    """A record does not exist, or belongs to another firm."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class UnknownRecordsError(QbsyncError):
    """A request named records the firm does not have (HTTP 422, listing them)."""

    def __init__(self, kind: str, field: str, keys: list[str]) -> None:
        super().__init__(f"No {kind} with these ids in this firm: {', '.join(keys)}")
        self.field = field
        self.keys = keys


class InvalidValueError(QbsyncError):
    """A well-formed value that the records it refers to rule out (HTTP 422, naming the field).

    Shape errors are the API schemas' to find; this is for what only the store knows, such as
    a payment larger than its invoice.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ConflictError(QbsyncError):
    """The request cannot be carried out in the record's current state."""


class InvalidTransitionError(ConflictError):
    """A status change that SPEC §2 does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"cannot move from {current} to {target}")
        self.current = current
        self.target = target


class NotConnectedError(QbsyncError):
    """The firm has no QuickBooks Online connection to sync through."""

    def __init__(self, reason: str | None = None) -> None:
        message = "QuickBooks is not connected"
        super().__init__(f"{message}: {reason}" if reason else f"{message}; connect it first.")
        self.reason = reason


class ConfigurationError(QbsyncError):
    """The process's configuration is missing or wrong; the message says what to set."""


class EventDeliveryError(QbsyncError):
    """A POST of status events was not answered 2xx: a non-2xx status, a timeout, no connection.

    Always worth retrying: the events wait until the firm's receiver takes them.
    """

    def __init__(
        self, message: str, *, http_status: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.detail = detail  # the start of the receiver's answer, if it gave one

    def as_record(self) -> dict[str, Any]:
        """The error as the subscription keeps and shows it."""
        return {"message": self.message, "http_status": self.http_status, "detail": self.detail}


class QboError(QbsyncError):
    """A QBO request failed; see the subclasses for whether to retry."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        detail: str | None = None,
        http_status: int | None = None,
        intuit_tid: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail
        self.http_status = http_status
        self.intuit_tid = intuit_tid

    def as_record(self) -> dict[str, Any]:
        """The error as stored on a record and shown to a bookkeeper."""
        return {
            "message": self.message,
            "code": self.code,
            "detail": self.detail,
            "retryable": self.retryable,
            "intuit_tid": self.intuit_tid,
        }


class QboTransientError(QboError):
    """A failure that may pass: timeout, connection error, throttling or a QBO server error."""

    retryable = True


class QboPacedError(QboTransientError):
    """QBO's limits held the request back, or QBO throttled it unserved (429): nothing failed,
    so the job waits its turn without spending one of its attempts. (Counted, a busy
    company's pushes waited at the gate or met a 429 eight times and ended Failed with
    nothing a bookkeeper could do: found by qbsync bench chaos in its fault-free run.)

    `retry_after_s`: when our gate knows it, how long until the company's window has room.
    """

    def __init__(self, message: str, *, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class QboBatchBudgetError(QboPacedError):
    """No batch request may go to this company now (QBO allows 40 a minute)."""


class QboFaultError(QboError):
    """QBO refused the request (validation or business rule): retrying will not help."""


class QboPayloadError(QboError):
    """QBO answered in a shape qbsync cannot read: a field it needs is missing or mistyped."""


class QboAuthenticationError(QboFaultError):
    """QBO refused the credentials; the firm has to reconnect."""


class QboOAuthError(QboAuthenticationError):
    """Intuit's token endpoint refused; `code` is the OAuth `error` (`invalid_grant` …)."""
