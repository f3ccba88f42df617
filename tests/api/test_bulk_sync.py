"""Bulk sync (`POST /v1/accounts/sync`) and its dry run: the report says, writing nothing,
what the real bulk sync then does with each account (Done-when 4 of issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from core.adapters.db import tables
from core.bootstrap import Services
from core.domain.billing import Invoice
from core.services import bulk_sync
from core.services.sync_account import run_sync_account
from sandbox.seed import INACTIVE_CUSTOMER
from tests.api.conftest import auth
from tests.conftest import Firm, Sandbox
from tests.factories import count_rows

# account external id → (its name, what a sync by name must come to)
ACCOUNTS = {
    "amy": ("Amy's Bird Sanctuary", "link"),  # the demo company has it
    "new": ("Brand New Person", "create"),
    "order": ("Melton, John", "needs_person"),  # near "John Melton": a person chooses
    "gone": (INACTIVE_CUSTOMER, "needs_person"),  # only an inactive namesake
    "vendor": ("Supplier Of Paper", "needs_person"),  # a vendor holds the name
    "colon": ("Tax: Pat", "needs_person"),  # QBO forbids the colon
}


@pytest.fixture
def accounts(client: FlaskClient, firm: Firm, sandbox: Sandbox) -> None:
    sandbox.state.add_vendor(sandbox.realm_id, DisplayName="Supplier Of Paper")
    for external_id, (name, _) in ACCOUNTS.items():
        put = client.put(f"/v1/accounts/{external_id}", json={"name": name}, headers=auth(firm))
        assert put.status_code == 201


def row_counts(services: Services) -> dict[str, int]:
    return count_rows(services, tables.jobs, tables.status_changes, tables.accounts)


def dry_run(client: FlaskClient, firm: Firm, body: dict[str, Any]) -> Any:
    return client.post("/v1/accounts/sync", json={**body, "dry_run": True}, headers=auth(firm))


@pytest.mark.usefixtures("accounts")
def test_the_dry_run_reports_each_account_and_writes_nothing(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    rows_before = row_counts(services)
    customers_before = len(sandbox.state.customers(sandbox.realm_id))

    answer = dry_run(client, firm, {"external_ids": list(ACCOUNTS)})

    assert answer.status_code == 200, answer.json
    report = {item["external_id"]: item for item in answer.json["items"]}
    assert {k: item["outcome"] for k, item in report.items()} == {
        k: outcome for k, (_, outcome) in ACCOUNTS.items()
    }
    assert answer.json["counts"] == {"link": 1, "create": 1, "needs_person": 4}
    assert report["amy"]["customer_id"]
    [near] = report["order"]["candidates"]
    assert (near["display_name"], near["reason"]) == ("John Melton", "name_order")
    assert report["order"]["error"]["code"] == "needs_choice"
    assert report["gone"]["error"]["code"] == "inactive_customer"
    assert report["vendor"]["error"]["code"] == "6240"
    assert report["colon"]["error"]["code"] == "name_forbidden_characters"
    assert row_counts(services) == rows_before
    assert len(sandbox.state.customers(sandbox.realm_id)) == customers_before


@pytest.mark.usefixtures("accounts")
def test_the_bulk_sync_then_does_what_the_dry_run_said(
    client: FlaskClient, services: Services, firm: Firm, sandbox: Sandbox
) -> None:
    report = {
        item["external_id"]: item
        for item in dry_run(client, firm, {"status": "not_synced"}).json["items"]
    }

    queued = client.post("/v1/accounts/sync", json={"status": "not_synced"}, headers=auth(firm))
    assert queued.status_code == 202, queued.json
    assert queued.json["counts"] == {"queued": len(ACCOUNTS)}
    for item in queued.json["items"]:
        run_sync_account(services.uow(), services.qbo, item["job_id"], "w", services.clock)

    for external_id, predicted in report.items():
        account = client.get(f"/v1/accounts/{external_id}", headers=auth(firm)).json
        if predicted["outcome"] == "needs_person":
            assert account["status"] == "failed", account
            assert account["error"]["code"] == predicted["error"]["code"]
        else:
            assert account["status"] == "synced", account
        if predicted["outcome"] == "link":
            assert account["qbo_customer_id"] == predicted["customer_id"]
    created = [
        c
        for c in sandbox.state.customers(sandbox.realm_id)
        if c["DisplayName"] == "Brand New Person"
    ]
    assert len(created) == 1
    assert not [
        c for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == "Melton, John"
    ]  # a near match is never linked or duplicated on its own


@pytest.mark.usefixtures("accounts")
def test_an_account_with_a_job_already_is_left_to_that_job(client: FlaskClient, firm: Firm) -> None:
    first = client.post("/v1/accounts/amy/sync", headers=auth(firm)).json
    answer = client.post(
        "/v1/accounts/sync", json={"external_ids": ["amy", "new"]}, headers=auth(firm)
    ).json
    outcomes = {item["external_id"]: (item["outcome"], item["job_id"]) for item in answer["items"]}
    assert outcomes["amy"] == ("already_syncing", first["id"])
    assert outcomes["new"][0] == "queued"
    assert dry_run(client, firm, {"external_ids": ["amy"]}).json["items"][0]["outcome"] == (
        "already_syncing"
    )


@pytest.mark.usefixtures("accounts")
def test_a_status_takes_at_most_the_bulk_limit_and_says_how_many_remain(
    client: FlaskClient, firm: Firm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_sync, "MAX_BULK_ACCOUNTS", 4)
    first = client.post("/v1/accounts/sync", json={"status": "not_synced"}, headers=auth(firm))
    assert (len(first.json["items"]), first.json["remaining"]) == (4, 2)
    second = client.post("/v1/accounts/sync", json={"status": "not_synced"}, headers=auth(firm))
    assert (len(second.json["items"]), second.json["remaining"]) == (2, 0)


@pytest.mark.usefixtures("accounts")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "external_ids"),
        ({"external_ids": ["amy"], "status": "failed"}, "external_ids"),
        ({"external_ids": []}, "external_ids"),
        ({"external_ids": [f"a-{n}" for n in range(1001)]}, "external_ids"),
        ({"external_ids": ["amy", "nobody", "nor-this"]}, "external_ids"),
        ({"status": "lost"}, "status"),
        ({"status": "failed", "dry_run": "yes"}, "dry_run"),
        ({"status": "failed", "limit": 3}, "limit"),
    ],
)
def test_a_bad_bulk_request_is_refused_and_queues_nothing(
    client: FlaskClient, services: Services, firm: Firm, body: dict[str, Any], field: str
) -> None:
    before = row_counts(services)
    answer = client.post("/v1/accounts/sync", json=body, headers=auth(firm))
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert row_counts(services) == before


def test_unknown_accounts_are_named_in_the_refusal(client: FlaskClient, firm: Firm) -> None:
    answer = client.post(
        "/v1/accounts/sync", json={"external_ids": ["ghost-1", "ghost-2"]}, headers=auth(firm)
    )
    assert answer.status_code == 422
    assert "ghost-1, ghost-2" in answer.json["message"]


@pytest.mark.usefixtures("accounts")
def test_a_firm_whose_first_sync_takes_active_accounts_only_selects_those_with_invoices(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    client.patch("/v1/settings", json={"first_sync_scope": "with_activity"}, headers=auth(firm))
    with services.uow() as uow:
        account = uow.accounts.get(firm.id, "new")
        assert account is not None and account.id is not None
        now = services.clock()
        uow.invoices.add(
            Invoice(firm_id=firm.id, external_id="inv-1", created_at=now, updated_at=now,
                    account_id=account.id, issued_on=now.date())
        )  # fmt: skip
        uow.commit()

    answer = client.post("/v1/accounts/sync", json={"status": "not_synced"}, headers=auth(firm))

    assert [item["external_id"] for item in answer.json["items"]] == ["new"]
    named = client.post("/v1/accounts/sync", json={"external_ids": ["amy"]}, headers=auth(firm))
    assert named.json["counts"] == {"queued": 1}  # naming an account takes it regardless
