"""Headless Chromium for the web page's browser tests: Debian's `chromium` (/usr/bin/chromium)
driven by Playwright, never Playwright's own browser download: one browser for the whole test
session (the tests' session fixture holds `launched_chromium`), a fresh context (cookies,
storage) for each test (`new_tab`).

Where Chromium is missing the browser tests skip, saying so, unless QBSYNC_REQUIRE_SERVERS=1
(CI, whose .ci/run installs it), where they fail, as a missing PostgreSQL or Redis does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from core.bootstrap import Services
from core.config import Settings
from tests.api.web import SECRET_KEY
from tests.conftest import TEST_ENCRYPTION_KEY, built_services
from tests.servers import REQUIRE_SERVERS

CHROMIUM = Path(os.environ.get("QBSYNC_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a job through the real worker on a busy 2-core machine; a failing
# expectation waits this long before it fails.
EXPECT_TIMEOUT_MS = 20_000


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Headless Chromium, for a test session; skipped (or failed) where it is missing."""
    if not CHROMIUM.exists():
        missing = (
            f"no Chromium at {CHROMIUM}: install Debian's chromium package (.ci/run does), "
            "or name another with QBSYNC_TEST_CHROMIUM"
        )
        if REQUIRE_SERVERS:
            pytest.fail(f"QBSYNC_REQUIRE_SERVERS=1 but {missing}")
        pytest.skip(missing)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def new_tab(browser: Browser, **options: Any) -> Iterator[Page]:
    """A browser tab in a context of its own (no cookie of another test), with `options`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def web_services(database_url: str) -> AbstractContextManager[Services]:
    """The scenario's services, with the web page on (its secret key)."""
    settings = Settings(
        database_url=database_url,
        encryption_keys=(TEST_ENCRYPTION_KEY,),
        secret_key=SECRET_KEY,
    )
    return built_services(settings)
