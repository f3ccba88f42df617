"""Do not sync (Skipped), an account's history, and the counts per status."""

from __future__ import annotations

from flask.testing import FlaskClient

from core.bootstrap import Services
from core.services.sync_account import Outcome, run_sync_account
from tests.api.conftest import auth
from tests.conftest import Firm
from tests.fakes import FakeQbo


def create(client: FlaskClient, firm: Firm, external_id: str, name: str) -> None:
    assert client.put(
        f"/v1/accounts/{external_id}", json={"name": name}, headers=auth(firm)
    ).status_code in (200, 201)


def test_unsync_makes_an_account_skipped_and_syncing_it_again_works(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    create(client, firm, "c-1", "Jane Doe")

    skipped = client.post("/v1/accounts/c-1/unsync", headers=auth(firm))

    assert skipped.status_code == 200
    assert skipped.json["status"] == "skipped"
    job = client.post("/v1/accounts/c-1/sync", headers=auth(firm)).json
    assert client.get("/v1/accounts/c-1", headers=auth(firm)).json["status"] == "syncing"
    assert run_sync_account(services.uow(), FakeQbo(), job["id"], "w", services.clock) is (
        Outcome.SYNCED
    )
    assert client.get("/v1/accounts/c-1", headers=auth(firm)).json["status"] == "synced"


def test_a_job_that_finishes_after_an_unsync_leaves_the_account_skipped_without_error(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    create(client, firm, "c-1", "Changed Mind")
    job = client.post("/v1/accounts/c-1/sync", headers=auth(firm)).json
    client.post("/v1/accounts/c-1/unsync", headers=auth(firm))
    qbo = FakeQbo()
    qbo.other_names.add("Changed Mind")  # the create would fail: a Skipped account raises none

    run_sync_account(services.uow(), qbo, job["id"], "w", services.clock)

    account = client.get("/v1/accounts/c-1", headers=auth(firm)).json
    assert (account["status"], account["error"]) == ("skipped", None)
    assert client.get(f"/v1/jobs/{job['id']}", headers=auth(firm)).json["state"] == "failed"


def test_history_lists_every_change_with_cause_and_job(
    client: FlaskClient, services: Services, firm: Firm
) -> None:
    create(client, firm, "c-1", "Historic")
    job = client.post("/v1/accounts/c-1/sync", headers=auth(firm)).json
    run_sync_account(services.uow(), FakeQbo(), job["id"], "w", services.clock)
    client.post("/v1/accounts/c-1/unsync", headers=auth(firm))

    items = client.get("/v1/accounts/c-1/history", headers=auth(firm)).json["items"]

    assert [(i["from_status"], i["to_status"]) for i in items] == [
        ("not_synced", "syncing"),
        ("syncing", "synced"),
        ("synced", "skipped"),
    ]
    assert items[1]["job_id"] == job["id"]
    assert items[2]["cause"] == "sync turned off"


def test_the_summary_counts_every_status_of_this_firm_only(
    client: FlaskClient, firm: Firm, services: Services
) -> None:
    for n in range(3):
        create(client, firm, f"c-{n}", f"Client {n}")
    client.post("/v1/accounts/c-0/unsync", headers=auth(firm))
    client.post("/v1/accounts/c-1/sync", headers=auth(firm))

    summary = client.get("/v1/accounts/summary", headers=auth(firm)).json

    assert summary["counts"] == {
        "synced": 0,
        "not_synced": 1,
        "skipped": 1,
        "failed": 0,
        "syncing": 1,
    }
    assert summary["total"] == 3


def test_unsync_and_history_of_an_unknown_account_answer_404(
    client: FlaskClient, firm: Firm
) -> None:
    assert client.post("/v1/accounts/none/unsync", headers=auth(firm)).status_code == 404
    assert client.get("/v1/accounts/none/history", headers=auth(firm)).status_code == 404
