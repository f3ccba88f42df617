"""`?requestid=` on writes: a repeat gets the first answer and writes nothing."""

from __future__ import annotations

from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


def test_a_repeated_requestid_returns_the_first_answer_and_creates_one_customer(
    state: SandboxState, qbo: QboCalls
) -> None:
    first = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")
    again = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json() == first.get_json()
    assert [c["DisplayName"] for c in state.customers(REALM_ID)] == ["Jane Doe"]


def test_a_repeated_requestid_does_not_write_even_with_another_body(
    state: SandboxState, qbo: QboCalls
) -> None:
    first = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")

    again = qbo.post("customer", {"DisplayName": "Someone Else"}, requestid="req-1")

    assert again.get_json()["Customer"]["Id"] == first.get_json()["Customer"]["Id"]
    assert len(state.customers(REALM_ID)) == 1


def test_a_fault_is_replayed_for_its_requestid_too(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")
    first = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-dup")

    again = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-dup")

    assert again.status_code == first.status_code == 400
    assert again.get_json() == first.get_json()


def test_requestids_are_unique_per_realm_only(state: SandboxState, qbo: QboCalls) -> None:
    state.add_realm("other")
    other = QboCalls(qbo.client, "other", state.issue_access_token("other"))

    here = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")
    there = other.post("customer", {"DisplayName": "John Roe"}, requestid="req-1")

    assert here.get_json()["Customer"]["DisplayName"] == "Jane Doe"
    assert there.get_json()["Customer"]["DisplayName"] == "John Roe"


def test_different_requestids_write_separately(state: SandboxState, qbo: QboCalls) -> None:
    qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="req-1")
    qbo.post("customer", {"DisplayName": "John Roe"}, requestid="req-2")

    assert len(state.customers(REALM_ID)) == 2


def test_a_requestid_of_50_characters_is_accepted(qbo: QboCalls) -> None:
    response = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="r" * 50)

    assert response.status_code == 200


def test_a_requestid_over_50_characters_is_a_6000_fault_that_writes_nothing(
    state: SandboxState, qbo: QboCalls
) -> None:
    response = qbo.post("customer", {"DisplayName": "Jane Doe"}, requestid="r" * 51)

    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "6000"
    assert "request_id" in error["Detail"] and "51 characters" in error["Detail"]
    assert state.customers(REALM_ID) == []


def test_a_requestid_on_a_query_is_ignored(qbo: QboCalls) -> None:
    qbo.create_customer("Jane Doe")
    statement = "select * from Customer"

    before = qbo.get("query", query=statement, requestid="req-q")
    qbo.create_customer("John Roe")
    after = qbo.get("query", query=statement, requestid="req-q")

    assert len(before.get_json()["QueryResponse"]["Customer"]) == 1
    assert len(after.get_json()["QueryResponse"]["Customer"]) == 2
