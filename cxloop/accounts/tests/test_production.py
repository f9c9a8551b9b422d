"""Production mode: with CXLOOP_HTTPS=1 and the documented variables, Django's deployment check is
clean; without it, the check names what is missing. The Content-Security-Policy is always on."""

import os
import secrets
import subprocess
import sys

import pytest

PRODUCTION = {
    "CXLOOP_SECRET_KEY": secrets.token_urlsafe(60),
    "CXLOOP_ALLOWED_HOSTS": "feedback.example.nl",
    "CXLOOP_BASE_URL": "https://feedback.example.nl",
    "CXLOOP_TRUSTED_PROXY_COUNT": "1",
    "CXLOOP_DEBUG": "false",
}


def _deploy_check(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    # Not the test run's own switches (browser tests allow Django's sync calls in async code).
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CXLOOP_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(PRODUCTION, **extra, CXLOOP_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "cxloop.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_in_production_mode(tmp_path):
    result = _deploy_check(tmp_path, CXLOOP_HTTPS="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_production_mode_the_check_names_what_is_missing(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client, cast):
    for path in ("/login/", "/api/docs", "/s/unknown/"):
        policy = client.get(path).headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "object-src 'none'" in policy and "http" not in policy.replace("'self'", ""), path
