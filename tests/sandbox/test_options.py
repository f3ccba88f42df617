"""The sandbox's switches refuse values that would silently mean the default."""

from __future__ import annotations

import pytest

from sandbox.options import SandboxOptions


@pytest.mark.parametrize(
    "switch", ["deactivate_with_balance", "custom_txn_number", "inactive_suffix"]
)
@pytest.mark.parametrize("value", ["yes", 1, None])
def test_an_on_off_switch_takes_only_true_or_false(switch: str, value: object) -> None:
    with pytest.raises(ValueError, match=switch):
        SandboxOptions(**{switch: value})  # type: ignore[arg-type]


def test_the_on_off_switches_are_off_by_default() -> None:
    options = SandboxOptions()

    assert (
        options.deactivate_with_balance,
        options.custom_txn_number,
        options.inactive_suffix,
    ) == (
        False,
        False,
        False,
    )
