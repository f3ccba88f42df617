"""The shared counters' histograms: fixed buckets as stored, cumulative as Prometheus reads."""

from __future__ import annotations

from api.metrics_collector import histogram
from core.adapters.metrics_families import FAMILIES, JOB_DURATION, Family

WAIT = Family("qbsync_test_wait_seconds", "A test histogram.", ("realm",), (0.1, 0.5))


def test_a_value_falls_in_the_first_bucket_whose_bound_holds_it() -> None:
    assert [WAIT.bucket_of(v) for v in (0.0, 0.1, 0.10001, 0.5, 7)] == [
        "0.1", "0.1", "0.5", "0.5", "+Inf",
    ]  # fmt: skip
    assert FAMILIES[JOB_DURATION].bucket_tags[-2:] == ("100", "+Inf")


def test_stored_buckets_add_up_into_cumulative_ones() -> None:
    stored = {
        ("1", "0.1"): 1.0,
        ("1", "0.5"): 2.0,
        ("1", "+Inf"): 1.0,
        ("1", "0.3"): 4.0,  # a bound the family no longer has: counted in +Inf only
        ("1", "sum"): 3.25,
        ("2", "+Inf"): 1.0,
    }

    samples = {
        (s.name, s.labels.get("realm"), s.labels.get("le")): s.value
        for s in histogram(WAIT, stored).samples
    }

    name = "qbsync_test_wait_seconds"
    assert samples[(f"{name}_bucket", "1", "0.1")] == 1
    assert samples[(f"{name}_bucket", "1", "0.5")] == 3
    assert samples[(f"{name}_bucket", "1", "+Inf")] == 8
    assert samples[(f"{name}_count", "1", None)] == 8
    assert samples[(f"{name}_sum", "1", None)] == 3.25
    assert samples[(f"{name}_bucket", "2", "0.5")] == 0
    assert samples[(f"{name}_count", "2", None)] == 1
