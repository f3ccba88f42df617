"""The per-realm customer lists the API keeps for a short while (core.services.customers)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from core.domain.qbo import QboCustomer
from core.errors import QboTransientError
from core.services.customers import PAGE_SIZE, CustomerDirectory
from tests.fakes import FakeQbo


@dataclass
class PageCountingQbo(FakeQbo):
    """A FakeQbo that notes where each customer page it was asked for starts."""

    starts: list[int] = field(default_factory=list)

    def list_customers(
        self, *, start_position: int = 1, max_results: int = 1000, include_inactive: bool = False
    ) -> list[QboCustomer]:
        self.starts.append(start_position)
        return super().list_customers(
            start_position=start_position,
            max_results=max_results,
            include_inactive=include_inactive,
        )


@dataclass
class FakeClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def a_company(customers: int, inactive: int = 0) -> PageCountingQbo:
    qbo = PageCountingQbo()
    for n in range(customers):
        qbo.add(f"Customer {n}", active=n >= inactive)
    return qbo


def test_the_whole_list_is_read_page_by_page_until_a_short_page() -> None:
    company = a_company(2 * PAGE_SIZE + 1, inactive=3)

    customers = CustomerDirectory().customers("r1", company)

    assert company.starts == [1, PAGE_SIZE + 1, 2 * PAGE_SIZE + 1]
    assert [c.id for c in customers] == [str(n) for n in range(1, 2 * PAGE_SIZE + 2)]
    assert [c.active for c in customers[:4]] == [False, False, False, True]


def test_a_list_of_exactly_full_pages_ends_with_an_empty_page() -> None:
    company = a_company(PAGE_SIZE)
    assert len(CustomerDirectory().customers("r1", company)) == PAGE_SIZE
    assert company.starts == [1, PAGE_SIZE + 1]


def test_a_list_is_kept_until_its_time_is_up_then_read_again() -> None:
    clock = FakeClock()
    directory = CustomerDirectory(ttl_seconds=60, clock=clock)
    company = a_company(2)

    first = directory.customers("r1", company)
    company.add("Added Later")
    clock.now += 59
    kept = directory.customers("r1", company)
    clock.now += 2
    fresh = directory.customers("r1", company)

    assert company.starts == [1, 1]
    assert kept == first
    assert [c.display_name for c in fresh][-1] == "Added Later"


def test_realms_are_kept_apart_and_one_can_be_forgotten() -> None:
    directory = CustomerDirectory(clock=FakeClock())
    one, two = a_company(1), a_company(3)

    assert len(directory.customers("r1", one)) == 1
    assert len(directory.customers("r2", two)) == 3
    directory.forget("r1")
    directory.customers("r1", one)
    directory.customers("r2", two)

    assert (one.starts, two.starts) == ([1, 1], [1])


def test_a_failed_read_is_not_kept() -> None:
    directory = CustomerDirectory(clock=FakeClock())
    company = a_company(2)
    company.faults.append(QboTransientError("QuickBooks could not be reached"))

    with pytest.raises(QboTransientError):
        directory.customers("r1", company)

    assert len(directory.customers("r1", company)) == 2


def test_what_a_caller_does_to_its_list_does_not_change_the_kept_one() -> None:
    directory = CustomerDirectory(clock=FakeClock())
    company = a_company(2)
    directory.customers("r1", company).clear()
    assert len(directory.customers("r1", company)) == 2
