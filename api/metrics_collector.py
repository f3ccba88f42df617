"""What /metrics shows, built at each scrape: the shared counters of every process (Redis, or
this process's memory under `qbsync dev`) and gauges read from SQL.

Gauges: `qbsync_records{type, status}` (accounts, invoices and payments per status),
`qbsync_queue_depth{kind, state}` (active jobs in SQL: due, scheduled, running, orphaned),
`qbsync_queue_oldest_due_seconds`, and `qbsync_scrape_source_up{source}`: 0 when the shared
counters or the database could not be read, whose families are then left out of the scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import sqlalchemy as sa
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from core.adapters.metrics import Readings
from core.adapters.metrics_families import FAMILIES, INF, Family
from core.adapters.metrics_sql import QUEUE_STATES, RECORD_TYPES, queued_jobs, record_counts
from core.bootstrap import Services
from core.domain.jobs import JobKind
from core.domain.status import SyncStatus

log = logging.getLogger(__name__)


class QbsyncCollector(Collector):
    """Reads the shared counters and SQL when Prometheus scrapes."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "qbsync_scrape_source_up",
            "1 when /metrics could read the source (shared counters, database), else 0.",
            labels=["source"],
        )
        readings = self._services.metrics.read()
        up.add_metric(["shared_counters"], 0 if readings is None else 1)
        if readings is not None:
            yield from shared_families(readings)
        gauges = self._sql_gauges()
        up.add_metric(["database"], 0 if gauges is None else 1)
        yield from gauges or []
        yield up

    def _sql_gauges(self) -> list[Metric] | None:
        now = self._services.clock()
        try:
            with self._services.engine.connect() as connection:
                records, queue = record_counts(connection), queued_jobs(connection, now)
        except sa.exc.SQLAlchemyError as exc:  # the database is away: /metrics says so
            log.warning("reading the gauges of /metrics from the database failed: %r", exc)
            return None
        counted = GaugeMetricFamily(
            "qbsync_records",
            "Accounts, invoices and payments (not deleted) per sync status.",
            labels=["type", "status"],
        )
        for record_type in RECORD_TYPES:
            for status in SyncStatus:
                counted.add_metric(
                    [record_type, status.value], records.get((record_type, status.value), 0)
                )
        depth = GaugeMetricFamily(
            "qbsync_queue_depth",
            "Queued and running jobs in SQL by kind and state: due (waiting for a worker), "
            "scheduled (waiting for its retry time), running, orphaned (its worker died).",
            labels=["kind", "state"],
        )
        by_key = {(q.kind, q.state): q.count for q in queue}
        for kind in JobKind:
            for state in QUEUE_STATES:
                depth.add_metric([kind.value, state], by_key.get((kind.value, state), 0))
        due = [q.oldest for q in queue if q.state == "due" and q.oldest is not None]
        waited = max(((now - oldest).total_seconds() for oldest in due), default=0.0)
        oldest = GaugeMetricFamily(
            "qbsync_queue_oldest_due_seconds",
            "How long the job that has been due the longest has waited for a worker.",
            value=max(waited, 0.0),
        )
        return [counted, depth, oldest]


def shared_families(readings: Readings) -> Iterator[Metric]:
    """Every shared family, with the samples the store holds of it."""
    for family in FAMILIES.values():
        values = readings.get(family.name, {})
        yield histogram(family, values) if family.is_histogram else counter(family, values)


def counter(family: Family, values: Mapping[tuple[str, ...], float]) -> Metric:
    metric = CounterMetricFamily(family.name, family.help, labels=family.labels)
    for labels, value in sorted(values.items()):
        metric.add_metric(labels, value)
    return metric


def histogram(family: Family, values: Mapping[tuple[str, ...], float]) -> Metric:
    """Stored per-bucket counts added up into Prometheus' cumulative buckets."""
    grouped: dict[tuple[str, ...], dict[str, float]] = {}
    for (*label_values, tag), value in values.items():
        grouped.setdefault(tuple(label_values), {})[tag] = value
    metric = HistogramMetricFamily(family.name, family.help, labels=family.labels)
    for labels, counts in sorted(grouped.items()):
        total = counts.pop("sum", 0.0)
        cumulative, buckets = 0.0, []
        for tag in family.bucket_tags:
            cumulative += counts.pop(tag, 0.0)
            buckets.append((tag if tag == INF else str(float(tag)), cumulative))
        # Buckets no longer in the family (their bounds changed) count in +Inf only.
        buckets[-1] = (INF, cumulative + sum(counts.values()))
        metric.add_metric(list(labels), buckets, total)
    return metric
