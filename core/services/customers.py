"""The QBO customers a firm can link its accounts to: listed, searched, and suggested.

Both uses read a company's whole customer list (active and inactive) from QBO, kept for a short
while per realm so that paging and searching through it do not spend QBO's metered reads. The
list is read with no database transaction open. Beside each list the directory keeps the list's
`CandidateIndex`, so that suggesting customers for many accounts does not weigh every customer
for each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cachetools import TTLCache

from core.domain.matching import Candidate, CandidateIndex
from core.domain.qbo import QboCustomer
from core.domain.records import QboConnection
from core.errors import NotConnectedError, NotFoundError
from core.ports import Qbo, QboConnector, UnitOfWork

# QBO's largest page (shared/qbo/README.md, Query); a shorter page is the last one.
PAGE_SIZE = 1000
# Realms whose lists one process keeps at once; the oldest go first.
MAX_REALMS = 256


@dataclass(frozen=True)
class _Kept:
    """One realm's list as read (plus what qbsync created since), and its index."""

    customers: tuple[QboCustomer, ...]
    index: CandidateIndex


class CustomerDirectory:
    """Each realm's complete customer list, read again from QBO once `ttl_seconds` have passed.

    Threads share one directory, so its cache is only touched under a lock. QBO is read under
    a lock of the realm's own: a slow company does not hold up the others, and threads that
    miss one realm at once wait for a single read of it.
    """

    def __init__(
        self, ttl_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._lists: TTLCache[str, _Kept] = TTLCache(MAX_REALMS, ttl_seconds, timer=clock)
        self._types: TTLCache[str, str | None] = TTLCache(MAX_REALMS, ttl_seconds, timer=clock)
        self._lock = threading.Lock()
        self._reading: dict[str, threading.Lock] = {}  # one reader per realm at a time

    def customers(self, realm_id: str, qbo: Qbo) -> list[QboCustomer]:
        """Every customer of the realm, active or not, in Id order; from QBO when not kept.

        Threads that miss the same realm at once wait for one read rather than each reading.
        """
        return list(self._kept(realm_id, qbo).customers)

    def index(self, realm_id: str, qbo: Qbo) -> CandidateIndex:
        """The realm's customers indexed for ranking; read and kept as `customers` is.

        The index is shared, not copied: `remember` adds to it in place, and callers rank.
        """
        return self._kept(realm_id, qbo).index

    def _kept(self, realm_id: str, qbo: Qbo) -> _Kept:
        with self._lock:
            kept = self._lists.get(realm_id)
            reading = self._reading.setdefault(realm_id, threading.Lock())
        if kept is not None:
            return kept
        with reading:
            with self._lock:
                kept = self._lists.get(realm_id)
            if kept is None:
                customers = tuple(_read_all(qbo))
                kept = _Kept(customers, CandidateIndex(customers))  # outside the shared lock
                with self._lock:
                    self._lists[realm_id] = kept
        return kept

    def remember(self, realm_id: str, created: Sequence[QboCustomer]) -> None:
        """Add customers qbsync just created to the realm's kept list and index, if kept."""
        with self._lock:  # so that no two threads add to one index at once
            kept = self._lists.get(realm_id)
            if kept is not None:
                kept.index.add(created)
                self._lists[realm_id] = _Kept((*kept.customers, *created), kept.index)

    def customer_type_id(self, realm_id: str, name: str, qbo: Qbo) -> str | None:
        """The Id of the realm's customer type called `name`, read once per cache period;
        threads that miss it at once wait for one read, as for the list."""
        key = f"{realm_id}\x00type\x00{name}"
        with self._lock:
            if key in self._types:
                return self._types[key]
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            with self._lock:
                if key in self._types:
                    return self._types[key]
            found = qbo.find_customer_type_id(name)
            with self._lock:
                self._types[key] = found
        return found

    def forget(self, realm_id: str) -> None:
        """Drop the realm's list and index, so that the next use reads QBO again."""
        with self._lock:
            self._lists.pop(realm_id, None)


def _read_all(qbo: Qbo) -> list[QboCustomer]:
    """Every customer, page by page; a page shorter than a full one is the last."""
    customers: list[QboCustomer] = []
    while True:
        page = qbo.list_customers(
            start_position=len(customers) + 1, max_results=PAGE_SIZE, include_inactive=True
        )
        customers.extend(page)
        if len(page) < PAGE_SIZE:
            return customers


@dataclass(frozen=True)
class CustomerPage:
    """One page of the customers found, and how many were found in all."""

    items: Sequence[QboCustomer]
    total: int


def list_qbo_customers(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    firm_id: int,
    *,
    q: str | None,
    include_inactive: bool,
    offset: int,
    limit: int,
) -> CustomerPage:
    """A page of the firm's QBO customers whose name contains `q` (any case), by name."""
    with uow:
        connection = uow.connections.for_firm(firm_id)
    customers = directory.customers(*_realm_and_client(connect, connection))
    wanted = (q or "").strip().casefold()
    shown = [
        customer
        for customer in customers
        if (include_inactive or customer.active) and wanted in customer.display_name.casefold()
    ]
    shown.sort(key=_by_name)
    return CustomerPage(items=shown[offset : offset + limit], total=len(shown))


def _by_name(customer: QboCustomer) -> tuple[str, str, int, str]:
    name = customer.display_name
    return name.casefold(), name, len(customer.id), customer.id


def account_candidates(
    uow: UnitOfWork,
    connect: QboConnector,
    directory: CustomerDirectory,
    firm_id: int,
    external_id: str,
) -> list[Candidate]:
    """The QBO customers the account could be linked to, best first; nothing is linked."""
    with uow:
        account = uow.accounts.get(firm_id, external_id)
        if account is None:
            raise NotFoundError("account", external_id)
        name, email = account.name, account.email
        connection = uow.connections.for_firm(firm_id)
    return directory.index(*_realm_and_client(connect, connection)).rank(name, email)


def _realm_and_client(connect: QboConnector, connection: QboConnection | None) -> tuple[str, Qbo]:
    """The company to read and a client for it; NotConnectedError without a working one."""
    if connection is None:
        raise NotConnectedError()
    if connection.broken_reason:
        raise NotConnectedError(connection.broken_reason)
    return connection.realm_id, connect(connection)
