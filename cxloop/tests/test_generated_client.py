"""The API as an integrator meets it: a client generated from the served OpenAPI document by a
third-party generator (openapi-python-client), without hand edits, calls every operation, and
reads every answer, successes and refusals alike, with the types the document declares."""

import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from cxloop.conftest import interaction_payload
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.webhooks import http_receiver

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
SMALL_LOG = (
    b"case:concept:name,concept:name,time:timestamp,org:resource\n"
    b"c1,melding,2026-11-02T09:00:00+01:00,Ann\n"
    b"c1,herstel,2026-11-04T15:00:00+01:00,Bob\n"
    b"c2,melding,2026-11-03T10:00:00+01:00,Ann\n"
)


def _generate(tmp_path: Path):
    """Generate the client package from /api/openapi.json and import it."""
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(Client().get("/api/openapi.json").json()))
    out = tmp_path / "cxloop_api_client"
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [GENERATOR, "generate", "--path", spec, "--output-path", out, "--meta", "none"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    return importlib.import_module("cxloop_api_client")


@pytest.fixture
def generated(tmp_path):
    package = _generate(tmp_path)
    yield package
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("cxloop_api_client")]:
        del sys.modules[name]


def _operation(package, tag: str, name: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_calls_every_operation_and_reads_every_answer(
    cast, live_server, generated, settings
):
    models = importlib.import_module(f"{generated.__name__}.models")
    client = generated.AuthenticatedClient(
        base_url=live_server.url, token=cast.owner_key, raise_on_unexpected_status=True
    )
    stranger = generated.AuthenticatedClient(
        base_url=live_server.url, token="cxl_nobody_x", raise_on_unexpected_status=True
    )
    called: set[str] = set()

    def call(tag: str, name: str, expected: int, *, as_client=client, **kwargs):
        answer = _operation(generated, tag, name).sync_detailed(client=as_client, **kwargs)
        assert answer.status_code == expected, (name, answer.content)
        assert answer.parsed is not None, name  # every answer is declared and parses
        if expected >= 400:
            assert isinstance(answer.parsed, models.ErrorOut) and answer.parsed.detail
        called.add(name)
        return answer.parsed

    first = models.InteractionIn.from_dict(interaction_payload("gen-1"))
    created = call("interactions", "interactions_create", 201, body=first)
    assert created.external_id == "gen-1" and created.created
    call("interactions", "interactions_create", 200, body=first)  # a retry: recorded once
    bad = models.InteractionIn.from_dict(
        interaction_payload("gen-2", customer={"key": "K-1", "email": "not-an-address"})
    )
    refused = call("interactions", "interactions_create", 422, body=bad)
    assert "customer.email" in refused.errors.additional_properties
    call("interactions", "interactions_create", 401, as_client=stranger, body=first)
    batch = models.BatchIn.from_dict(
        {"items": [interaction_payload(f"gen-b{i}") for i in range(3)]}
    )
    assert call("interactions", "interactions_create_batch", 200, body=batch).created == 3
    settings.CXLOOP_API_BATCH_LIMIT = 2
    call("interactions", "interactions_create_batch", 413, body=batch)
    unknown = models.BatchIn.from_dict(
        {"items": [interaction_payload("gen-c1", journey_type="no-such-type")]}
    )
    refused = call("interactions", "interactions_create_batch", 422, body=unknown)
    assert "0" in refused.errors.additional_properties  # the item's index
    read = call("interactions", "interactions_read", 200, external_id="gen-1")
    assert read.journey_type == "schade-melden"
    call("interactions", "interactions_read", 404, external_id="nothing-here")
    page = call("responses", "responses_list", 200, limit=10)
    assert page.items == []
    call("customers", "customers_opt_out", 404, key="nobody")
    details = models.ContactIn.from_dict({"name": "Karin Klant", "licence_plate": "AB-12-CD"})
    assert (
        call("customers", "customers_upsert", 200, key="K-1", body=details).contact.name
        == "Karin Klant"
    )
    fresh = call("customers", "customers_upsert", 201, key="K-NEW", body=details)
    assert fresh.key == "K-NEW"
    bad_mail = models.ContactIn.from_dict({"email": "not-an-address"})
    call("customers", "customers_upsert", 422, key="K-NEW", body=bad_mail)
    assert call("customers", "customers_read", 200, key="K-1").contact.licence_plate == "AB-12-CD"
    call("customers", "customers_read", 404, key="nobody")
    decided = call("invitations", "invitations_list", 200, interaction="gen-1").items
    assert decided[0].outcome == "invited"
    exported = call("customers", "customers_export", 200, key="K-1")
    assert exported.customer.additional_properties
    erased = call("customers", "customers_erase", 200, key="K-1")
    assert erased.organisation == cast.owner.slug
    opted = call("customers", "customers_opt_out", 404, key="K-1")  # erased: gone
    assert opted.detail

    units = models.UnitsIn.from_dict(
        {"items": [{"code": "wagenpark", "name": "Wagenparkbeheer", "kind": "department"}]}
    )
    assert call("units", "units_upsert", 200, body=units).created == ["wagenpark"]
    loop = models.UnitsIn.from_dict({"items": [{"code": "x", "name": "X", "parent": "x"}]})
    assert call("units", "units_upsert", 422, body=loop).errors.additional_properties["0"]
    assert "wagenpark" in [u.code for u in call("units", "units_list", 200)]
    people = models.EmployeesIn.from_dict(
        {"items": [{"code": "N1", "name": "Nina Nieuw", "unit": "wagenpark"}], "dry_run": True}
    )
    assert call("employees", "employees_upsert", 200, body=people).dry_run
    people.dry_run = False
    call("employees", "employees_upsert", 200, body=people)
    nowhere = models.EmployeesIn.from_dict(
        {"items": [{"code": "N2", "name": "Nico", "unit": "nowhere"}]}
    )
    call("employees", "employees_upsert", 422, body=nowhere)
    assert "N1" in [e.code for e in call("employees", "employees_list", 200).items]
    assert call("employees", "employees_leave", 200, code="N1").left_at
    call("employees", "employees_leave", 404, code="nobody")

    case = case_for(cast, employee=cast.agent)
    assert [c.id for c in call("cases", "cases_list", 200).items] == [case.pk]
    assert call("cases", "cases_read", 200, case_id=case.pk).events[0].kind == "opened"
    call("cases", "cases_read", 404, case_id=case.pk + 1000)
    closing = models.StatusIn.from_dict({"status": "closed"})
    call("cases", "cases_change_status", 409, case_id=case.pk, body=closing)
    guess = models.StatusIn.from_dict({"status": "resolved", "root_cause": "Weer"})
    call("cases", "cases_change_status", 422, case_id=case.pk, body=guess)
    start = models.StatusIn.from_dict({"status": "in_progress"})
    assert (
        call("cases", "cases_change_status", 200, case_id=case.pk, body=start).status
        == "in_progress"
    )
    note = models.NoteIn.from_dict({"note": "Klant gebeld"})
    assert call("cases", "cases_add_note", 200, case_id=case.pk, body=note).events[-1].by == "API"
    hand = models.ReassignIn.from_dict({"employee": cast.colleague.code})
    assert call("cases", "cases_reassign", 200, case_id=case.pk, body=hand).assignee == "B1"
    nobody = models.ReassignIn.from_dict({"employee": "X9"})
    call("cases", "cases_reassign", 422, case_id=case.pk, body=nobody)

    whole = call("metrics", "metrics_read", 200, days=30)
    assert whole.group_by == "organisation" and whole.minimum_n == 5
    by_unit = call("metrics", "metrics_read", 200, group_by=models.MetricsReadGroupBy.UNIT, days=90)
    assert {g.key for g in by_unit.items} >= {"team-noord"}
    call("metrics", "metrics_read", 422, days=12)

    surveys = call("surveys", "surveys_list", 200)
    assert call("surveys", "surveys_read", 200, survey_id=surveys[0].id).questions
    call("surveys", "surveys_read", 404, survey_id=surveys[0].id + 1000)
    assert call("invitations", "invitations_list", 200, customer="K-1").items == []  # erased

    with http_receiver() as receiver:
        hook = models.WebhookIn.from_dict({"url": receiver.url(), "events": ["case.opened"]})
        made = call("webhooks", "webhooks_create", 201, body=hook)
        assert made.secret.startswith("whsec_")
        assert call("webhooks", "webhooks_test", 200, webhook_id=made.id).status == "delivered"
    wrong = models.WebhookIn.from_dict({"url": "ftp://x", "events": ["case.opened"]})
    call("webhooks", "webhooks_create", 422, body=wrong)
    assert [w.id for w in call("webhooks", "webhooks_list", 200)] == [made.id]
    call("webhooks", "webhooks_test", 404, webhook_id=made.id + 1000)
    gone = _operation(generated, "webhooks", "webhooks_delete").sync_detailed(
        client=client, webhook_id=made.id
    )
    assert gone.status_code == 204
    called.add("webhooks_delete")
    call("webhooks", "webhooks_delete", 404, webhook_id=made.id)

    types = importlib.import_module(f"{generated.__name__}.types")
    upload = models.EventLogsImportMultiPartBodyParams(
        file=types.File(payload=io.BytesIO(SMALL_LOG), file_name="klachten.csv"), name="Klachten"
    )
    log = call("event_logs", "event_logs_import", 202, body=upload)
    ready = call("event_logs", "event_logs_read", 200, log_id=log.id)
    assert ready.status == "ready" and ready.cases == 2
    assert [entry.id for entry in call("event_logs", "event_logs_list", 200)] == [log.id]
    analysis = call("event_logs", "event_logs_analysis", 200, log_id=log.id)
    assert analysis.additional_properties["cases"] == 2
    call("event_logs", "event_logs_analysis", 404, log_id=log.id + 1000)
    odd = models.EventLogsImportMultiPartBodyParams(
        file=types.File(payload=io.BytesIO(b"x"), file_name="notes.docx")
    )
    call("event_logs", "event_logs_import", 422, body=odd)

    document = Client().get("/api/openapi.json").json()
    every = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert called == every, f"not called through the generated client: {every - called}"
