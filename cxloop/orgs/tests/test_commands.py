"""The `cxloop` command line: help, API keys, administrators."""

import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from cxloop.lib.testing.logins import login_through_pages
from cxloop.orgs.models import ApiKey

pytestmark = pytest.mark.django_db


def test_cxloop_help_lists_the_subcommands():
    result = subprocess.run(
        [sys.executable, "-m", "cxloop.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("serve", "worker", "demo", "import", "createadmin", "apikey"):
        assert f"  {command}" in result.stdout


@pytest.mark.parametrize("command", ["serve", "worker", "import", "createadmin", "apikey"])
def test_each_subcommand_explains_itself(command):
    result = subprocess.run(
        [sys.executable, "-m", "cxloop.cli", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: cxloop" in result.stdout


def test_an_api_key_is_shown_once_stored_hashed_and_revocable(cast, capsys):
    call_command("apikey", "create", "--organisation", "leasewijs", "--name", "crm-koppeling")
    raw_key = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="crm-koppeling")
    assert raw_key not in key.key_hash and len(key.key_hash) == 64
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
    assert Client().get("/api/responses", **auth).status_code == 200
    call_command("apikey", "revoke", key.prefix)
    assert Client().get("/api/responses", **auth).status_code == 401
    call_command("apikey", "list", "--organisation", "leasewijs")
    assert f"{key.prefix}\tleasewijs\tcrm-koppeling\trevoked" in capsys.readouterr().out


def test_apikey_for_an_unknown_organisation_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no organisation"):
        call_command("apikey", "create", "--organisation", "nobody")


def test_createadmin_makes_a_superuser_who_can_open_the_admin(cast):
    call_command("createadmin", username="root", password="lang-genoeg-1", organisation="leasewijs")
    user = get_user_model().objects.get(username="root")
    assert user.is_superuser
    client = Client()
    assert login_through_pages(client, "root", "lang-genoeg-1").status_code == 200  # backup codes
    assert client.get("/admin/").status_code == 200
    for path in (
        "/admin/orgs/unit/",
        "/admin/followup/followupcase/",
        "/admin/responses/response/",
        "/admin/journeys/interaction/",
    ):
        assert client.get(path).status_code == 200
    with pytest.raises(CommandError, match="exists already"):
        call_command("createadmin", username="root", password="lang-genoeg-1")
    with pytest.raises(CommandError, match="te kort"):
        call_command("createadmin", username="kort", password="kort")
    with pytest.raises(CommandError, match="te algemeen"):
        call_command("createadmin", username="gewoon", password="password")
