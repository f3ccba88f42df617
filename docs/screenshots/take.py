"""Take the README's screenshots of the web page: `.venv/bin/python docs/screenshots/take.py`.

It starts the embedded system (what `qbsync dev` runs: SQLite, the bundled QBO sandbox with
its demo company, the API and a worker) on a free port, sends demo accounts and invoices
through the API, and drives Debian's Chromium (`/usr/bin/chromium`, or `--chromium PATH`)
with Playwright to take, in this folder:

- first-sync.png     the first-sync view while the bulk sync runs (the sandbox answers slowly)
- accounts.png       the Accounts list with every status
- tooltip-failed.png the tooltip of a Failed status, with its error
- sync-dialog.png    the "Sync Account to QuickBooks" dialog, candidates first

About a minute; it writes nothing else and stops everything it started.
"""

from __future__ import annotations

import argparse
import random
import socket
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from api.embedded import embedded_system
from sandbox.seed import DEMO_REALM_ID

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Accounts shown on the list's first page: names the demo company has (linked), near ones
# (a person must choose: Failed), names QBO refuses (Failed), and new ones (created).
SHOWCASE = [
    "Amy's Bird Sanctuary",
    "Cool Cars",
    "Cool Cars LLC",
    "Freeman Sporting Goods",
    "Rodriguez, Diego",
    "Harbor View Dental",
    "Bill's Windsurf Shop",
    "Smith: Holdings",
    "Jeff's Jalopies",
    "Northwind Traders",
    "Melton, John",
    "Geeta Kalapatapu",
]
GIVEN = ["Avery", "Blake", "Carmen", "Dana", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonah"]
FAMILY = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan", "Castillo", "Novak", "Shah"]
TRADES = ["Bakery", "Dental", "Landscaping", "Law Office", "Plumbing", "Studio", "Consulting"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--accounts", type=int, default=540, help="accounts for the first sync")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        embedded_system(Path(folder) / "shots.sqlite3", _free_port(), None) as running,
    ):
        api = httpx.Client(
            base_url=running.api_url,
            headers={"Authorization": f"Bearer {running.api_key}"},
            timeout=30,
        )
        _send_accounts(api, args.accounts)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            _sign_in(page, running.web_url, running.api_key)
            _first_sync(page, running.sandbox_url, args.out)
            _after_the_first_sync(page, api, running.sandbox_url)
            _accounts(page, running.web_url, running.sandbox_url, api, args.out)
            _sync_dialog(page, args.out)
            browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _send_accounts(api: httpx.Client, count: int) -> None:
    names = list(SHOWCASE)
    chance = random.Random(19)
    while len(names) < count:
        name = (
            f"{chance.choice(GIVEN)} {chance.choice(FAMILY)}"
            if chance.random() < 0.5
            else f"{chance.choice(FAMILY)} {chance.choice(TRADES)}"
        )
        names.append(f"{name} {len(names)}")
    for number, name in enumerate(names, 1):
        api.put(f"/v1/accounts/c-{number}", json={"name": name}).raise_for_status()
    for number in (1, 2, 4, 7):  # a few invoices, pushed once their account is synced
        invoice = {
            "account_id": f"c-{number}",
            "number": f"INV-{1000 + number}",
            "issued_on": "2026-11-02",
            "lines": [
                {"service": "Bookkeeping", "quantity": "3", "rate": "150", "amount": "450.00"}
            ],
            "total": "450.00",
        }
        api.put(f"/v1/invoices/i-{number}", json=invoice).raise_for_status()


def _sign_in(page: Page, web_url: str, api_key: str) -> None:
    page.goto(web_url)
    page.get_by_label("API key").fill(api_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()


def _first_sync(page: Page, sandbox_url: str, out: Path) -> None:
    """The first-sync view with its bar part-way: QBO answers in about two seconds here."""
    httpx.put(f"{sandbox_url}/_sandbox/latency", json={"ms": 1800, "jitter_ms": 400})
    page.get_by_role("link", name="First sync", exact=True).click()
    page.get_by_role("button", name="Start the first sync").click()
    expect(page.locator("[data-messages]")).to_contain_text("queued for their first sync")
    page.wait_for_function(
        "() => { const bar = document.querySelector('progress');"
        " return bar.value >= bar.max * 0.25 && bar.value <= bar.max * 0.8; }",
        timeout=120_000,
        polling=200,
    )
    page.screenshot(path=out / "first-sync.png")


def _after_the_first_sync(page: Page, api: httpx.Client, sandbox_url: str) -> None:
    """Wait (on the page's own live counts) for the bulk sync to settle; then turn one account
    off, delete another's customer in QBO (it becomes Not synced, with the reason) and add
    one that is not synced yet."""
    page.wait_for_function(
        "() => document.querySelector('[data-live-count=\"accounts:syncing\"]')"
        ".textContent.trim() === '0'",
        timeout=180_000,
        polling=500,
    )
    httpx.put(f"{sandbox_url}/_sandbox/latency", json={"ms": 0, "jitter_ms": 0})
    api.post("/v1/accounts/c-10/unsync").raise_for_status()
    customer = api.get("/v1/accounts/c-9").json()["qbo_customer_id"]
    deactivate = f"/_sandbox/realms/{DEMO_REALM_ID}/customers/{customer}/deactivate"
    httpx.post(f"{sandbox_url}{deactivate}").raise_for_status()  # its webhook reaches the API
    api.put("/v1/accounts/c-new-1", json={"name": "Lakeside Physio"}).raise_for_status()


def _accounts(page: Page, web_url: str, sandbox_url: str, api: httpx.Client, out: Path) -> None:
    """The list with every status (one Syncing while QBO takes its time), and the tooltip of
    a Failed status."""
    page.goto(f"{web_url}accounts")
    expect(page.locator("tr", has_text="Jeff's Jalopies")).to_contain_text("Not synced")
    httpx.put(f"{sandbox_url}/_sandbox/latency", json={"ms": 4000, "jitter_ms": 0})
    customer = api.get("/v1/accounts/c-12").json()["qbo_customer_id"]
    api.post("/v1/accounts/c-12/sync", json={"customer_id": customer}).raise_for_status()
    page.reload()
    expect(page.locator("tr", has_text="Geeta Kalapatapu")).to_contain_text("Syncing")
    page.screenshot(path=out / "accounts.png", full_page=False)
    httpx.put(f"{sandbox_url}/_sandbox/latency", json={"ms": 0, "jitter_ms": 0})
    row = page.locator("tr", has_text="Cool Cars LLC")
    row.locator(".badge").hover()
    expect(row.get_by_role("tooltip")).to_be_visible()
    page.screenshot(
        path=out / "tooltip-failed.png", clip={"x": 0, "y": 0, "width": 1280, "height": 560}
    )


def _settled(api: httpx.Client) -> None:
    """Wait for the last sync to end, so that stopping interrupts no job."""
    deadline = time.monotonic() + 60
    while api.get("/v1/accounts/summary").json()["counts"]["syncing"]:
        if time.monotonic() > deadline:
            raise SystemExit("an account is still syncing after a minute")
        time.sleep(0.2)  # polling the API, not a guess at how long the job takes


def _sync_dialog(page: Page, out: Path) -> None:
    page.locator("tr", has_text="Cool Cars LLC").get_by_role("link").click()
    page.get_by_label("Actions for Cool Cars LLC").click()
    page.get_by_role("link", name="Sync Account to QuickBooks").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Suggested for this account")).to_be_visible()
    dialog.get_by_label("Cool Cars Id 3").check()
    page.screenshot(path=out / "sync-dialog.png")


if __name__ == "__main__":
    main()
