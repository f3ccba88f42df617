"""FakeQbo's lists (items, classes, departments, payment methods, income accounts) and the
request-id replay its billing writes share; the sandbox's rules (sandbox/entities/item.py …).

Every billing write records (what, request id) in `billing_writes`; a repeated request id
answers its first result, or raises its first fault again, as QBO does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from core.adapters.qbo.billing_payloads import MAX_REQUEST_ID, check_item_name
from core.errors import QboError, QboFaultError, QboPayloadError, QboTransientError

T = TypeVar("T")
INACTIVE = (
    "Object Not Found : Something you're trying to use has been made inactive. Check the fields "
    "with accounts, customers, items, vendors or employees."
)
BUSINESS_RULE = "A business validation error has occurred while processing your request"


def fault(code: str, message: str, detail: str | None = None) -> QboFaultError:
    """A QBO refusal as the client classifies it (HTTP 400)."""
    return QboFaultError(
        message, code=code, detail=detail, http_status=400, intuit_tid=f"tid-fake-{code}"
    )


def business_rule(detail: str) -> QboFaultError:
    """QBO's catch-all 6000."""
    return fault("6000", BUSINESS_RULE, f"Business Validation Error: {detail}")


@dataclass(frozen=True)
class FakeListEntry:
    """An entry of a QBO list; `kind` is an item's Type or an account's AccountType."""

    id: str
    name: str
    active: bool = True
    kind: str = ""


@dataclass
class FakeLists:
    """The lists an invoice uses, by Id; FakeQbo supplies `_maybe_fail`."""

    items: dict[str, FakeListEntry] = field(default_factory=dict)
    classes: dict[str, FakeListEntry] = field(default_factory=dict)
    departments: dict[str, FakeListEntry] = field(default_factory=dict)
    payment_methods: dict[str, FakeListEntry] = field(default_factory=dict)
    # A new QBO company's chart has the income account "Services" (sandbox/entities/chart.py).
    income_accounts: dict[str, FakeListEntry] = field(
        default_factory=lambda: {"1": FakeListEntry("1", "Services", kind="Income")}
    )
    billing_writes: list[tuple[str, str]] = field(default_factory=list)
    billing_replies: dict[str, object] = field(default_factory=dict)
    # The next billing write is done in QBO but its answer is lost on the way back.
    lose_next_billing_answer: bool = False
    _last_ids: dict[str, int] = field(default_factory=dict)

    def _maybe_fail(self) -> None:  # FakeQbo's: raise the next scripted fault
        raise NotImplementedError

    # Seeding.

    def add_item(self, name: str, *, kind: str = "Service", active: bool = True) -> str:
        return self._add(self.items, "Item", name, active, kind)

    def add_class(self, name: str, *, active: bool = True) -> str:
        return self._add(self.classes, "Class", name, active)

    def add_department(self, name: str, *, active: bool = True) -> str:
        return self._add(self.departments, "Department", name, active)

    def add_payment_method(self, name: str, *, active: bool = True) -> str:
        return self._add(self.payment_methods, "PaymentMethod", name, active)

    # Lists.

    def find_item_id(self, name: str) -> str | None:
        self._maybe_fail()
        return _named(self.items, name, kinds=("Service", "NonInventory"))

    def create_service_item(self, name: str, *, request_id: str) -> str:
        check_item_name(name)
        self._maybe_fail()
        income = [a for a in self.income_accounts.values() if a.active]
        if not income:
            raise QboPayloadError("The QuickBooks company has no active income account")

        def create() -> str:
            if any(i.name.casefold() == name.casefold() for i in self.items.values()):
                raise fault("6240", "Duplicate Name Exists Error", "Another item uses this name.")
            return self.add_item(name)

        return self._once(request_id, "create_service_item", create)

    def find_class_id(self, name: str) -> str | None:
        self._maybe_fail()
        return _named(self.classes, name)

    def find_department_id(self, name: str) -> str | None:
        self._maybe_fail()
        return _named(self.departments, name)

    def find_payment_method_id(self, name: str) -> str | None:
        self._maybe_fail()
        return _named(self.payment_methods, name)

    def _once(self, request_id: str, what: str, write: Callable[[], T], *, lose: bool = True) -> T:
        """Run a write once per request id; a repeat gets the first answer or fault again."""
        self.billing_writes.append((what, request_id))
        if len(request_id) > MAX_REQUEST_ID:
            raise business_rule(
                f"You cannot enter more than {MAX_REQUEST_ID} characters in the request_id field"
            )
        if request_id not in self.billing_replies:
            try:
                self.billing_replies[request_id] = write()
            except QboError as exc:
                self.billing_replies[request_id] = exc
            if lose:
                self._lose_answer()
        reply = self.billing_replies[request_id]
        if isinstance(reply, QboError):
            raise reply
        return cast(T, reply)

    def _lose_answer(self) -> None:
        if self.lose_next_billing_answer:
            self.lose_next_billing_answer = False
            raise QboTransientError("QuickBooks could not be reached: ReadTimeout")

    def _add(
        self, rows: dict[str, FakeListEntry], entity: str, name: str, active: bool, kind: str = ""
    ) -> str:
        entry = FakeListEntry(self._new_id(entity), name, active, kind)
        rows[entry.id] = entry
        return entry.id

    def _new_id(self, sequence: str) -> str:
        self._last_ids[sequence] = self._last_ids.get(sequence, 0) + 1
        return str(self._last_ids[sequence])


def _named(
    rows: dict[str, FakeListEntry], name: str, kinds: tuple[str, ...] | None = None
) -> str | None:
    """An active entry of this Name: exactly if one is, else ignoring case, as the client picks."""
    shown = [e for e in rows.values() if e.active and (kinds is None or e.kind in kinds)]
    exact = [e for e in shown if e.name == name]
    found = exact or [e for e in shown if e.name.casefold() == name.casefold()]
    return found[0].id if found else None


def active_entry(rows: dict[str, FakeListEntry], entry_id: str, element: str) -> FakeListEntry:
    entry = rows.get(entry_id)
    if entry is None:
        raise fault("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}")
    if not entry.active:
        raise fault("610", "Object Not Found", INACTIVE)
    return entry
