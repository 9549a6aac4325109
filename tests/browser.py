"""Playwright fixtures for browser tests, driving Debian's Chromium.

Import the fixtures in a browser test module with
`from tests.browser import browser, page, signed_in  # noqa: F401`.
Playwright's own browser download is never used: CI installs the `chromium`
Debian package and we point Playwright at it.
"""

from __future__ import annotations

import atexit
import os
import shutil

import pytest

CHROMIUM = os.environ.get("RELANCE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# One Playwright and one Chromium per test process: each module importing the
# fixture gets its own session-scoped copy, and a second sync_playwright() in
# the same process fails, so the instance is shared here.
_SHARED: dict = {}


def _close_shared() -> None:
    if "browser" in _SHARED:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    if "browser" not in _SHARED:
        pw = sync_playwright().start()
        _SHARED["playwright"] = pw
        _SHARED["browser"] = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        atexit.register(_close_shared)
    return _SHARED["browser"]


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page whose relative URLs go to the live test server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def signed_in(page, cast):
    """signed_in("manager") -> the page, logged in through the real login form."""
    from tests.conftest import PASSWORD

    def _sign_in(username: str):
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _sign_in
