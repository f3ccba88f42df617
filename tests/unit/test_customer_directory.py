"""The per-realm customer lists the API keeps for a short while (core.services.customers)."""

from __future__ import annotations

import threading
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


def test_the_index_is_built_from_the_same_read_as_the_list() -> None:
    directory = CustomerDirectory(clock=FakeClock())
    company = a_company(3)

    index = directory.index("r1", company)
    customers = directory.customers("r1", company)

    assert company.starts == [1]
    assert [c.customer for c in index.rank("customer 1", None)] == [customers[1]]
    assert directory.index("r1", company) is index


def test_remembered_customers_join_the_kept_index() -> None:
    directory = CustomerDirectory(clock=FakeClock())
    company = a_company(2)
    index = directory.index("r1", company)
    created = QboCustomer("99", "Jane Doe", True, "0")

    directory.remember("r1", [created])
    directory.remember("r2", [created])  # a realm not kept stays unread

    assert [c.customer for c in directory.index("r1", company).rank("jane doe", None)] == [created]
    assert index.namesakes("JANE DOE") == [created]
    assert directory.customers("r1", company)[-1] == created
    assert company.starts == [1]


def test_the_index_goes_with_its_list_when_forgotten_or_out_of_time() -> None:
    clock = FakeClock()
    directory = CustomerDirectory(ttl_seconds=60, clock=clock)
    company = a_company(1)
    first = directory.index("r1", company)

    directory.forget("r1")
    company.add("Added Later")
    second = directory.index("r1", company)
    clock.now += 61
    company.add("Added Last")
    third = directory.index("r1", company)

    assert company.starts == [1, 1, 1]
    assert len({id(first), id(second), id(third)}) == 3
    assert first.namesakes("Added Later") == []
    assert [c.display_name for c in second.namesakes("added later")] == ["Added Later"]
    assert [c.display_name for c in third.namesakes("added last")] == ["Added Last"]


def test_threads_that_miss_a_realm_at_once_share_one_read_for_list_and_index() -> None:
    entered, release = threading.Event(), threading.Event()

    @dataclass
    class SlowQbo(PageCountingQbo):
        def list_customers(
            self,
            *,
            start_position: int = 1,
            max_results: int = 1000,
            include_inactive: bool = False,
        ) -> list[QboCustomer]:
            entered.set()
            release.wait(5)
            return super().list_customers(
                start_position=start_position,
                max_results=max_results,
                include_inactive=include_inactive,
            )

    directory = CustomerDirectory(clock=FakeClock())
    company = SlowQbo()
    company.add("Jane Doe")
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(directory.index("r1", company)))
    waiter = threading.Thread(target=lambda: found.append(directory.customers("r1", company)))

    reader.start()
    assert entered.wait(5)
    waiter.start()
    release.set()
    reader.join(5)
    waiter.join(5)

    assert company.starts == [1]
    assert len(found) == 2


def test_threads_that_miss_a_customer_type_at_once_share_one_read() -> None:
    entered, release = threading.Event(), threading.Event()

    @dataclass
    class SlowTypes(FakeQbo):
        reads: int = 0

        def find_customer_type_id(self, name: str) -> str | None:
            self.reads += 1
            entered.set()
            release.wait(5)
            return super().find_customer_type_id(name)

    directory = CustomerDirectory(clock=FakeClock())
    company = SlowTypes()
    found: list[str | None] = []
    threads = [
        threading.Thread(
            target=lambda: found.append(directory.customer_type_id("r1", "Individual", company))
        )
        for _ in range(3)
    ]
    threads[0].start()
    assert entered.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)

    assert company.reads == 1
    assert len(found) == 3 and len(set(found)) == 1
