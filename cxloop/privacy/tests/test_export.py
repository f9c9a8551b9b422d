"""Access and erasure requests through the CLI, the API and the pages, for the journey owner, a
partner and an outsider: each sees what it holds, and nobody learns about another's customers."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.customers.models import Customer
from cxloop.privacy.models import ErasureReceipt
from cxloop.privacy.tests import loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, tmp_path, django_capture_on_commit_callbacks):
    return loop.push_through_loop(cast, tmp_path, django_capture_on_commit_callbacks)


def export_by_cli(capsys, organisation: str, key: str) -> dict:
    # call_command, as `cxloop` would (its run_from_argv closes the test's database connection).
    call_command("privacy", "export", "--organisation", organisation, "--customer", key)
    return json.loads(capsys.readouterr().out)


def api(key: str, method: str, path: str):
    client = Client()
    call = client.post if method == "post" else client.get
    return call(path, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_journey_owner_exports_everything_about_the_customer_in_its_journeys(
    cast, world, capsys
):
    data = export_by_cli(capsys, "leasewijs", loop.KEY)
    assert data["customer"] | {"created_at": None} == {
        "key": loop.KEY,
        "email": loop.EMAIL,
        "phone": loop.PHONE,
        "name": "",
        "licence_plate": "",
        "language": "nl",
        "segment": "zakelijk",
        "opted_out_at": None,
        "email_invalid_at": None,
        "phone_invalid_at": None,
        "created_at": None,
    }
    # The owner's journey holds the partner's contact too.
    assert sorted(i["organisation"] for i in data["interactions"]) == ["belcentrum", "leasewijs"]
    assert [j["external_id"] for j in data["journeys"]] == ["claim-zwk-1"]
    decisions = {d["organisation"]: d for d in data["invitation_decisions"]}
    assert decisions["leasewijs"]["outcome"] == "invited"
    assert (
        decisions["belcentrum"]["outcome"] == "not_invited"
        and decisions["belcentrum"]["reason_text"]
    )
    assert [i["status"] for i in data["invitations"]] == ["answered"]
    [response] = data["responses"]
    assert (response["nps"], response["comment"]) == (2, loop.COMMENT)
    assert loop.COMMENT in [a["text"] for a in response["answers"]]
    [case] = data["followup_cases"]
    assert case["status"] == "closed" and loop.NOTE in [e["note"] for e in case["events"]]
    assert "contact_attempt" in [e["kind"] for e in case["events"]]
    purposes = sorted(m["purpose"] for m in data["messages"])
    assert purposes == [
        "customer_informed",
        "invitation",
    ]  # to the customer, not the staff's notices
    assert sorted(d["event"] for d in data["webhook_deliveries"]) == ["case.closed", "case.opened"]
    assert len(data["text_analyses"]) == 1 and data["text_analyses"][0]["sentiment"]
    # The log's events of the customer's case, and the one that names their address.
    assert [e["activity"] for e in data["event_log_events"]] == [
        "Terugbelverzoek",
        "Teruggebeld",
        f"Mail naar {loop.EMAIL} doorgestuurd",
    ]
    assert "customer.found" in [a["action"] for a in data["access_log"]]
    # Employees are other people: their names are not in the customer's export.
    assert "Anouk" not in json.dumps(data) and "Lotte" not in json.dumps(data)
    entry = AuditEntry.objects.filter(kind="export", customer_id=world.customer.pk).get()
    assert (entry.actor_label, entry.organisation, entry.action) == (
        "cxloop",
        cast.owner,
        "customer.exported",
    )


def test_a_partner_exports_only_its_own_part(cast, world, capsys):
    data = export_by_cli(capsys, "belcentrum", loop.KEY)
    # Contact details belong to the organisation that supplied them: the partner supplied none.
    assert data["customer"]["email"] == ""
    assert [i["organisation"] for i in data["interactions"]] == ["belcentrum"]
    assert [d["organisation"] for d in data["invitation_decisions"]] == ["belcentrum"]
    assert data["responses"] == data["followup_cases"] == data["messages"] == []
    assert data["webhook_deliveries"] == data["event_log_events"] == data["text_analyses"] == []


def test_nobody_outside_learns_about_a_customer(cast, world):
    with pytest.raises(CommandError, match="holds no data"):
        call_command("privacy", "export", "--organisation", "elders", "--customer", loop.KEY)
    # The partner never met the control customer; an unknown key answers the same.
    with pytest.raises(CommandError, match="holds no data"):
        call_command(
            "privacy", "export", "--organisation", "belcentrum", "--customer", loop.OTHER_KEY
        )
    for key, customer in (
        (cast.outsider_key, loop.KEY),
        (cast.partner_key, loop.OTHER_KEY),
        (cast.owner_key, "nobody"),
        (cast.owner_key, "a%00b"),  # a NUL, which PostgreSQL refuses in text
    ):
        for method, action in (("get", "export"), ("post", "erase")):
            answer = api(key, method, f"/api/customers/{customer}/{action}")
            assert answer.status_code == 404
            assert answer.json() == {
                "detail": "your organisation holds no data about a customer with this key",
                "errors": {},
            }
    assert Customer.objects.filter(key__in=[loop.KEY, loop.OTHER_KEY]).count() == 2
    assert not AuditEntry.objects.filter(kind="export").exists()


def test_the_api_exports_and_erases_with_the_organisations_key(cast, world):
    exported = api(cast.owner_key, "get", f"/api/customers/{loop.KEY}/export")
    assert exported.status_code == 200
    assert exported.json()["customer"]["key"] == loop.KEY
    entry = AuditEntry.objects.get(kind="export")
    assert entry.api_key.organisation == cast.owner and entry.actor_label.startswith("API key")

    erased = api(cast.partner_key, "post", f"/api/customers/{loop.KEY}/erase")
    assert erased.status_code == 200
    receipt = erased.json()
    assert receipt["organisation"] == "belcentrum"
    assert receipt["counts"]["deleted"]["customers_customer"] == 1
    assert loop.KEY not in erased.content.decode()
    assert not Customer.objects.filter(key=loop.KEY).exists()
    assert api(cast.owner_key, "get", f"/api/customers/{loop.KEY}/export").status_code == 404
    # Both organisations see the partner's erasure.
    stored = ErasureReceipt.objects.get()
    assert stored.actor_label.startswith("API key") and stored.api_key.organisation == cast.partner
    owner_receipts = (
        cast.client_for(cast.owner_admin).get("/privacy/leasewijs/receipts/").content.decode()
    )
    assert f"/privacy/leasewijs/receipts/{stored.pk}/" in owner_receipts


def test_the_openapi_document_declares_both_operations(client):
    document = client.get("/api/openapi.json").json()
    export = document["paths"]["/api/customers/{key}/export"]["get"]["responses"]
    erase = document["paths"]["/api/customers/{key}/erase"]["post"]["responses"]
    # 401, 403 and 429 are declared on every operation that takes a key, 422 on every one with
    # parameters (cxloop/api.py).
    assert set(export) == set(erase) == {"200", "401", "403", "404", "422", "429"}
    detail = export["404"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][detail]["properties"]) == {"detail", "errors"}


def test_the_cli_erases_only_with_yes_and_prints_a_receipt_without_the_key(cast, world, capsys):
    with pytest.raises(CommandError, match="--yes"):
        call_command("privacy", "erase", "--organisation", "leasewijs", "--customer", loop.KEY)
    assert Customer.objects.filter(key=loop.KEY).exists()
    assert '"would_erase"' in capsys.readouterr().out
    call_command("privacy", "erase", "--organisation", "leasewijs", "--customer", loop.KEY, "--yes")
    printed = capsys.readouterr().out
    receipt = json.loads(printed)
    assert receipt["counts"]["deleted"]["customers_customer"] == 1 and loop.KEY not in printed
    assert not Customer.objects.filter(key=loop.KEY).exists()
    assert ErasureReceipt.objects.get().actor_label == "cxloop"


def test_the_page_and_the_download_are_written_to_the_audit_log(cast, world):
    officer = cast.client_for(cast.owner_admin)
    page = officer.get(f"/privacy/leasewijs/customers/{world.customer.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert loop.EMAIL in text and loop.NOTE in text and "Terugbelverzoek" in text
    download = officer.get(f"/privacy/leasewijs/customers/{world.customer.pk}/export.json")
    assert (
        download["Content-Disposition"]
        == f'attachment; filename="customer-{world.customer.pk}.json"'
    )
    assert json.loads(download.content)["customer"]["key"] == loop.KEY
    entries = AuditEntry.objects.filter(customer_id=world.customer.pk, actor_label="olivia")
    assert sorted(entries.values_list("kind", "action")) == [
        ("export", "customer.exported"),
        ("view", "customer.viewed"),
    ]
