import random
from datetime import timedelta

from core.domain.jobs import BACKOFF_CAP, new_job_id, request_id, retry_delay


def test_backoff_doubles_within_a_quarter_of_jitter() -> None:
    rng = random.Random(7)
    for attempts, base in [(1, 2), (2, 4), (3, 8), (4, 16)]:
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
