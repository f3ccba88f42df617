import random
from datetime import timedelta

from core.domain.jobs import (
    BACKOFF_CAP,
    PACED_RETRY_MIN,
    new_job_id,
    paced_delay,
    request_id,
    retry_delay,
)


def test_backoff_doubles_within_a_quarter_of_jitter() -> None:
    rng = random.Random(7)
    for attempts, base in [(1, 1), (2, 2), (3, 4), (4, 8)]:
        delay = retry_delay(attempts, rng)
        assert timedelta(seconds=base * 0.75) <= delay <= timedelta(seconds=base * 1.25)


def test_backoff_never_exceeds_its_cap_plus_jitter() -> None:
    assert retry_delay(40, random.Random(1)) <= BACKOFF_CAP * 1.25


def test_a_step_keeps_its_request_id_across_retries_and_fits_qbo_limit() -> None:
    job_id = new_job_id()
    first = request_id(job_id, "create-customer")
    assert first == request_id(job_id, "create-customer")
    assert first != request_id(new_job_id(), "create-customer")
    assert len(first) <= 50


def test_a_paced_job_waits_for_the_window_the_gate_named_within_bounds() -> None:
    rng = random.Random(3)
    waits = [paced_delay(4.0, rng) for _ in range(200)]
    assert all(w is not None and timedelta(seconds=4) <= w <= timedelta(seconds=5) for w in waits)
    assert len(set(waits)) > 100  # spread, so a batch's members do not return together
    assert paced_delay(0.0, rng) == PACED_RETRY_MIN
    assert paced_delay(600.0, rng) == BACKOFF_CAP
    assert paced_delay(None, rng) is None  # no one said when: the usual backoff
