"""Event logs through the API: import one, follow it, read its analysis as the CLI prints it."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_an_imported_log_is_analysed_exactly_as_the_command_line_does(
    cast, eventlogs, django_capture_on_commit_callbacks
):
    path = eventlogs / "running-example.xes"
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as upload:
        made = client(cast.owner_key).post("/api/event-logs", {"file": upload, "name": "Voorbeeld"})
    assert made.status_code == 202, made.json()
    log = made.json()["id"]
    read = client(cast.owner_key).get(f"/api/event-logs/{log}").json()
    assert read["status"] == "ready" and read["cases"] == 6 and read["name"] == "Voorbeeld"
    analysis = client(cast.owner_key).get(f"/api/event-logs/{log}/analysis").json()
    out = io.StringIO()
    call_command("journeys", "analyze", str(path), "--json", stdout=out, stderr=io.StringIO())
    expected = json.loads(out.getvalue())
    assert analysis["variants"] == expected["variants"]
    assert analysis["cases"] == expected["cases"] and analysis["events"] == expected["events"]
    assert [log["id"] for log in client(cast.owner_key).get("/api/event-logs").json()] == [log]
    assert client(cast.partner_key).get(f"/api/event-logs/{log}/analysis").status_code == 404


def test_a_file_that_is_no_log_is_refused_or_reported(cast, django_capture_on_commit_callbacks):
    upload = io.BytesIO(b"not a log")
    upload.name = "notes.docx"
    refused = client(cast.owner_key).post("/api/event-logs", {"file": upload})
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    broken = io.BytesIO(b"case,activity\nc1,a\n")
    broken.name = "broken.csv"
    with django_capture_on_commit_callbacks(execute=True):
        made = client(cast.owner_key).post("/api/event-logs", {"file": broken})
    log = client(cast.owner_key).get(f"/api/event-logs/{made.json()['id']}").json()
    assert log["status"] == "failed" and log["error"]
    waiting = client(cast.owner_key).get(f"/api/event-logs/{log['id']}/analysis")
    assert waiting.status_code == 409
