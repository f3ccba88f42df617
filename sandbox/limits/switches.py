"""The switches of QBO's rate limits, CorePlus metering and request timeout."""

from dataclasses import dataclass

BATCH_THROTTLES = ("request", "items")
THROTTLE_BODIES = ("xml", "json")
# The numbers of shared/qbo/README.md "Limits" (developer.intuit.com learn/limits-and-throttles).
REQUESTS_PER_MINUTE = 500
REQUESTS_PER_SECOND = 10
MAX_CONCURRENT = 10
BATCHES_PER_MINUTE_APP = 40
BATCHES_PER_MINUTE_REALM = 120
REQUEST_TIMEOUT_SECONDS = 120.0


@dataclass(kw_only=True)
class LimitSwitches:
    """QBO's limits, each on at its documented number; None turns that one limit off.

    throttling: False turns every rate limit off at once (the CorePlus quota stays as set).
    per_minute: requests a minute per realm, all apps together (500).
    per_second: requests a second per realm and app (10).
    max_concurrent: requests in flight at once per realm and app (10; the 2016 blog's limit).
    batches_per_minute_app: batch requests a minute per realm and app (40).
    batches_per_minute_realm: batch requests a minute per realm, all apps together (120).
    batch_throttle: what a batch counts towards `per_minute`: 1 ("request", the default) or its
        number of items ("items"); the evidence does not say which.
    throttle_body: the body of a 429: QBO's XML ("xml", every capture) or the JSON sample ("json").
    coreplus_quota: CorePlus (read) calls a realm may make in a calendar month before it gets 429
        until the next month; None (the default) meters without a quota.
    request_timeout: seconds after which QBO's gateway gives up on a request (120): latency is
        capped there, and a request that would take longer answers 504 without running.
    """

    throttling: bool = True
    per_minute: int | None = REQUESTS_PER_MINUTE
    per_second: int | None = REQUESTS_PER_SECOND
    max_concurrent: int | None = MAX_CONCURRENT
    batches_per_minute_app: int | None = BATCHES_PER_MINUTE_APP
    batches_per_minute_realm: int | None = BATCHES_PER_MINUTE_REALM
    batch_throttle: str = "request"
    throttle_body: str = "xml"
    coreplus_quota: int | None = None
    request_timeout: float = REQUEST_TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        # Refuse typos and nonsense rather than quietly running without a limit.
        if self.batch_throttle not in BATCH_THROTTLES:
            raise ValueError(
                f"batch_throttle must be one of {BATCH_THROTTLES}, not {self.batch_throttle!r}"
            )
        if self.throttle_body not in THROTTLE_BODIES:
            raise ValueError(
                f"throttle_body must be one of {THROTTLE_BODIES}, not {self.throttle_body!r}"
            )
        for name in (
            "per_minute",
            "per_second",
            "max_concurrent",
            "batches_per_minute_app",
            "batches_per_minute_realm",
        ):
            _check_count(name, getattr(self, name), minimum=1)
        _check_count("coreplus_quota", self.coreplus_quota, minimum=0)
        if not self.request_timeout > 0:
            raise ValueError(f"request_timeout must be > 0, not {self.request_timeout!r}")


def _check_count(name: str, value: int | None, minimum: int) -> None:
    """Refuse a limit that is not None or a whole number of at least `minimum`."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be None or an integer >= {minimum}, not {value!r}")
