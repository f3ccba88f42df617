"""The web page in headless Chromium, over the running system: the API served over loopback
HTTP, a real worker, the bundled sandbox's demo company. What a bookkeeper does: sign in, filter
by Failed, read a tooltip, sync an account to a chosen customer and see it turn Synced, unsync
one and see its invoices turn Skipped, watch the first sync fill in; and, without JavaScript,
the same forms still work.

Every wait is one of Playwright's expectations, which retry until they hold; a page that is
not reloaded is told by a mark left in its window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from api.app import create_app
from core.bootstrap import Services
from tests.api.billing import an_invoice
from tests.conftest import Firm
from tests.e2e.browser import launched_chromium, new_tab, web_services
from tests.e2e.conftest import System
from tests.fakes import RecordingDispatcher
from tests.http_server import serving

NOT_RELOADED = "window.qbsyncNotReloaded"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test of the session."""
    with launched_chromium() as browser:
        yield browser


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    with new_tab(chromium) as page:
        yield page


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    """The running system's services (tests/e2e/conftest.py), with the web page on."""
    with web_services(database_url) as built:
        yield built


def sign_in(page: Page, system: System, firm: Firm) -> None:
    page.goto(f"{system.url}/app/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("API key").fill(firm.api_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()


def put(system: System, path: str, body: dict[str, object]) -> None:
    answer = system.http.put(path, json=body, headers=system.headers)
    assert answer.status_code in (200, 201), answer.text


def post(system: System, path: str, body: dict[str, object] | None = None) -> None:
    answer = system.http.post(path, json=body, headers=system.headers)
    assert answer.status_code in (200, 202), answer.text


def row(page: Page, name: str) -> Locator:
    """The table row whose header is `name`."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def mark_the_page(page: Page) -> None:
    page.evaluate(f"{NOT_RELOADED} = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(f"{NOT_RELOADED} === true"), "the page was loaded again"


def test_an_admin_signs_in_filters_by_failed_and_reads_the_failure_s_tooltip(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    put(system, "/v1/accounts/c-1", {"name": "Cool Cars"})
    put(system, "/v1/accounts/c-2", {"name": "Smith: Holdings"})
    put(system, "/v1/accounts/c-3", {"name": "Lakeside Physio"})
    post(system, "/v1/accounts/sync", {"external_ids": ["c-1", "c-2"]})

    sign_in(page, system, firm)
    failed = row(page, "Smith: Holdings").locator(".badge")
    expect(failed).to_have_text("Failed")  # the worker's outcome, shown as it comes
    expect(row(page, "Cool Cars").locator(".badge")).to_have_text("Synced")
    page.get_by_role("link", name=re.compile(r"^Failed 1$")).click()

    expect(page).to_have_url(re.compile(r"/app/accounts\?status=failed$"))
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one failed account
    tooltip = page.get_by_role("tooltip")
    expect(tooltip).to_be_hidden()
    failed.hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Failed: The last attempt failed.")
    expect(tooltip).to_contain_text("QuickBooks does not allow a colon in a customer name")
    expect(tooltip).to_contain_text("Code: name_forbidden_characters")
    expect(tooltip).to_contain_text("Retrying may help: no")


def test_a_tooltip_shows_on_keyboard_focus_describes_its_badge_and_escape_hides_it(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    put(system, "/v1/accounts/c-2", {"name": "Smith: Holdings"})
    post(system, "/v1/accounts/c-2/sync")

    sign_in(page, system, firm)
    badge = row(page, "Smith: Holdings").locator(".badge")
    expect(badge).to_have_text("Failed")
    page.get_by_label("Search by name").focus()
    page.keyboard.press("Tab")  # the Search button
    for _ in range(20):  # on through the filters, to the first badge
        page.keyboard.press("Tab")
        if badge.evaluate("element => element === document.activeElement"):
            break

    expect(badge).to_be_focused()
    expect(page.get_by_role("tooltip")).to_be_visible()
    expect(badge).to_have_accessible_description(re.compile("does not allow a colon"))
    page.keyboard.press("Escape")
    expect(page.get_by_role("tooltip")).to_be_hidden()


def test_syncing_an_account_to_a_chosen_customer_turns_it_synced_without_a_reload(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    put(system, "/v1/accounts/c-1", {"name": "Cool Cars LLC"})
    sign_in(page, system, firm)
    page.get_by_role("link", name="Cool Cars LLC").click()
    expect(page.get_by_role("heading", name="Cool Cars LLC")).to_be_visible()
    mark_the_page(page)

    page.get_by_label("Actions for Cool Cars LLC").click()
    page.get_by_role("link", name="Sync Account to QuickBooks").click()
    dialog = page.get_by_role("dialog", name="Sync Cool Cars LLC to QuickBooks")
    expect(dialog).to_be_visible()
    suggested = dialog.get_by_role("group", name="Suggested for this account")
    expect(suggested.get_by_role("radio")).to_have_count(1)
    suggested.get_by_label("Cool Cars Id 3").check()
    dialog.get_by_role("button", name="Sync to the chosen customer").click()

    expect(dialog).to_be_hidden()
    message = "Syncing Cool Cars LLC to QuickBooks customer 3."
    expect(page.get_by_role("status")).to_contain_text(message)
    facts = page.locator("dl.facts")
    expect(facts.locator(".badge")).to_have_text("Synced")
    expect(facts).to_contain_text("Cool Cars Id 3")
    assert_not_reloaded(page)


def test_the_dialog_searches_the_company_s_customers_and_creates_a_new_one(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    put(system, "/v1/accounts/c-1", {"name": "Quinn Architects"})
    sign_in(page, system, firm)
    page.goto(f"{system.url}/app/accounts/c-1")
    mark_the_page(page)

    page.get_by_label("Actions for Quinn Architects").click()
    page.get_by_role("link", name="Sync Account to QuickBooks").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Search QuickBooks customers").fill("jalop")
    dialog.get_by_label("Search QuickBooks customers").press("Enter")
    expect(dialog.get_by_role("radio")).to_have_count(2)  # Jeff's Jalopies, or a new customer
    dialog.get_by_label("Create a new customer named “Quinn Architects”").check()
    dialog.get_by_role("button", name="Sync to the chosen customer").click()

    expect(page.locator("dl.facts .badge")).to_have_text("Synced")
    expect(page.locator("dl.facts")).to_contain_text(re.compile(r"Id \d+"))
    assert_not_reloaded(page)


def test_unsyncing_an_account_turns_its_invoices_skipped_without_a_reload(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    put(system, "/v1/accounts/c-1", {"name": "Cool Cars"})
    post(system, "/v1/accounts/c-1/sync")
    put(system, "/v1/invoices/i-1", an_invoice("c-1", number="INV-1"))
    put(system, "/v1/invoices/i-2", an_invoice("c-1", number="INV-2"))
    sign_in(page, system, firm)
    page.goto(f"{system.url}/app/accounts/c-1")
    invoices = page.get_by_role("region", name="Invoices").locator(".badge")
    expect(invoices).to_have_text(["Synced", "Synced"])  # pushed once the account linked
    mark_the_page(page)

    page.get_by_label("Actions for Cool Cars", exact=True).click()
    page.get_by_role("button", name="Unsync", exact=True).click()

    expect(page.locator("dl.facts .badge")).to_have_text("Skipped")
    expect(invoices).to_have_text(["Skipped", "Skipped"])
    expect(page.get_by_role("status")).to_contain_text("it and its invoices are Skipped")
    assert_not_reloaded(page)
    page.goto(f"{system.url}/app/invoices")  # an invoice's Sync waits for its account
    expect(page.get_by_role("button", name="Sync invoice i-1")).to_be_disabled()
    reason = "Sync waits: its account 'c-1' is not synced to QuickBooks."
    expect(page.get_by_role("button", name="Sync invoice i-1")).to_have_accessible_description(
        reason
    )


def test_the_first_sync_view_fills_in_while_the_bulk_sync_runs(
    tab: Page, system: System, firm: Firm
) -> None:
    page = tab
    names = ["Cool Cars", "Amy's Bird Sanctuary", "Smith: Holdings", "Lakeside Physio"]
    names += [f"New Client {n}" for n in range(1, 9)]
    for number, name in enumerate(names, 1):
        put(system, f"/v1/accounts/c-{number}", {"name": name})
    sign_in(page, system, firm)
    page.get_by_role("link", name="First sync", exact=True).click()
    progress = page.locator("#progress-text")
    expect(progress).to_have_text("0 of 12 accounts settled (0%).")
    mark_the_page(page)

    page.get_by_role("button", name="Start the first sync").click()

    expect(page.get_by_role("status")).to_have_text("12 accounts queued for their first sync.")
    expect(progress).to_have_text("12 of 12 accounts settled (100%).")
    expect(page.get_by_role("progressbar")).to_have_attribute("max", "12")
    expect(page.locator('[data-live-count="accounts:synced"]')).to_have_text("11")
    expect(page.locator('[data-live-count="accounts:failed"]')).to_have_text("1")
    page.get_by_role("button", name="Retry all failed").click()
    expect(page.get_by_role("status")).to_have_text("1 account queued again.")
    expect(page.locator('[data-live-count="accounts:failed"]')).to_have_text("1")
    assert_not_reloaded(page)


@pytest.fixture
def tab_without_javascript(chromium: Browser) -> Iterator[Page]:
    with new_tab(chromium, java_script_enabled=False) as page:
        yield page


@pytest.fixture
def app_alone(services: Services, firm: Firm) -> Iterator[System]:
    """The API served over loopback HTTP with no worker: for what needs no job to run."""
    app = create_app(services, RecordingDispatcher())
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as http:
        yield System(http=http, headers={"Authorization": f"Bearer {firm.api_key}"}, url=url)


def test_without_javascript_the_menu_and_its_forms_still_work(
    tab_without_javascript: Page, app_alone: System, firm: Firm
) -> None:
    page, system = tab_without_javascript, app_alone
    put(system, "/v1/accounts/c-1", {"name": "Lakeside Physio"})
    sign_in(page, system, firm)
    page.get_by_role("link", name="Lakeside Physio").click()

    page.get_by_label("Actions for Lakeside Physio").click()  # details/summary: no script
    page.get_by_role("button", name="Do not sync this account").click()

    expect(page).to_have_url(f"{system.url}/app/accounts/c-1")  # the POST's redirect
    expect(page.get_by_role("status")).to_contain_text("Lakeside Physio is not synced")
    expect(page.locator("dl.facts .badge")).to_have_text("Skipped")
