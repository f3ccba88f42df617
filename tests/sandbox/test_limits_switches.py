"""The switches of limits and fault injection: on by default, and refused when nonsensical."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.options import SandboxOptions


def test_every_limit_is_on_at_qbos_number_by_default() -> None:
    options = SandboxOptions()

    assert options.throttling is True
    assert (options.per_minute, options.per_second, options.max_concurrent) == (500, 10, 10)
    assert (options.batches_per_minute_app, options.batches_per_minute_realm) == (40, 120)
    assert (options.batch_throttle, options.throttle_body) == ("request", "xml")
    assert (options.coreplus_quota, options.request_timeout) == (None, 120.0)


def test_fault_injection_is_off_by_default() -> None:
    options = SandboxOptions()

    rates = (options.fail_5xx, options.fail_429, options.fail_timeout)
    drops = (options.drop_before, options.drop_after)
    assert rates + drops + (options.latency_ms, options.jitter_ms) == (0,) * 7


def test_the_existing_switches_still_take_their_place_as_arguments() -> None:
    options = SandboxOptions("sensitive", "xml", max_concurrent=3)

    assert (options.name_case, options.auth_fault, options.max_concurrent) == (
        "sensitive",
        "xml",
        3,
    )


@pytest.mark.parametrize(
    ("switches", "named"),
    [
        ({"batch_throttle": "item"}, "batch_throttle"),
        ({"throttle_body": "html"}, "throttle_body"),
        ({"per_minute": 0}, "per_minute"),
        ({"max_concurrent": -1}, "max_concurrent"),
        ({"per_second": True}, "per_second"),
        ({"batches_per_minute_app": 2.5}, "batches_per_minute_app"),
        ({"coreplus_quota": -1}, "coreplus_quota"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"latency_ms": -5}, "latency_ms"),
        ({"fail_5xx": 1.5}, "fail_5xx"),
        ({"drop_after": -0.1}, "drop_after"),
        ({"fail_5xx": 0.6, "fail_429": 0.6}, "add up"),
        ({"fault_status": 502}, "fault_status"),
        ({"fault_seed": "x"}, "fault_seed"),
    ],
)
def test_a_nonsensical_switch_value_is_refused(switches: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        SandboxOptions(**switches)


def test_a_quota_of_zero_is_allowed_and_means_no_reads() -> None:
    assert SandboxOptions(coreplus_quota=0).coreplus_quota == 0
