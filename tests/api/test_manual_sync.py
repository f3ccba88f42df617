"""SPEC §2.4: sync an account to a customer of the admin's choice, or to a new one."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from core.services.sync_account import run_sync_account
from tests.api.conftest import auth
from tests.conftest import Firm
from tests.fakes import FakeQbo


def sync(client: FlaskClient, services: Services, firm: Firm, qbo: FakeQbo, body: dict) -> dict:
    job = client.post("/v1/accounts/c-1/sync", json=body, headers=auth(firm))
    assert job.status_code == 202, job.json
    run_sync_account(services.uow(), qbo, job.json["id"], "w", services.clock)
    account: dict = client.get("/v1/accounts/c-1", headers=auth(firm)).json
    return account


@pytest.fixture
def account(client: FlaskClient, firm: Firm) -> None:
    client.put("/v1/accounts/c-1", json={"name": "Jane Doe"}, headers=auth(firm))


@pytest.mark.usefixtures("account")
def test_an_account_links_to_the_customer_the_admin_chose_whatever_its_name(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    qbo = FakeQbo()
    qbo.add("Jane Doe")  # the namesake is not what the admin chose
    chosen = qbo.add("J. Doe (household)")

    account = sync(client, services, firm, qbo, {"customer_id": chosen.id})

    assert (account["status"], account["qbo_customer_id"]) == ("synced", chosen.id)
    assert qbo.creates == []


@pytest.mark.usefixtures("account")
def test_create_makes_a_new_customer_even_when_a_namesake_exists_elsewhere(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    qbo = FakeQbo()
    account = sync(client, services, firm, qbo, {"create": True})
    assert account["status"] == "synced"
    assert [name for name, _ in qbo.creates] == ["Jane Doe"]


@pytest.mark.usefixtures("account")
def test_create_fails_with_a_readable_reason_when_qbo_holds_the_name(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    qbo = FakeQbo(other_names={"Jane Doe"})
    account = sync(client, services, firm, qbo, {"create": True})
    assert account["status"] == "failed"
    assert account["error"]["code"] == "6240"
    assert "link this account to an existing customer" in account["error"]["message"]


@pytest.mark.usefixtures("account")
@pytest.mark.parametrize(
    ("active", "code"), [(False, "customer_inactive"), (None, "customer_not_found")]
)
def test_a_chosen_customer_must_exist_and_be_active(
    client: FlaskClient, services: Services, firm: Firm, active: bool | None, code: str
) -> None:
    qbo = FakeQbo()
    chosen_id = qbo.add("Gone Customer", active=False).id if active is False else "999"

    account = sync(client, services, firm, qbo, {"customer_id": chosen_id})

    assert (account["status"], account["error"]["code"]) == ("failed", code)


@pytest.mark.usefixtures("account")
def test_manual_sync_works_from_skipped_and_failed(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    qbo = FakeQbo()
    chosen = qbo.add("Chosen One")
    client.post("/v1/accounts/c-1/unsync", headers=auth(firm))
    assert sync(client, services, firm, qbo, {"customer_id": "999"})["status"] == "failed"

    assert sync(client, services, firm, qbo, {"customer_id": chosen.id})["status"] == "synced"


@pytest.mark.usefixtures("account")
def test_both_choices_at_once_or_a_malformed_id_are_refused_and_queue_nothing(
    client: FlaskClient, firm: Firm
) -> None:
    for body in ({"customer_id": "7", "create": True}, {"customer_id": "seven"}):
        answer = client.post("/v1/accounts/c-1/sync", json=body, headers=auth(firm))
        assert answer.status_code == 422, body
    assert client.get("/v1/accounts/c-1", headers=auth(firm)).json["status"] == "not_synced"


@pytest.mark.usefixtures("account")
def test_a_different_sync_while_one_is_queued_is_a_conflict(
    client: FlaskClient, firm: Firm
) -> None:
    first = client.post("/v1/accounts/c-1/sync", headers=auth(firm))
    again = client.post("/v1/accounts/c-1/sync", headers=auth(firm))
    other = client.post("/v1/accounts/c-1/sync", json={"create": True}, headers=auth(firm))

    assert first.json["id"] == again.json["id"]
    assert other.status_code == 409
