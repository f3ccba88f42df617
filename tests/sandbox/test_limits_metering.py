"""CorePlus metering: reads counted per realm and month, and the optional monthly quota."""

from __future__ import annotations

from datetime import datetime

import pytest

from sandbox.clock import COMPANY_ZONE
from sandbox.limits import Throttled
from tests.sandbox.limits_helpers import calls, frozen_state
from tests.sandbox.qbo_calls import REALM_ID

QUERY = "select * from Customer"
NEXT_MONTH = datetime(2026, 12, 1, 0, 0, tzinfo=COMPANY_ZONE)


def test_reads_are_metered_and_writes_are_not() -> None:
    state = frozen_state(throttling=False)
    qbo = calls(state)

    qbo.create_customer("Jane Doe")
    qbo.query(QUERY)
    qbo.get("customer/1")

    assert state.throttle.coreplus_used(REALM_ID) == 2


def test_without_a_quota_reads_are_never_refused() -> None:
    state = frozen_state(throttling=False)

    for _ in range(1000):
        state.throttle.admit(REALM_ID, "read").release()

    assert state.throttle.coreplus_used(REALM_ID) == 1000


def test_the_read_past_the_monthly_quota_gets_qbos_429() -> None:
    state = frozen_state(coreplus_quota=3)
    qbo = calls(state)

    statuses = [qbo.query(QUERY).status_code for _ in range(4)]
    write = qbo.post("customer", {"DisplayName": "Jane Doe"})

    assert statuses == [200, 200, 200, 429]
    assert write.status_code == 200


def test_a_refused_read_is_not_metered() -> None:
    state = frozen_state(coreplus_quota=2)
    for _ in range(2):
        state.throttle.admit(REALM_ID, "read").release()

    for _ in range(3):
        with pytest.raises(Throttled) as refused:
            state.throttle.admit(REALM_ID, "read")

    assert refused.value.limit == "coreplus_quota"
    assert state.throttle.coreplus_used(REALM_ID) == 2


def test_the_quota_lifts_when_the_companys_month_turns() -> None:
    state = frozen_state(coreplus_quota=1)
    state.throttle.admit(REALM_ID, "read").release()
    with pytest.raises(Throttled):
        state.throttle.admit(REALM_ID, "read")

    state.clock.set(NEXT_MONTH)

    state.throttle.admit(REALM_ID, "read").release()
    assert state.throttle.coreplus_used(REALM_ID) == 1


def test_each_realm_has_its_own_quota() -> None:
    state = frozen_state(coreplus_quota=1)
    state.throttle.admit(REALM_ID, "read").release()

    state.throttle.admit("another-realm", "read").release()


def test_batch_read_items_are_metered_one_by_one_against_the_quota() -> None:
    state = frozen_state(coreplus_quota=2)
    state.throttle.admit(REALM_ID, "batch", items=4).release()
    outcomes = []
    for kind in ("read", "write", "read", "read"):
        try:
            state.throttle.charge_item(REALM_ID, kind)  # type: ignore[arg-type]
            outcomes.append("ok")
        except Throttled:
            outcomes.append("429")

    counters = state.throttle.counters.of(REALM_ID)
    assert outcomes == ["ok", "ok", "ok", "429"]
    assert (counters["reads"], counters["writes"], counters["throttled"]) == (2, 1, 1)


def test_a_batch_request_itself_is_not_metered_as_a_read() -> None:
    state = frozen_state(coreplus_quota=0)

    state.throttle.admit(REALM_ID, "batch", items=3).release()

    assert state.throttle.coreplus_used(REALM_ID) == 0
