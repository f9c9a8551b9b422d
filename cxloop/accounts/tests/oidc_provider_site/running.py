"""The test provider, running: a pytest fixture that starts it beside cxloop's live server, and one
that configures cxloop for it as an operator would for Entra ID."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cxloop.accounts.sso_config import RoleMapping, SsoConfig
from cxloop.orgs.models import Role

PROVIDER_SETTINGS = "cxloop.accounts.tests.oidc_provider_site.settings"
CLIENT_ID, CLIENT_SECRET = "cxloop-test", "client-secret-for-tests"
PEOPLE = [
    # Lotte is in cxloop already (team lead); her provider writes her address in capitals.
    {"username": "lotte", "email": "Lotte@LeaseWijs.NL", "groups": ["cx-analysts"]},
    {"username": "olivia-mfa", "email": "olivia@leasewijs.nl", "last_name": "Tweestaps"},
    {"username": "olivia-pwd", "email": "olivia@leasewijs.nl"},
    {
        "username": "nieuw",
        "email": "nieuw@leasewijs.nl",
        "first_name": "Nina",
        "groups": ["cx-admins"],
    },
    {"username": "onbekend", "email": "onbekend@elders.nl"},
]
PROVIDER_PASSWORD = "provider-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cannot_run(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the OpenID Connect provider for the test did not start: {reason}")
    pytest.skip(f"the OpenID Connect provider for the test did not start: {reason}")


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """A running django-oidc-provider that knows cxloop's live server as a client; its site URL."""
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PROVIDER_SETTINGS,
        "PROVIDER_SITE_URL": site,
        "PROVIDER_DB": str(tmp_path_factory.mktemp("provider") / "provider.sqlite3"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[4]),
    }
    spec = {
        "redirect_uri": f"{live_server.url}/oidc/callback/",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "people": [{**person, "password": PROVIDER_PASSWORD} for person in PEOPLE],
    }
    provision = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxloop.accounts.tests.oidc_provider_site.provision",
            json.dumps(spec),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if provision.returncode != 0:
        _cannot_run(provision.stderr[-2000:])
    log = open(tmp_path_factory.getbasetemp() / "provider.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"{site}/openid/.well-known/openid-configuration", server, log.name)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen, log_name: str) -> None:
    for _ in range(300):
        if server.poll() is not None:
            _cannot_run(Path(log_name).read_text()[-2000:])
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)  # polling for the server to listen; not a timing of anything under test
    _cannot_run(f"{url} did not answer")


@pytest.fixture
def sso_on(settings, provider):
    """cxloop configured as an operator would for Entra ID, pointing at the test provider."""
    settings.CXLOOP_OIDC = SsoConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        issuer=f"{provider}/openid",
        login_label="Inloggen met Microsoft",
        role_claim="groups",
        roles=(
            RoleMapping("cx-admins", "leasewijs", Role.ORG_ADMIN),
            RoleMapping("cx-analysts", "leasewijs", Role.ANALYST),
        ),
    )
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "cxloop.accounts.sso.SingleSignOnBackend",
    ]
    return settings.CXLOOP_OIDC
