"""The switches of fault injection: latency and how often each kind of fault is injected."""

from dataclasses import dataclass

FAULT_RATES = ("fail_5xx", "fail_429", "fail_timeout", "drop_before", "drop_after")
FAULT_STATUSES = (500, 503)


@dataclass(kw_only=True)
class ChaosSwitches:
    """Latency and injected faults on Accounting API calls; all off by default.

    latency_ms / jitter_ms: every call waits latency_ms plus a uniform 0..jitter_ms before QBO
        handles it (capped at `request_timeout`, past which it answers the gateway's 504).
    fail_5xx: the share of calls answered with QBO's SystemFault 10000 (status `fault_status`).
    fail_429: the share answered with the throttle's 429, whatever the limits say.
    fail_timeout: the share that hang for `request_timeout` seconds, then answer 504 unwritten.
    drop_before: the share whose connection is closed without an answer, before any write.
    drop_after: the share whose write is done, then the connection closed without an answer.
    fault_status: the HTTP status of an injected SystemFault: 500 or 503 (QBO sends both).
    fault_seed: seeds the draws, so a run injects the same faults again; None: unseeded.
    The rates are shares between 0 and 1 whose sum is at most 1: one draw picks one fault.
    """

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fail_5xx: float = 0.0
    fail_429: float = 0.0
    fail_timeout: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    fault_status: int = 500
    fault_seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("latency_ms", "jitter_ms"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, not {value!r}")
        for name in FAULT_RATES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1, not {value!r}")
        if sum(getattr(self, name) for name in FAULT_RATES) > 1:
            raise ValueError(f"the fault rates ({', '.join(FAULT_RATES)}) add up to more than 1")
        if self.fault_status not in FAULT_STATUSES:
            raise ValueError(
                f"fault_status must be one of {FAULT_STATUSES}, not {self.fault_status!r}"
            )
        if self.fault_seed is not None and (
            isinstance(self.fault_seed, bool) or not isinstance(self.fault_seed, int)
        ):
            raise ValueError(f"fault_seed must be None or an integer, not {self.fault_seed!r}")
