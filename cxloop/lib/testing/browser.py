"""Debian's Chromium driven by Playwright, for tests that look at pages as a person would.

`make test` installs playwright; `.ci/run` installs Chromium (`apt-get install chromium`).
Without Chromium the test is skipped here, and fails under CI=true.
"""

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]


def require_chromium() -> str:
    """The Chromium binary, or skip (fail in CI) saying why."""
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    message = "Chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def chromium_browser() -> Iterator[object]:
    """A headless Chromium for one test."""
    executable = require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
