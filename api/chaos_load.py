"""The chaos bench's load: what a practice-management system sends the API, and a ledger of
what the API accepted.

Accounts (a quarter named like customers the QBO company has, one in twenty with a name QBO
refuses), a bulk first sync through the firm's lane (batches), invoices of the other accounts,
edits of a fifth of them, payments, deletes of invoices without payments, and for one account
in fifty an unsync followed by a manual re-link to its customer. Every request is retried
until the API answers 2xx, as a client does; only a 2xx answer counts as accepted, and the
ledger keeps the last accepted content of each record for the end checks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

CLIENTS = 4  # requests the load has in flight at once
ACCEPTED = frozenset({200, 201, 202, 204})
# Refusals of the moment, sent again like a 5xx: 409, another job of the record is at work
# (the API says to wait for it: a change-data-capture check, say, while a re-link comes); 429.
WAIT_AND_RETRY = frozenset({409, 429})
RETRY_PAUSE_S = 0.5
GIVE_UP_S = 300.0  # a request refused this long means the system is down for good


class LoadError(RuntimeError):
    """The API refused a request it should take, or stayed away for GIVE_UP_S."""


@dataclass(frozen=True)
class Plan:
    """Which records the load writes, from its sizes alone (the same load in both runs)."""

    accounts: int
    invoices: int
    payments: int

    def account_name(self, n: int) -> str:
        if self.refused(n):
            return f"Client {n:05}: Holdings"  # a colon: QBO refuses it in a customer name
        return f"Client {n:05} {'Matched' if self.matching(n) else 'New'}"

    def refused(self, n: int) -> bool:
        return n % 20 == 7

    def matching(self, n: int) -> bool:
        return n % 4 == 1

    def relinked(self, n: int) -> bool:
        return n % 50 == 3

    def invoice_accounts(self) -> list[int]:
        return [n for n in range(self.accounts) if not self.refused(n) and not self.relinked(n)]

    def invoice_body(self, j: int, account: int, edited: bool) -> dict[str, Any]:
        quantity = 1 + j % 3 + (1 if edited else 0)
        rate = Decimal(100 + j % 7 * 25)
        amount = (quantity * rate).quantize(Decimal("0.01"))
        return {
            "account_id": f"a-{account}",
            "number": f"INV-{j:05}",
            "issued_on": "2026-03-01",
            "lines": [
                {
                    "service": "Tax preparation",
                    "quantity": str(quantity),
                    "rate": str(rate),
                    "amount": str(amount),
                }
            ],
            "total": str(amount),
        }

    def edited(self, j: int) -> bool:
        return j % 5 == 2

    def deleted(self, j: int) -> bool:
        return j >= self.payments and j % 20 == 11


@dataclass
class Ledger:
    """What the API accepted: each record's last accepted content."""

    accounts: dict[str, str] = field(default_factory=dict)  # external id: name
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoice_versions: dict[str, int] = field(default_factory=dict)
    deleted_invoices: set[str] = field(default_factory=set)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    relinks: dict[str, str] = field(default_factory=dict)  # account: the customer linked
    accepted: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Load:
    """Sends the plan's requests through the API and notes what it accepted."""

    def __init__(
        self, base_url: str, api_key: str, plan: Plan, progress: Callable[[str], None],
        sync_wait_s: float = GIVE_UP_S,
    ) -> None:  # fmt: skip
        """`sync_wait_s`: how long a re-link waits for its account's first sync (the run's
        time to converge: a big load's syncs queue behind each other for longer than
        GIVE_UP_S, and that is a slow run, not a system down)."""
        self.plan, self.ledger, self._progress = plan, Ledger(), progress
        self._sync_wait_s = sync_wait_s
        self._stopped = threading.Event()
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30,
            limits=httpx.Limits(max_connections=CLIENTS * 2),
        )  # fmt: skip
        self.finished_at: float | None = None

    def run(self) -> None:
        """The whole load, phase after phase, each phase CLIENTS requests at a time."""
        plan = self.plan
        self._each("accounts", range(plan.accounts), self._put_account)
        self._bulk_sync()
        accounts = plan.invoice_accounts()
        owner = {j: accounts[j % len(accounts)] for j in range(plan.invoices)}
        self._each(
            "invoices", range(plan.invoices), lambda j: self._put_invoice(j, owner[j], False)
        )
        edits = [j for j in range(plan.invoices) if plan.edited(j)]
        self._each("invoice edits", edits, lambda j: self._put_invoice(j, owner[j], True))
        self._each("payments", range(min(plan.payments, plan.invoices)), self._put_payment)
        deletes = [j for j in range(plan.invoices) if plan.deleted(j)]
        self._each("invoice deletes", deletes, self._delete_invoice)
        relinks = [n for n in range(plan.accounts) if plan.relinked(n)]
        self._each("unsyncs and re-links", relinks, self._relink)
        self.finished_at = time.monotonic()
        self._client.close()

    def stop(self) -> None:
        """Send nothing more: the requests in flight give up (the bench is ending)."""
        self._stopped.set()

    def _pause(self, seconds: float) -> None:
        """Wait `seconds`; a LoadError if the load is stopped meanwhile."""
        if self._stopped.wait(seconds):
            raise LoadError("the load was stopped")

    def _each(self, what: str, items: Iterable[int], send: Callable[[int], None]) -> None:
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            done = list(pool.map(send, items))
        self._progress(
            f"load: {len(done)} {what} sent in {time.monotonic() - started:.1f} s"
            f" ({self.ledger.refused} refused so far)"
        )

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send until the API accepts (2xx); a 4xx other than a refusal of the moment
        (WAIT_AND_RETRY) is a LoadError, 5xx and lost connections are retried."""
        deadline = time.monotonic() + GIVE_UP_S
        while True:
            try:
                response = self._client.request(method, path, json=body)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code in ACCEPTED:
                with self.ledger.lock:
                    self.ledger.accepted += 1
                return response.json() if response.content else None
            if (
                response is not None
                and response.status_code < 500
                and response.status_code not in WAIT_AND_RETRY
            ):
                raise LoadError(f"{method} {path} answered {response.status_code}: {response.text}")
            with self.ledger.lock:
                self.ledger.refused += 1
            if time.monotonic() > deadline:
                raise LoadError(f"{method} {path} refused for {GIVE_UP_S:.0f} s")
            self._pause(RETRY_PAUSE_S)  # a client's pause before it tries again

    def _put_account(self, n: int) -> None:
        name = self.plan.account_name(n)
        self.request("PUT", f"/v1/accounts/a-{n}", {"name": name})
        with self.ledger.lock:
            self.ledger.accounts[f"a-{n}"] = name

    def _bulk_sync(self) -> None:
        """The firm's first sync: bulk requests by status until none is left."""
        remaining, rounds = 1, 0
        while remaining:
            answer = self.request("POST", "/v1/accounts/sync", {"status": "not_synced"})
            remaining, rounds = answer["remaining"], rounds + 1
        self._progress(f"load: bulk first sync asked in {rounds} request(s)")

    def _put_invoice(self, j: int, account: int, edited: bool) -> None:
        body = self.plan.invoice_body(j, account, edited)
        answer = self.request("PUT", f"/v1/invoices/i-{j}", body)
        with self.ledger.lock:
            self.ledger.invoices[f"i-{j}"] = body
            self.ledger.invoice_versions[f"i-{j}"] = answer["version"]

    def _put_payment(self, k: int) -> None:
        body = {"invoice_id": f"i-{k}", "amount": "50.00", "paid_on": "2026-03-15"}
        self.request("PUT", f"/v1/payments/p-{k}", body)
        with self.ledger.lock:
            self.ledger.payments[f"p-{k}"] = body

    def _delete_invoice(self, j: int) -> None:
        self.request("DELETE", f"/v1/invoices/i-{j}")
        with self.ledger.lock:
            self.ledger.deleted_invoices.add(f"i-{j}")

    def _relink(self, n: int) -> None:
        """Wait for the account's first sync, unsync it, then link it to its customer again
        by hand (POST …/sync with the customer's Id)."""
        path = f"/v1/accounts/a-{n}"
        deadline = time.monotonic() + self._sync_wait_s
        while (account := self.request("GET", path))["status"] != "synced":
            if account["status"] == "failed" or time.monotonic() > deadline:
                raise LoadError(f"a-{n} did not sync before its re-link: {account}")
            self._pause(1)  # polling the API for the account's first sync
        customer = account["qbo_customer_id"]
        self.request("POST", f"{path}/unsync")
        self.request("POST", f"{path}/sync", {"customer_id": customer})
        with self.ledger.lock:
            self.ledger.relinks[f"a-{n}"] = customer
