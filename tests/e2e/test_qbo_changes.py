"""Done-when of SPEC §2.6: customers deleted or merged in the sandbox reach their accounts.

The running system of tests/e2e/conftest.py (the API over HTTP, the real `dramatiq` worker on
Redis, PostgreSQL or SQLite) with the sandbox delivering its signed webhooks to the API over
HTTP, or, with webhooks off, one change-data-capture poll job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dramatiq
import httpx
import pytest

from core.bootstrap import Services
from core.config import Settings
from tests.conftest import TEST_ENCRYPTION_KEY, Sandbox, built_services
from tests.e2e.conftest import System
from tests.e2e.scenario import sync
from tests.factories import row_counts
from tests.waiting import wait_for
from worker.dispatch import DramatiqDispatcher
from worker.scheduler import poll_changes_once

TOKEN = "verifier-token-shared-by-the-sandbox-and-the-api"
WEBHOOK = "/v1/webhooks/quickbooks"


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    """The served API's services, knowing the verifier token the sandbox signs with."""
    settings = Settings(
        database_url=database_url,
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        qbo_webhook_verifier_token=TOKEN,
    )
    with built_services(settings) as built:
        yield built


@pytest.fixture
def controls(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """The sandbox's /_sandbox controls over HTTP; webhooks are stopped afterwards."""
    with httpx.Client(base_url=f"{sandbox.url}/_sandbox", timeout=10) as http:
        yield http
        http.delete("/webhooks")


def send_webhooks_to(controls: httpx.Client, system: System, form: str = "cloudevents") -> str:
    target = f"{system.url}{WEBHOOK}"
    body = {"targets": [target], "verifier_token": TOKEN, "format": form}
    assert controls.put("/webhooks", json=body).status_code == 200
    return target


def account(system: System, external_id: str) -> dict[str, Any]:
    found: dict[str, Any] = system.http.get(
        f"/v1/accounts/{external_id}", headers=system.headers
    ).json()
    return found


def history(system: System, external_id: str) -> list[dict[str, Any]]:
    answer = system.http.get(f"/v1/accounts/{external_id}/history", headers=system.headers)
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def customer(sandbox: Sandbox, customer_id: str) -> dict[str, Any] | None:
    return next(
        (c for c in sandbox.state.customers(sandbox.realm_id) if c["Id"] == customer_id), None
    )


def customer_named(sandbox: Sandbox, name: str) -> str:
    found: str = next(
        c["Id"] for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == name
    )
    return found


def status_becomes(system: System, external_id: str, status: str) -> dict[str, Any]:
    return wait_for(
        lambda: (found := account(system, external_id))["status"] == status and found,
        timeout=15,
        what=f"account {external_id} to be {status}",
    )


def assert_unlinked_as_deleted(system: System, external_id: str, customer_id: str) -> None:
    shown = status_becomes(system, external_id, "not_synced")
    assert shown["qbo_customer_id"] is None
    assert shown["error"]["code"] == "customer_deleted"
    assert f"(Id {customer_id}) was deleted (made inactive)" in shown["error"]["message"]
    last = history(system, external_id)[-1]
    assert (last["from_status"], last["to_status"]) == ("synced", "not_synced")
    assert last["cause"] == f"QBO customer {customer_id} was deleted (made inactive)"
    assert last["error"] == shown["error"]


@pytest.mark.parametrize("form", ["cloudevents", "legacy"])
def test_a_customer_deleted_in_qbo_turns_its_account_not_synced_by_webhook(
    system: System, sandbox: Sandbox, controls: httpx.Client, form: str
) -> None:
    linked = sync(system.http, system.headers, "acc-1", "Cool Cars")
    customer_id = linked["qbo_customer_id"]
    target = send_webhooks_to(controls, system, form)

    deleted = controls.post(f"/realms/{sandbox.realm_id}/customers/{customer_id}/deactivate")

    assert deleted.status_code == 200
    assert_unlinked_as_deleted(system, "acc-1", customer_id)
    assert (customer(sandbox, customer_id) or {})["Active"] is False
    deliveries = controls.get("/webhooks").json()["deliveries"][target]
    assert deliveries and all(d["status"] == 200 for d in deliveries)


def test_with_webhooks_off_one_cdc_poll_turns_the_account_not_synced(
    system: System,
    sandbox: Sandbox,
    controls: httpx.Client,
    services: Services,
    redis_worker: dramatiq.Broker,
) -> None:
    linked = sync(system.http, system.headers, "acc-1", "Cool Cars")
    customer_id = linked["qbo_customer_id"]
    assert (
        controls.post(f"/realms/{sandbox.realm_id}/customers/{customer_id}/deactivate").status_code
        == 200
    )
    assert account(system, "acc-1")["status"] == "synced"  # nothing told the system yet

    assert poll_changes_once(services, DramatiqDispatcher(redis_worker)) == 1

    assert_unlinked_as_deleted(system, "acc-1", customer_id)
    assert (customer(sandbox, customer_id) or {})["Active"] is False


def test_a_customer_merged_in_qbo_relinks_its_account_to_the_survivor(
    system: System, sandbox: Sandbox, controls: httpx.Client
) -> None:
    merged_id = sync(system.http, system.headers, "acc-1", "Cool Cars")["qbo_customer_id"]
    survivor_id = customer_named(sandbox, "Jeff's Jalopies")
    send_webhooks_to(controls, system)

    body = {"realm_id": sandbox.realm_id, "from": merged_id, "into": survivor_id}
    assert controls.post("/merge", json=body).status_code == 200

    relinked = wait_for(
        lambda: (found := account(system, "acc-1"))["qbo_customer_id"] == survivor_id and found,
        timeout=15,
        what="the account to be relinked to the survivor",
    )
    assert (relinked["status"], relinked["error"]) == ("synced", None)
    last = history(system, "acc-1")[-1]
    assert (last["from_status"], last["to_status"]) == ("synced", "synced")
    assert last["cause"] == (
        f"relinked to QBO customer {survivor_id}: customer {merged_id} was merged into it"
    )
    assert customer(sandbox, merged_id) is None
    assert (customer(sandbox, survivor_id) or {})["Active"] is True


@pytest.mark.parametrize("signature", [None, "bm90IHRoZSBzaWduYXR1cmU="])
def test_a_badly_signed_webhook_is_refused_with_401_and_changes_nothing(
    system: System, sandbox: Sandbox, services: Services, signature: str | None
) -> None:
    customer_id = sync(system.http, system.headers, "acc-1", "Cool Cars")["qbo_customer_id"]
    event = {
        "specversion": "1.0",
        "id": "0b7c2a9e-8f44-4a0e-b3a5-1f5d7e9c2b42",
        "source": "intuit.forged",
        "type": "qbo.customer.merged.v1",
        "time": "2026-11-19T23:50:00.000Z",
        "intuitentityid": "1",
        "intuitaccountid": sandbox.realm_id,
        "data": {"deletedId": customer_id},
    }
    before = row_counts(services)
    headers = {} if signature is None else {"intuit-signature": signature}

    refused = system.http.post(WEBHOOK, json=[event], headers=headers)

    assert refused.status_code == 401
    assert refused.json()["code"] == 401
    assert row_counts(services) == before
    shown = account(system, "acc-1")
    assert (shown["status"], shown["qbo_customer_id"]) == ("synced", customer_id)
