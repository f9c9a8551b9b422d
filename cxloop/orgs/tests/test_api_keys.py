"""API keys: scopes, expiry and a rate limit per key, through the API and the `cxloop apikey` command."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from cxloop.conftest import interaction_payload
from cxloop.orgs.models import ApiKey
from cxloop.orgs.services import create_api_key

pytestmark = pytest.mark.django_db


def api(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def post(client: Client, payload: dict):
    return client.post("/api/interactions", data=payload, content_type="application/json")


def test_a_read_only_key_may_read_and_is_refused_writes(cast):
    _, raw_key = create_api_key(organisation=cast.owner, name="bi", scopes=frozenset({"read"}))
    client = api(raw_key)
    assert client.get("/api/responses").status_code == 200
    refused = post(client, interaction_payload())
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "This API key has the scope 'read'; POST needs the 'write' scope.",
        "errors": {},
    }
    assert client.post("/api/customers/K-1/opt-out").status_code == 403
    # The X-API-Key header gets the same answer.
    assert Client(HTTP_X_API_KEY=raw_key).post("/api/customers/K-1/opt-out").status_code == 403


def test_a_write_only_key_may_post_but_not_read(cast):
    _, raw_key = create_api_key(organisation=cast.owner, name="crm", scopes=frozenset({"write"}))
    client = api(raw_key)
    assert post(client, interaction_payload()).status_code == 201
    refused = client.get("/api/interactions/call-1")
    assert refused.status_code == 403 and "needs the 'read' scope" in refused.json()["detail"]


def test_an_expired_key_is_refused_with_a_message_saying_so(cast):
    expires = timezone.now() + timedelta(days=1)
    key, raw_key = create_api_key(organisation=cast.owner, name="temp", expires_at=expires)
    assert api(raw_key).get("/api/responses").status_code == 200
    with time_machine.travel(expires + timedelta(seconds=1)):
        refused = api(raw_key).get("/api/responses")
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("This API key expired on ")
    assert (
        ApiKey.objects.get(pk=key.pk).last_used_at < expires
    )  # the refused call is not counted as use


def test_last_use_is_stamped_at_most_once_a_minute(cast):
    key, raw_key = create_api_key(organisation=cast.owner, name="crm")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api(raw_key).get("/api/responses").status_code == 200
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert api(raw_key).get("/api/responses").status_code == 200
    assert ApiKey.objects.get(pk=key.pk).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert api(raw_key).get("/api/responses").status_code == 200
    assert ApiKey.objects.get(pk=key.pk).last_used_at == start + timedelta(seconds=61)


def test_an_unknown_key_gets_401_with_a_clear_message(cast):
    refused = api("cxl_00000000_nope").get("/api/responses")
    assert refused.status_code == 401 and "unknown or revoked API key" in refused.json()["detail"]
    assert Client().get("/api/responses").status_code == 401


def test_a_key_cannot_be_made_with_a_bad_scope_or_a_past_expiry(cast):
    with pytest.raises(ValueError, match="scopes"):
        create_api_key(organisation=cast.owner, name="x", scopes=frozenset({"admin"}))
    with pytest.raises(ValueError, match="future"):
        create_api_key(
            organisation=cast.owner, name="x", expires_at=timezone.now() - timedelta(days=1)
        )


@override_settings(CXLOOP_RATELIMIT_API=(3, 60))
def test_each_key_has_its_own_rate_limit_and_a_batch_counts_once(cast):
    owner = api(cast.owner_key)
    batch = {"items": [interaction_payload(f"b-{n}", journey_id=f"claim-{n}") for n in range(5)]}
    statuses = [
        owner.post(
            "/api/interactions/batch", data=batch, content_type="application/json"
        ).status_code,
        owner.get("/api/responses").status_code,
        owner.get("/api/interactions/b-1").status_code,
        owner.get("/api/responses").status_code,
    ]
    assert statuses == [200, 200, 200, 429]
    refused = owner.get("/api/responses")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith(
        "This API key made more than 3 requests in 60 seconds; try again in "
    )
    # The partner's key, from the same address, is not affected.
    assert [api(cast.partner_key).get("/api/responses").status_code for _ in range(3)] == [200] * 3


def test_the_openapi_document_declares_401_403_and_429_with_one_error_schema(cast):
    document = Client().get("/api/openapi.json").json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) >= 5
    for operation in operations:
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (status, operation)
        assert {"401", "403", "429"} <= set(operation["responses"])
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert set(document["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "errors"}


def test_the_cli_makes_keys_with_a_scope_and_an_expiry_and_lists_them(cast, capsys):
    call_command(
        "apikey",
        "create",
        "--organisation",
        "leasewijs",
        "--name",
        "bi",
        "--scope",
        "read",
        "--expires",
        "2027-06-30",
    )
    raw_key = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="bi")
    assert key.scopes == "read"
    assert timezone.localtime(key.expires_at).isoformat() == "2027-06-30T00:00:00+02:00"
    assert api(raw_key).get("/api/responses").status_code == 200
    assert post(api(raw_key), interaction_payload()).status_code == 403

    call_command(
        "apikey",
        "create",
        "--organisation",
        "leasewijs",
        "--name",
        "crm-push",
        "--scope",
        "write",
        "--days",
        "90",
    )
    pushed = ApiKey.objects.get(name="crm-push")
    assert pushed.scopes == "write"
    assert abs(pushed.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    capsys.readouterr()

    call_command("apikey", "list", "--organisation", "leasewijs")
    lines = capsys.readouterr().out.splitlines()
    assert f"{key.prefix}\tleasewijs\tbi\tactive\tread\texpires 2027-06-30 00:00" in lines
    assert any(
        line.startswith(f"{pushed.prefix}\tleasewijs\tcrm-push\tactive\twrite\texpires ")
        for line in lines
    )
    assert any(
        line.endswith("\tcrm\tactive\tread,write\tno expiry") for line in lines
    )  # made before scopes existed
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 7, 1, 9))):
        call_command("apikey", "list", "--organisation", "leasewijs")
        assert (
            f"{key.prefix}\tleasewijs\tbi\texpired\tread\texpires 2027-06-30 00:00"
            in capsys.readouterr().out
        )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scope", "admin"], "--scope must be read, write or read,write"),
        (["--scope", ""], "--scope must be"),
        (["--expires", "30-06-2027"], "--expires needs a date like 2027-06-30"),
        (["--expires", "2020-01-01"], "the expiry must lie in the future"),
        (["--days", "0"], "--days must be 1 or more"),
        (["--days", "9", "--expires", "2027-06-30"], "not allowed with argument"),
    ],
)
def test_the_cli_refuses_bad_scopes_and_expiries_clearly(cast, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("apikey", "create", "--organisation", "leasewijs", *arguments)
    assert not ApiKey.objects.exclude(name="crm").exists()
