"""Tests that only mean something on PostgreSQL: skipped on SQLite, saying why, failed under CI=true
when no PostgreSQL answers (then no pass of the suite would ever run them)."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cxloop"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=3
        ):
            return True
    except OSError:
        return False


def require_postgres(why: str) -> None:
    """Go on only when the test database is PostgreSQL; `why` says what the test needs it for."""
    if connection.vendor == "postgresql":
        return
    url = os.environ.get("CXLOOP_TEST_POSTGRES_URL", DEFAULT_URL)
    if os.environ.get("CI", "").lower() == "true":
        if not _reachable(url):
            pytest.fail(f"needs PostgreSQL ({why}), and none answers at {url}")
        if not os.environ.get("CXLOOP_TEST_POSTGRES"):
            pytest.fail(
                f"needs PostgreSQL ({why}); set CXLOOP_TEST_POSTGRES so that CI runs the PostgreSQL pass"
            )
    pytest.skip(f"needs PostgreSQL ({why}); runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)")
