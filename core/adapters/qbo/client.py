"""The QBO Accounting API v3 client over httpx.

Every request has an explicit timeout (a blocking socket call cannot be interrupted later),
asks for JSON at minorversion 75, and every write carries a `requestid` so that QBO answers
a repeat with the original result instead of writing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from core.adapters.gate import RealmGate
from core.adapters.qbo.faults import fault_in
from core.adapters.qbo.parsing import (
    answer_error,
    json_body,
    parse_cdc_response,
    parse_entity_answer,
    parse_query_response,
)
from core.domain.qbo import QboCustomer, QboCustomerType, QboEntityChanges, QboQueryResponse
from core.domain.records import QboConnection
from core.errors import QboPayloadError, QboTransientError

MINOR_VERSION = "75"
# QBO's `IN` lists and result pages: one page holds every namesake a display name can have.
MAX_RESULTS = 1000
# Names per `IN` list: no statement limit is documented, so lists stay short (qbo/README.md).
IN_LIST = 100


def quote(value: str) -> str:
    """A QBO query string literal: single quotes, with the quote escaped as \\'."""
    return "'" + value.replace("'", "\\'") + "'"


class QboClient:
    """One QBO company (realm), reached with one access token."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        realm_id: str,
        access_token: str,
        gate: RealmGate,
    ) -> None:
        self._http = http
        self._realm_id = realm_id
        self._gate = gate
        self._base = f"{base_url.rstrip('/')}/v3/company/{realm_id}"
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json",
        }

    def query(self, statement: str) -> dict[str, Any]:
        """Run a query statement; return the `QueryResponse` object."""
        response: dict[str, Any] = self._query_answer(statement).get("QueryResponse", {})
        return response

    def find_customers_by_display_name(self, display_name: str) -> list[QboCustomer]:
        """Customers, active or not, whose display name QBO counts as equal to this one."""
        statement = (
            f"select * from Customer where DisplayName = {quote(display_name)} "
            f"and Active in (true, false) maxresults {MAX_RESULTS}"
        )
        return self._query(statement).of(QboCustomer)

    def find_customers_by_display_names(self, display_names: Sequence[str]) -> list[QboCustomer]:
        """Customers, active or not, QBO counts as named like any of these; one read per 100."""
        found: list[QboCustomer] = []
        for chunk in _chunks(display_names):
            statement = (
                f"select * from Customer where DisplayName in ({_literals(chunk)}) "
                f"and Active in (true, false) maxresults {MAX_RESULTS}"
            )
            found.extend(self._query(statement).of(QboCustomer))
        return found

    def display_names_held_by_others(self, display_names: Sequence[str]) -> set[str]:
        """The display names of vendors and employees QBO counts as named like any of these."""
        held: set[str] = set()
        for entity in ("Vendor", "Employee"):
            for chunk in _chunks(display_names):
                statement = (
                    f"select DisplayName from {entity} where DisplayName in ({_literals(chunk)}) "
                    f"and Active in (true, false) maxresults {MAX_RESULTS}"
                )
                rows = self.query(statement).get(entity, [])
                held.update(str(row["DisplayName"]) for row in rows if "DisplayName" in row)
        return held

    def get_customer(self, customer_id: str) -> QboCustomer | None:
        """The customer with this Id, or None when QBO has no such customer."""
        statement = (
            f"select * from Customer where Id = {quote(customer_id)} and Active in (true, false)"
        )
        rows = self._query(statement).of(QboCustomer)
        return rows[0] if rows else None

    def list_customers(
        self,
        *,
        start_position: int = 1,
        max_results: int = MAX_RESULTS,
        include_inactive: bool = False,
    ) -> list[QboCustomer]:
        """One page of customers in Id order; `start_position` counts from 1 (QBO's paging)."""
        if not 1 <= max_results <= MAX_RESULTS or start_position < 1:
            raise ValueError(
                f"pages start at 1 and hold 1 to {MAX_RESULTS} rows, not {start_position}, "
                f"{max_results}"
            )
        # QBO leaves inactive customers out unless the statement names Active.
        where = "where Active in (true, false) " if include_inactive else ""
        statement = (
            f"select * from Customer {where}orderby Id "
            f"startposition {start_position} maxresults {max_results}"
        )
        return self._query(statement).of(QboCustomer)

    def find_customer_type_id(self, name: str) -> str | None:
        """The Id of the active customer type called `name`, or None (a company may have none)."""
        statement = f"select * from CustomerType where Name = {quote(name)}"
        rows = self._query(statement).of(QboCustomerType)
        return rows[0].id if rows else None

    def create_customer(
        self, display_name: str, *, request_id: str, customer_type_id: str | None = None
    ) -> QboCustomer:
        """Create a customer; a repeated `request_id` returns the first result."""
        fields: dict[str, Any] = {"DisplayName": display_name}
        if customer_type_id is not None:
            fields["CustomerTypeRef"] = {"value": customer_type_id}
        body = self._send("POST", "/customer", json=fields, request_id=request_id)
        customer = parse_entity_answer(body)
        if not isinstance(customer, QboCustomer):
            raise QboPayloadError(f"QuickBooks answered a customer create with {customer!r}")
        return customer

    def changed_customers(self, since: datetime) -> QboEntityChanges:
        """Customers changed since `since` (at most 30 days back), and stubs of deleted ones."""
        changed_since = since.astimezone(UTC).isoformat(timespec="seconds")  # with its offset
        body = self._send(
            "GET", "/cdc", params={"entities": "Customer", "changedSince": changed_since}
        )
        return parse_cdc_response(body).get("Customer", QboEntityChanges())

    def _query(self, statement: str) -> QboQueryResponse:
        return parse_query_response(self._query_answer(statement))

    def _query_answer(self, statement: str) -> dict[str, Any]:
        return self._send(
            "POST",
            "/query",
            content=statement.encode(),
            headers={"Content-Type": "application/text"},
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        request_id: str | None = None,
        params: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        params = {**(params or {}), "minorversion": MINOR_VERSION}
        if request_id is not None:
            params["requestid"] = request_id
        headers = {**self._headers, **kwargs.pop("headers", {})}
        try:
            # Every request waits at its company's gate, shared by all workers (jobs.md §6).
            with self._gate.admit(self._realm_id):
                response = self._http.request(
                    method, self._base + path, params=params, headers=headers, **kwargs
                )
        except httpx.TransportError as exc:  # timeouts and connection errors alike
            raise QboTransientError(f"QuickBooks could not be reached: {exc!r}") from exc
        body = json_body(response)
        if response.is_success and body is not None and fault_in(body) is None:
            return body
        raise answer_error(response, body)


def _chunks(names: Sequence[str]) -> list[Sequence[str]]:
    unique = list(dict.fromkeys(names))
    return [unique[i : i + IN_LIST] for i in range(0, len(unique), IN_LIST)]


def _literals(names: Sequence[str]) -> str:
    return ", ".join(quote(name) for name in names)


class HttpQboClients:
    """Opens QBO clients over one shared, pooled httpx client."""

    def __init__(
        self,
        gate: RealmGate,
        timeout_seconds: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._gate = gate
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds)),
            transport=transport,
        )

    def __call__(self, connection: QboConnection, access_token: str) -> QboClient:
        return QboClient(
            self._http, connection.api_base_url, connection.realm_id, access_token, self._gate
        )

    def close(self) -> None:
        self._http.close()
