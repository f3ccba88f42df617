"""PaymentMethod: seeded, read and queried by Name; the API cannot write one."""

from __future__ import annotations

from sandbox.entities.payment_method import CREDIT_CARD
from sandbox.seed import DEMO_PAYMENT_METHODS, seed_demo_company
from sandbox.state import SandboxState
from tests.sandbox.qbo_calls import REALM_ID, QboCalls, fault_of


def test_a_payment_method_is_found_by_name_and_read_by_id(
    qbo: QboCalls, state: SandboxState
) -> None:
    visa = state.add_payment_method(REALM_ID, "Visa", CREDIT_CARD)
    state.add_payment_method(REALM_ID, "Cash")

    [found] = qbo.rows("select * from PaymentMethod where Name = 'visa'")

    assert found == qbo.read("PaymentMethod", visa["Id"])
    assert (found["Name"], found["Type"], found["Active"], found["SyncToken"]) == (
        "Visa",
        CREDIT_CARD,
        True,
        "0",
    )


def test_an_inactive_payment_method_is_hidden_unless_asked_for(
    qbo: QboCalls, state: SandboxState
) -> None:
    state.add_payment_method(REALM_ID, "Old card", CREDIT_CARD, active=False)

    assert qbo.rows("select * from PaymentMethod where Name = 'Old card'") == []
    [old] = qbo.rows("select * from PaymentMethod where Name = 'Old card' and Active = false")
    assert old["Active"] is False


def test_the_api_cannot_write_a_payment_method(qbo: QboCalls) -> None:
    response = qbo.post("paymentmethod", {"Name": "Bitcoin", "Type": "NON_CREDIT_CARD"})
    assert response.status_code == 400
    assert fault_of(response)["code"] == "500"


def test_the_demo_company_has_the_sample_companies_payment_methods() -> None:
    state = SandboxState()
    realm_id = seed_demo_company(state)

    rows = state.query(realm_id, "select * from PaymentMethod")["PaymentMethod"]

    assert [(row["Name"], row["Type"]) for row in rows] == list(DEMO_PAYMENT_METHODS)
    assert [row["Id"] for row in rows] == [str(n) for n in range(1, 8)]
