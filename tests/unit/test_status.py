import pytest

from core.domain.status import SyncStatus, can_transition, check_transition
from core.errors import InvalidTransitionError

S = SyncStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NOT_SYNCED, S.SYNCING),
        (S.SYNCING, S.SYNCED),
        (S.SYNCING, S.FAILED),
        (S.FAILED, S.SYNCING),
        (S.SYNCED, S.SYNCING),
        (S.SYNCED, S.SKIPPED),
        (S.SKIPPED, S.SYNCING),
        (S.SYNCED, S.NOT_SYNCED),
        (S.SKIPPED, S.NOT_SYNCED),  # an invoice turned off with its account comes back
    ],
)
def test_the_transitions_spec_section_2_needs_are_allowed(current: S, target: S) -> None:
    assert can_transition(current, target)
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.NOT_SYNCED, S.SYNCED),  # only a job links an account
        (S.NOT_SYNCED, S.FAILED),
        (S.SKIPPED, S.SYNCED),  # a skipped account is synced again only through a job
        (S.SKIPPED, S.FAILED),  # a skipped account raises no errors
        (S.FAILED, S.SYNCED),
    ],
)
def test_a_status_cannot_skip_the_job_that_earns_it(current: S, target: S) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransitionError) as raised:
        check_transition(current, target)
    assert raised.value.current == current.value
    assert raised.value.target == target.value


def test_no_status_moves_to_itself() -> None:
    assert not any(can_transition(status, status) for status in SyncStatus)


def test_api_values_are_the_ones_the_spec_names() -> None:
    assert {s.value for s in SyncStatus} == {
        "synced",
        "not_synced",
        "skipped",
        "failed",
        "syncing",
    }
