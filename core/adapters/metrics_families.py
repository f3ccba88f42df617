"""The shared counters' families: what the web, worker and scheduler processes count, and
what the API's /metrics shows of them (api.metrics adds the gauges it reads from SQL).

A histogram has fixed buckets, so that any process can add to the one shared copy: an
observation adds 1 to the bucket it falls in and its value to the sum; /metrics adds the
buckets up into Prometheus' cumulative `le` counts. Label values must stay few: methods,
route templates, job kinds and outcomes, QBO realms, operations and fault codes.
"""

from __future__ import annotations

from dataclasses import dataclass

INF = "+Inf"


@dataclass(frozen=True)
class Family:
    """A counter, or a histogram when it has buckets (ascending upper bounds, in seconds)."""

    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()

    @property
    def is_histogram(self) -> bool:
        return bool(self.buckets)

    @property
    def bucket_tags(self) -> tuple[str, ...]:
        """Each bucket's name as stored, the last one "+Inf"."""
        return (*(f"{bound:g}" for bound in self.buckets), INF)

    def bucket_of(self, value: float) -> str:
        """The name of the first bucket that holds `value`."""
        for bound, tag in zip(self.buckets, self.bucket_tags, strict=False):
            if value <= bound:
                return tag
        return INF


HTTP_REQUESTS = "qbsync_http_requests_total"
HTTP_DURATION = "qbsync_http_request_duration_seconds"
JOBS = "qbsync_jobs_total"
JOB_RETRIES = "qbsync_job_retries_total"
JOB_DURATION = "qbsync_job_duration_seconds"
QBO_REQUESTS = "qbsync_qbo_requests_total"
QBO_FAULTS = "qbsync_qbo_faults_total"
GATE_WAIT = "qbsync_qbo_gate_wait_seconds"

_FAMILIES = (
    Family(
        HTTP_REQUESTS,
        "API requests answered, by method, route template and status.",
        ("method", "route", "status"),
    ),
    Family(
        HTTP_DURATION,
        "Time the API took to answer a request, by method and route template.",
        ("method", "route"),
        (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    ),
    Family(
        JOBS,
        "Job runs (one per message a worker took), by kind and outcome: what the service "
        "answered (synced, failed, retry_later, not_claimed ...), or error, interrupted or "
        "time_limit when the run raised.",
        ("kind", "outcome"),
    ),
    Family(
        JOB_RETRIES,
        "Job runs that left their job to run again, by kind and reason: transient (a QBO or "
        "delivery fault; the retry waits in SQL) or exception, interrupted, time_limit.",
        ("kind", "reason"),
    ),
    Family(
        JOB_DURATION,
        "Time a worker spent on a job run, by kind.",
        ("kind",),
        (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 100),
    ),
    Family(
        QBO_REQUESTS,
        "Requests sent to QBO's Accounting API, by company (realm) and operation: query, "
        "read, write, batch or cdc.",
        ("realm", "operation"),
    ),
    Family(
        QBO_FAULTS,
        "Faults QBO answered (or no answer), by company, QBO's fault code and kind: "
        "throttled, transient, authentication or fault (permanent). Code is QBO's (6240, "
        "10000 ...), http_<status> without one, or timeout and connection when none came; "
        "a batch item's own fault counts too.",
        ("realm", "code", "kind"),
    ),
    Family(
        GATE_WAIT,
        "Time a QBO request waited at its company's gate for room in QBO's limits, by "
        "company and channel (single or batch).",
        ("realm", "channel"),
        (0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30),
    ),
)

FAMILIES: dict[str, Family] = {family.name: family for family in _FAMILIES}
