"""The web page's views, server side: what each page shows, and what its forms do (the way a
browser without JavaScript sends them, and the way the page's script does)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient

from core.bootstrap import Services
from core.domain.status import SyncStatus
from core.services.accounts import get_account, put_account, request_account_sync
from core.services.jobs import get_job
from tests.api.billing import an_invoice
from tests.api.web import post_form, post_from_script, sign_in, web_app
from tests.conftest import Firm
from tests.factories import a_linked_account
from tests.fakes import RecordingDispatcher

COOL_CARS = "3"  # the demo company's "Cool Cars"
FAULT = {
    "message": "Another customer, vendor or employee already uses this name.",
    "code": "6240",
    "detail": "Duplicate Name Exists Error",
    "retryable": True,
    "intuit_tid": "1-abc",
}


@dataclass
class Admin:
    """A signed-in browser: its client, its forms' CSRF token, and the firm's API headers."""

    client: FlaskClient
    token: str
    api: dict[str, str]

    def page(self, path: str) -> str:
        answer = self.client.get(path)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return answer.get_data(as_text=True)


@pytest.fixture
def dispatcher() -> RecordingDispatcher:
    return RecordingDispatcher()


@pytest.fixture
def admin(services: Services, firm: Firm, dispatcher: RecordingDispatcher) -> Iterator[Admin]:
    client = web_app(services, dispatcher).test_client()
    yield Admin(client, sign_in(client, firm.api_key), {"Authorization": f"Bearer {firm.api_key}"})


def rows(html: str) -> dict[str, str]:
    """Each live row of a page (`account:c-1` …) with its text, tags and spacing removed."""
    found = re.findall(r'<tr data-live-record="([^"]+)"[^>]*>(.*?)</tr>', html, re.S)
    return {unescape(key): text_of(row) for key, row in found}


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def failed_account(services: Services, firm: Firm, external_id: str, name: str) -> None:
    a_linked_account(services, firm.id, external_id, None, status=SyncStatus.FAILED, name=name)
    with services.uow() as uow:
        account = uow.accounts.get(firm.id, external_id)
        assert account is not None
        account.error = FAULT
        uow.commit()


def test_the_accounts_list_shows_each_status_as_a_badge_with_its_customer(
    services: Services, firm: Firm, admin: Admin
) -> None:
    a_linked_account(services, firm.id, "c-1", COOL_CARS, name="Cool Cars")
    failed_account(services, firm, "c-2", "Harbor View Dental")
    put_account(services.uow(), firm.id, "c-3", "Lakeside Physio", services.clock())

    html = admin.page("/app/accounts")

    assert rows(html) == {
        "account:c-1": "Cool Cars Synced Synced: Linked to QuickBooks; its QuickBooks Id is "
        "shown. Cool Cars Id 3",
        "account:c-2": "Harbor View Dental Failed Failed: The last attempt failed. Another "
        "customer, vendor or employee already uses this name. QuickBooks code: 6240 (Duplicate "
        "Name Exists Error) Retrying may help: yes Intuit trace id: 1-abc Not linked",
        "account:c-3": "Lakeside Physio Not synced Not synced: Never synced, or its QuickBooks "
        "record was deleted; it can be synced. Not linked",
    }
    filters = text_of(html.split('aria-label="Filter by QuickBooks status">')[1].split("</nav>")[0])
    assert filters == "All 3 Synced 1 Not synced 1 Skipped 0 Failed 1 Syncing 0"


def test_a_status_s_tooltip_is_its_description_for_a_screen_reader_too(
    services: Services, firm: Firm, admin: Admin
) -> None:
    failed_account(services, firm, "c-2", "Harbor View Dental")

    html = admin.page("/app/accounts")

    badge = re.search(
        r'<span class="badge badge-failed" tabindex="0" aria-describedby="([^"]+)"', html
    )
    assert badge, "the badge is focusable and described by its tooltip"
    tooltip = re.search(
        rf'<span class="tip" role="tooltip" id="{badge.group(1)}">(.*?)</span>\n</span>', html, re.S
    )
    assert tooltip and "Retrying may help: yes" in text_of(tooltip.group(1))


def test_the_list_filters_by_status_searches_by_name_and_pages(
    services: Services, firm: Firm, admin: Admin
) -> None:
    for number in range(1, 56):
        put_account(
            services.uow(), firm.id, f"c-{number:02}", f"Client {number:02}", services.clock()
        )
    a_linked_account(services, firm.id, "c-cool", COOL_CARS, name="Cool Cars")
    failed_account(services, firm, "c-failed", "Harbor View Dental")

    failed = rows(admin.page("/app/accounts?status=failed"))
    searched = rows(admin.page("/app/accounts?q=+COOL+"))
    second = admin.page("/app/accounts?page=2")

    assert list(failed) == ["account:c-failed"]
    assert list(searched) == ["account:c-cool"]
    assert list(rows(second)) == [f"account:c-{n}" for n in range(51, 56)] + [
        "account:c-cool",
        "account:c-failed",
    ]
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("query", ["status=lost", "q=%00", "page=0", "q=" + "x" * 201])
def test_arguments_the_api_refuses_are_a_400_page(admin: Admin, query: str) -> None:
    answer = admin.client.get(f"/app/accounts?{query}")

    assert answer.status_code == 400
    assert answer.content_type.startswith("text/html")


def test_the_info_view_shows_history_and_a_menu_that_follows_the_status(
    services: Services, firm: Firm, admin: Admin, dispatcher: RecordingDispatcher
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars", services.clock())
    request_account_sync(services.uow(), dispatcher, firm.id, "c-1", services.clock())

    syncing = admin.page("/app/accounts/c-1")
    post_form(admin.client, "/app/accounts/c-1/unsync", admin.token)
    skipped = admin.page("/app/accounts/c-1")

    assert "Not synced → Syncing sync requested" in text_of(syncing)
    assert "Sync Account to QuickBooks" in syncing and "Do not sync this account" in syncing
    assert "Syncing → Skipped sync turned off" in text_of(skipped)
    assert "Do not sync this account" not in skipped and ">Unsync<" not in skipped
    a_linked_account(services, firm.id, "c-2", COOL_CARS, name="Cool Cars 2")
    assert ">Unsync</button>" in admin.page("/app/accounts/c-2")


def test_the_sync_dialog_lists_the_candidates_first_then_the_customers_then_a_new_one(
    services: Services, firm: Firm, admin: Admin
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars LLC", services.clock())

    dialog = admin.page("/app/accounts/c-1/link?fragment=1")
    searched = admin.page("/app/accounts/c-1/link?fragment=1&q=jalop")
    page = admin.page("/app/accounts/c-1/link")

    text = text_of(dialog)
    assert text.index("Suggested for this account Cool Cars Id 3") < text.index(
        "QuickBooks customers (9)"
    )
    assert "differ only in a company ending" in text
    assert text.index("QuickBooks customers (9)") < text.index(
        "Create a new customer named “Cool Cars LLC”"
    )
    assert "<html" not in dialog and "<html" in page  # the dialog's part, or a page of its own
    assert "Jeff's Jalopies Id 5" in text_of(searched) and "Suggested" not in searched


def test_syncing_to_a_chosen_customer_or_a_new_one_queues_the_api_s_sync_job(
    services: Services, firm: Firm, admin: Admin, dispatcher: RecordingDispatcher
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars LLC", services.clock())
    put_account(services.uow(), firm.id, "c-2", "Lakeside Physio", services.clock())

    chosen = post_form(admin.client, "/app/accounts/c-1/sync", admin.token, choice="customer:3")
    created = post_from_script(admin.client, "/app/accounts/c-2/sync", admin.token, choice="create")

    assert chosen.status_code == 303 and chosen.headers["Location"] == "/app/accounts/c-1"
    assert "Syncing Cool Cars LLC to QuickBooks customer 3." in admin.page("/app/accounts/c-1")
    assert created.json == {
        "message": "Syncing Lakeside Physio to a new QuickBooks customer.",
        "ok": True,
    }
    jobs = [get_job(services.uow(), firm.id, job_id).job for job_id in dispatcher.sent]
    assert [job.params for job in jobs] == [{"customer_id": "3"}, {"create": True}]
    assert get_account(services.uow(), firm.id, "c-1").status is SyncStatus.SYNCING


@pytest.mark.parametrize("choice", ["customer:3 OR 1=1", "customer:", "anything"])
def test_a_choice_that_is_no_customer_is_refused_and_queues_nothing(
    services: Services, firm: Firm, admin: Admin, dispatcher: RecordingDispatcher, choice: str
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars LLC", services.clock())

    answer = post_from_script(admin.client, "/app/accounts/c-1/sync", admin.token, choice=choice)

    assert answer.status_code == 422 and answer.json["ok"] is False
    assert dispatcher.sent == []
    assert get_account(services.uow(), firm.id, "c-1").status is SyncStatus.NOT_SYNCED


def test_an_invoice_s_sync_waits_for_its_account_with_the_reason_its_request_gets(
    services: Services, firm: Firm, admin: Admin
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars", services.clock())
    assert (
        admin.client.put("/v1/invoices/i-1", json=an_invoice("c-1"), headers=admin.api).status_code
        == 201
    )
    reason = "its account 'c-1' is not synced to QuickBooks"

    waiting = rows(admin.page("/app/invoices"))["invoice:i-1"]
    html = admin.page("/app/invoices")
    refused = post_from_script(admin.client, "/app/invoices/i-1/sync", admin.token)
    api_refused = admin.client.post("/v1/invoices/i-1/sync", headers=admin.api)

    assert f"Sync waits: {reason}." in waiting
    assert re.search(
        r'<button type="submit" class="button" disabled aria-describedby="why-invoice-\w+">Sync',
        html,
    )
    assert refused.status_code == 409 and reason in refused.json["message"]
    assert api_refused.status_code == 409 and refused.json["message"] == api_refused.json["message"]


def test_an_invoice_of_a_synced_account_can_be_synced_and_unsynced(
    services: Services, firm: Firm, admin: Admin
) -> None:
    a_linked_account(services, firm.id, "c-1", COOL_CARS, name="Cool Cars")
    admin.client.put("/v1/invoices/i-1", json=an_invoice("c-1"), headers=admin.api)

    before = admin.page("/app/invoices")
    unsynced = post_from_script(admin.client, "/app/invoices/i-1/unsync", admin.token)
    synced = post_form(admin.client, "/app/invoices/i-1/sync", admin.token, next="/app/invoices")

    assert "Sync waits" not in before and "disabled" not in rows(before)["invoice:i-1"]
    assert unsynced.json == {"message": "Invoice i-1 is not synced: it is Skipped.", "ok": True}
    assert synced.status_code == 303 and synced.headers["Location"] == "/app/invoices"
    assert "Syncing invoice i-1." in admin.page("/app/invoices")


def test_unsyncing_an_account_turns_its_invoices_off_too(
    services: Services, firm: Firm, admin: Admin
) -> None:
    a_linked_account(services, firm.id, "c-1", COOL_CARS, name="Cool Cars")
    admin.client.put("/v1/invoices/i-1", json=an_invoice("c-1"), headers=admin.api)

    answer = post_from_script(admin.client, "/app/accounts/c-1/unsync", admin.token)

    assert answer.json["message"] == "Cool Cars is not synced: it and its invoices are Skipped."
    account_page = rows(admin.page("/app/accounts/c-1"))
    assert account_page["invoice:i-1"].startswith("INV-1001 2026-03-01 450.00 Skipped")


def test_a_payment_waits_for_its_invoice(services: Services, firm: Firm, admin: Admin) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars", services.clock())
    admin.client.put("/v1/invoices/i-1", json=an_invoice("c-1"), headers=admin.api)
    payment = {"invoice_id": "i-1", "amount": "100.00", "paid_on": "2026-03-15"}
    admin.client.put("/v1/payments/p-1", json=payment, headers=admin.api)

    row = rows(admin.page("/app/payments"))["payment:p-1"]

    assert row.startswith("p-1 i-1 2026-03-15 100.00 Not synced")
    assert "Sync waits: its invoice 'i-1' is not synced to QuickBooks." in row


def test_the_first_sync_queues_every_account_never_synced_and_retries_the_failed(
    services: Services, firm: Firm, admin: Admin
) -> None:
    for number in range(1, 4):
        put_account(services.uow(), firm.id, f"c-{number}", f"Client {number}", services.clock())
    failed_account(services, firm, "c-failed", "Harbor View Dental")
    a_linked_account(services, firm.id, "c-synced", COOL_CARS, name="Cool Cars")

    view = text_of(admin.page("/app/first-sync"))
    started = post_from_script(admin.client, "/app/first-sync", admin.token)
    again = post_from_script(admin.client, "/app/first-sync", admin.token)
    retried = post_form(admin.client, "/app/first-sync/retry-failed", admin.token)

    progress = "2 of 5 accounts settled ( 40 %). 1 Synced 3 Not synced 0 Skipped 1 Failed 0 Syncing"
    assert progress in view
    assert started.json["message"] == "3 accounts queued for their first sync."
    assert again.json["message"] == "No account is waiting for its first sync."
    assert retried.status_code == 303 and retried.headers["Location"] == "/app/first-sync"
    assert "1 account queued again." in admin.page("/app/first-sync")
    statuses = {get_account(services.uow(), firm.id, x).status for x in ("c-1", "c-failed")}
    assert statuses == {SyncStatus.SYNCING}


def test_live_sends_only_what_changed_and_the_counts(
    services: Services, firm: Firm, admin: Admin, dispatcher: RecordingDispatcher
) -> None:
    put_account(services.uow(), firm.id, "c-1", "Cool Cars", services.clock())
    put_account(services.uow(), firm.id, "c-2", "Lakeside Physio", services.clock())
    html = admin.page("/app/accounts")
    signatures = dict(re.findall(r'data-live-record="(account:[^"]+)" data-live-sig="(\w+)"', html))
    request_account_sync(services.uow(), dispatcher, firm.id, "c-1", services.clock())

    live = live_answer(admin, [f"account:{signatures[f'account:c-{n}']}:c-{n}" for n in (1, 2)])

    assert list(live["records"]) == ["account:c-1"]
    changed = live["records"]["account:c-1"]
    assert changed["sig"] != signatures["account:c-1"]
    assert "badge-syncing" in changed["cells"]["status"]
    assert live["counts"] == {
        "accounts:synced": 0, "accounts:not_synced": 1, "accounts:skipped": 0,
        "accounts:failed": 0, "accounts:syncing": 1, "accounts:total": 2,
        "accounts:settled": 0, "accounts:percent": 0,
    }  # fmt: skip


def live_answer(admin: Admin, records: list[str]) -> Any:
    query = "&".join(f"record={r}" for r in records) + "&counts=accounts&page=/app/accounts"
    answer = admin.client.get(f"/app/live?{query}", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    return answer.json


def test_live_shows_nothing_of_another_firm_s_records(services: Services, admin: Admin) -> None:
    from core.services.firms import create_firm

    other, _ = create_firm(services.uow(), "Other firm", services.clock())
    put_account(services.uow(), other, "theirs", "Their Client", services.clock())

    live = live_answer(admin, ["account::theirs", "invoice::theirs", "nothing::x", "account:x"])

    assert live["records"] == {}
    assert live["counts"]["accounts:total"] == 0


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/app/accounts/theirs"),
        ("GET", "/app/accounts/theirs/link"),
        ("POST", "/app/accounts/theirs/sync"),
        ("POST", "/app/accounts/theirs/unsync"),
        ("GET", "/app/invoices?account_id=theirs"),
    ],
)
def test_another_firm_s_account_is_not_found(
    services: Services, admin: Admin, method: str, path: str
) -> None:
    from core.services.firms import create_firm

    other, _ = create_firm(services.uow(), "Other firm", services.clock())
    put_account(services.uow(), other, "theirs", "Their Client", services.clock())

    answer = admin.client.open(path, method=method, data={"csrf_token": admin.token})

    assert answer.status_code == 404
    assert "Their Client" not in answer.get_data(as_text=True)
    assert get_account(services.uow(), other, "theirs").status is SyncStatus.NOT_SYNCED
