"""Debian's Chromium driven by Playwright, for tests that look at pages as a person would.

`make test` installs playwright; `.ci/run` installs Chromium (`apt-get install chromium`).
Without Chromium the test is skipped here, and fails under CI=true.
"""

import os
import re
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connections

from cxloop.lib.testing.logins import logged_in

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
            # While Playwright's event loop runs in this thread, asgiref keeps the ORM's
            # connections per async context, apart from the thread's own: the test's queries
            # meanwhile opened one the test database's teardown cannot see. Close it now.
            connections.close_all()


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def relative_luminance(rgb: tuple[int, ...]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    fg, bg = (
        tuple(int(x) for x in re.findall(r"\d+", colour)[:3]) for colour in (foreground, background)
    )
    light, dark = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def browser_page(browser, live_server, user, device: dict):
    """A page in a new browser context (`PHONE`, say), logged in as `user`, in English."""
    client = logged_in(user)
    context = browser.new_context(**device)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            # The user chose English with the language switch (cxloop is Dutch by default).
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    return context.new_page()
