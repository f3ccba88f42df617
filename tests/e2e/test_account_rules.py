"""SPEC §2, rule by rule and status by status, through the running system: PostgreSQL, Redis,
the real `dramatiq` CLI worker, the API and the sandbox over loopback HTTP (Done-when 1 of
issue 14). Each scenario asserts the status, the QBO state in the sandbox and the history.
Deleted and merged customers (rule 6) are in test_qbo_changes.py."""

from __future__ import annotations

from typing import Any

from sandbox.seed import INACTIVE_CUSTOMER
from tests.conftest import Sandbox
from tests.e2e.account_steps import account, history, moves, put, settled, sync, unsync
from tests.e2e.conftest import System


def customers_named(sandbox: Sandbox, name: str) -> list[dict[str, Any]]:
    return [c for c in sandbox.state.customers(sandbox.realm_id) if c["DisplayName"] == name]


def test_rule_1_a_rename_changes_nothing_in_qbo_and_raises_no_error(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "r-1", "Rename Me Ltd")
    linked = sync(system, "r-1")
    entries = len(history(system, "r-1"))

    renamed = put(system, "r-1", "Renamed Ltd")

    assert (renamed["status"], renamed["error"]) == ("synced", None)
    assert renamed["qbo_customer_id"] == linked["qbo_customer_id"]
    assert [c["Id"] for c in customers_named(sandbox, "Rename Me Ltd")] == [
        linked["qbo_customer_id"]
    ]
    assert customers_named(sandbox, "Renamed Ltd") == []
    assert len(history(system, "r-1")) == entries  # a rename is no status change


def test_rule_2_a_first_sync_links_a_namesake_and_creates_what_qbo_lacks(
    system: System, sandbox: Sandbox
) -> None:
    [amy] = customers_named(sandbox, "Amy's Bird Sanctuary")
    put(system, "m-1", "  Amy's Bird Sanctuary ")  # matching trims surrounding white space
    put(system, "m-2", "Wholly New Client")

    matched, created = sync(system, "m-1"), sync(system, "m-2")

    assert (matched["status"], matched["qbo_customer_id"]) == ("synced", amy["Id"])
    [new] = customers_named(sandbox, "Wholly New Client")
    assert (created["status"], created["qbo_customer_id"]) == ("synced", new["Id"])
    assert len(customers_named(sandbox, "Amy's Bird Sanctuary")) == 1
    for external_id in ("m-1", "m-2"):
        assert moves(system, external_id) == [("not_synced", "syncing"), ("syncing", "synced")]
        assert history(system, external_id)[-1]["cause"] == "linked to QBO customer"


def test_rule_3_a_created_customer_gets_the_firms_customer_type(
    system: System, sandbox: Sandbox
) -> None:
    types = {
        t["Name"]: t["Id"]
        for t in sandbox.state.query(sandbox.realm_id, "select * from CustomerType")["CustomerType"]
    }
    put(system, "t-1", "Typed Person")
    sync(system, "t-1")
    patched = system.http.patch(
        "/v1/settings", json={"default_customer_type": "Business"}, headers=system.headers
    )
    assert patched.status_code == 200
    put(system, "t-2", "Typed Business")
    sync(system, "t-2")

    [person] = customers_named(sandbox, "Typed Person")
    [business] = customers_named(sandbox, "Typed Business")
    assert person["CustomerTypeRef"] == {"value": types["Individual"]}
    assert business["CustomerTypeRef"] == {"value": types["Business"]}


def test_rule_4_an_admin_links_to_a_chosen_customer_or_a_new_one_from_any_status(
    system: System, sandbox: Sandbox
) -> None:
    [cool_cars] = customers_named(sandbox, "Cool Cars")
    put(system, "c-1", INACTIVE_CUSTOMER)  # Failed: its only namesake is inactive
    failed = sync(system, "c-1")
    assert (failed["status"], failed["error"]["code"]) == ("failed", "inactive_customer")

    chosen = sync(system, "c-1", customer_id=cool_cars["Id"])  # from Failed
    assert (chosen["status"], chosen["qbo_customer_id"]) == ("synced", cool_cars["Id"])

    unsync(system, "c-1")
    put(system, "c-1", "Kathy's New Kookies")
    created = sync(system, "c-1", create=True)  # from Skipped
    [new] = customers_named(sandbox, "Kathy's New Kookies")
    assert (created["status"], created["qbo_customer_id"]) == ("synced", new["Id"])

    put(system, "c-2", "Never Synced Client")
    direct = sync(system, "c-2", customer_id=cool_cars["Id"])  # from Not synced
    assert direct["qbo_customer_id"] == cool_cars["Id"]
    assert customers_named(sandbox, "Never Synced Client") == []
    assert moves(system, "c-1") == [
        ("not_synced", "syncing"),
        ("syncing", "failed"),
        ("failed", "syncing"),
        ("syncing", "synced"),
        ("synced", "skipped"),
        ("skipped", "syncing"),
        ("syncing", "synced"),
    ]


def test_rule_5_a_skipped_account_raises_nothing_and_no_automatic_path_syncs_it(
    system: System, sandbox: Sandbox
) -> None:
    system.http.patch("/v1/settings", json={"auto_sync_new_accounts": True}, headers=system.headers)
    put(system, "s-1", "Skip This Client")
    settled(system, "s-1")
    skipped = unsync(system, "s-1")
    assert (skipped["status"], skipped["error"]) == ("skipped", None)
    assert history(system, "s-1")[-1]["cause"] == "sync turned off"

    put(system, "s-1", "Skip This Client, renamed")  # an update is no new account
    bulk = system.http.post(
        "/v1/accounts/sync", json={"status": "not_synced"}, headers=system.headers
    ).json()
    assert "s-1" not in [item["external_id"] for item in bulk["items"]]
    assert account(system, "s-1")["status"] == "skipped"
    assert customers_named(sandbox, "Skip This Client, renamed") == []

    again = sync(system, "s-1")  # syncing it again works
    assert again["status"] == "synced"


def test_rule_7_a_new_account_is_synced_as_it_arrives_when_the_firm_says_so(
    system: System, sandbox: Sandbox
) -> None:
    put(system, "a-0", "Arrived Before The Setting")
    patched = system.http.patch(
        "/v1/settings", json={"auto_sync_new_accounts": True}, headers=system.headers
    )
    assert patched.json()["auto_sync_new_accounts"] is True

    put(system, "a-1", "Arrived After The Setting")
    arrived = settled(system, "a-1")

    [customer] = customers_named(sandbox, "Arrived After The Setting")
    assert (arrived["status"], arrived["qbo_customer_id"]) == ("synced", customer["Id"])
    assert history(system, "a-1")[0]["cause"] == "new account: synced automatically"
    assert account(system, "a-0")["status"] == "not_synced"
    assert customers_named(sandbox, "Arrived Before The Setting") == []


def test_every_status_is_reached_and_explained(system: System, sandbox: Sandbox) -> None:
    put(system, "x-ok", "Status Synced Co")
    put(system, "x-new", "Status Never Synced Co")
    put(system, "x-skip", "Status Skipped Co")
    put(system, "x-bad", "Status: Failed Co")  # QBO forbids the colon
    synced, failed = sync(system, "x-ok"), sync(system, "x-bad")
    skipped = unsync(system, "x-skip")

    assert synced["status"] == "synced" and synced["qbo_customer_id"]
    assert account(system, "x-new")["status"] == "not_synced"
    assert skipped["status"] == "skipped"
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "name_forbidden_characters"
    assert "colon" in failed["error"]["message"]
    assert failed["error"]["retryable"] is False
    assert ("not_synced", "syncing") in moves(system, "x-ok")  # Syncing, while its job ran
    assert history(system, "x-bad")[-1]["error"]["code"] == "name_forbidden_characters"
    assert customers_named(sandbox, "Status: Failed Co") == []
    summary = system.http.get("/v1/accounts/summary", headers=system.headers).json()
    assert summary["counts"] == {
        "synced": 1,
        "not_synced": 1,
        "skipped": 1,
        "failed": 1,
        "syncing": 0,
    }
