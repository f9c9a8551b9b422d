"""One customer pushed through the whole loop with real servers, so that an erasure has everything
to find: interactions of two organisations, an e-mail through SMTP, an answer with a comment, a
follow-up case with notes and contact attempts, the customer informed, a webhook delivered, a
digest quoting the comment, an imported event log, an admin log line and audit entries."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from cxloop.audit.services import record_change
from cxloop.conftest import PASSWORD
from cxloop.customers.models import Customer
from cxloop.digest.services import send_daily_digests
from cxloop.followup.models import FollowUpCase
from cxloop.lib.testing.logins import logged_in
from cxloop.lib.testing.smtp import Mailbox, smtp_server
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role
from cxloop.webhooks.services import create_endpoint

KEY = "KLANT-ZWK-90817"
EMAIL = "j.zwartekoffie@voorbeeld-mail.nl"
PHONE = "+31 6 1357 9246"
NAME = "Zwartekoffie"
COMMENT = (
    "Meneer Zwartekoffie hier: ik heb drie keer gebeld over mijn lekke band en niemand belde terug."
)
NOTE = "Gebeld met meneer Zwartekoffie, voicemail ingesproken op zijn mobiel."
# What the loop stores about the customer; after the erasure none of it, nor the phone number in
# its other spellings, may be in any column of any table.
SECRETS = (KEY, EMAIL, PHONE, NAME, COMMENT, NOTE)
SEARCHED = (*SECRETS, "+31613579246", "0613579246", "zwartekoffie")

OTHER_KEY = "KLANT-CONTROLE-4411"
OTHER_COMMENT = "Heel vriendelijk en snel geholpen door de medewerker."


@dataclass
class Loop:
    customer: Customer
    other: Customer
    mailbox: Mailbox
    hooks: list[bytes]


class _Receiver(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A receiver of webhooks on a free loopback port, answering 200."""
    received: list[bytes] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


def _body(message) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return parts[0].get_payload(decode=True).decode()


def survey_path(mailbox: Mailbox, recipient: str) -> str:
    """The survey link of the last e-mail the SMTP server received for a recipient."""
    message = [m for m in mailbox.messages if recipient in m["To"]][-1]
    match = re.search(r"http://[^/\s]+(/s/[A-Za-z0-9_-]+/)", _body(message))
    assert match, _body(message)
    return match.group(1)


def _post_interaction(key: str, payload: dict, capture) -> None:
    with capture(execute=True):
        answer = Client().post(
            "/api/interactions",
            data=payload,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert answer.status_code == 201, answer.content


def _payload(
    external_id: str, key: str, email: str, phone: str, journey: str, employee: str, when: datetime
) -> dict:
    return {
        "external_id": external_id,
        "occurred_at": when.isoformat(),
        "customer": {"key": key, "email": email, "phone": phone, "language": "nl"},
        "journey_id": journey,
        "journey_type": "schade-melden",
        "channel": "telefoon",
        "touchpoint": "melding",
        "employee": employee,
    }


def _answer(cast, mailbox: Mailbox, email: str, nps: int, comment: str, capture) -> None:
    path = survey_path(mailbox, email)
    client = Client()
    assert client.get(path).status_code == 200
    with capture(execute=True):
        answered = client.post(
            path,
            {
                f"q{cast.nps_question.pk}": str(nps),
                f"q{cast.open_question.pk}": comment,
                "action": "submit",
            },
        )
    assert answered.status_code == 302, answered.content


def _work_the_case(cast, capture) -> None:
    case = FollowUpCase.objects.get(response__customer__key=KEY)
    lead = cast.client_for(cast.lead.user)
    steps = [
        ("contact", {"channel": "phone", "reached": "no", "note": NOTE}),
        ("note", {"note": f"Meneer {NAME} wil teruggebeld worden op {PHONE} of via {EMAIL}."}),
        (
            "contact",
            {
                "channel": "phone",
                "reached": "yes",
                "note": f"Meneer {NAME} gesproken, excuses gemaakt.",
            },
        ),
        (
            "resolve",
            {
                "root_cause": cast.root_cause.pk,
                "action_taken": f"Band van meneer {NAME} gratis vervangen.",
            },
        ),
        (
            "inform",
            {
                "subject": "Wat we deden",
                "body": f"Beste meneer {NAME}, we hebben uw band vervangen.",
            },
        ),
        ("close", {"note": ""}),
    ]
    for step, data in steps:
        with capture(execute=True):
            answer = lead.post(f"/cases/{case.pk}/{step}/", data)
        assert answer.status_code == 302, (step, answer.content)


def _change_in_admin(customer: Customer) -> None:
    """A superuser changes the customer's segment in Django's admin: an admin log line with the key."""
    root = get_user_model().objects.create_superuser("root", "root@example.nl", PASSWORD)
    client = Client()
    logged_in(root, client)
    data = {
        "chain": customer.chain_id,
        "key": customer.key,
        "email": customer.email,
        "phone": customer.phone,
        "language": customer.language,
        "segment": "zakelijk",
        "opted_out_at_0": "",
        "opted_out_at_1": "",
        "email_invalid_at_0": "",
        "email_invalid_at_1": "",
        "phone_invalid_at_0": "",
        "phone_invalid_at_1": "",
        # The inline of per-organisation contact details: left as it is.
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    answer = client.post(f"/admin/customers/customer/{customer.pk}/change/", data)
    assert answer.status_code == 302, answer.content


def _import_event_log(tmp_path: Path, day: str) -> None:
    log = tmp_path / "terugbellen.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp,org:resource\n"
        f"{KEY},Terugbelverzoek,{day}T09:00:00+01:00,Lotte\n"
        f"{KEY},Teruggebeld,{day}T11:00:00+01:00,Lotte\n"
        f"ANDER-1,Terugbelverzoek,{day}T09:30:00+01:00,Bram\n"
        f"ANDER-1,Mail naar {EMAIL} doorgestuurd,{day}T10:00:00+01:00,Bram\n"
        f"{OTHER_KEY},Terugbelverzoek,{day}T10:30:00+01:00,Bram\n"
    )
    call_command(
        "journeys", "import", str(log), "--organisation", "leasewijs", "--name", "Terugbellen"
    )


def push_through_loop(cast, tmp_path: Path, capture) -> Loop:
    """The customer and a control customer, through everything cxloop does with feedback."""
    cast.agent.email = "anouk@leasewijs.nl"
    cast.agent.save(update_fields=["email"])
    get_user_model().objects.filter(pk=cast.agent.user_id).update(email="anouk@leasewijs.nl")
    officer = get_user_model().objects.create_user("petra", password=PASSWORD)
    grant_role(user=officer, organisation=cast.owner, role=Role.PRIVACY_OFFICER)
    now = timezone.now()
    with (
        smtp_server() as mailbox,
        webhook_receiver() as (url, hooks),
        override_settings(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=mailbox.port,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ),
    ):
        create_endpoint(organisation=cast.owner, url=url, events=["case.opened", "case.closed"])
        when = now - timedelta(hours=3)
        _post_interaction(
            cast.owner_key,
            _payload("lw-zwk-1", KEY, EMAIL, PHONE, "claim-zwk-1", "A1", when),
            capture,
        )
        _post_interaction(
            cast.partner_key,
            _payload("bc-zwk-1", KEY, "", "", "claim-zwk-1", "P1", when + timedelta(minutes=20)),
            capture,
        )
        _post_interaction(
            cast.owner_key,
            _payload("lw-ctl-1", OTHER_KEY, "controle@example.nl", "", "claim-ctl-1", "A1", when),
            capture,
        )
        customer = Customer.objects.get(key=KEY)
        _change_in_admin(customer)
        _answer(cast, mailbox, EMAIL, 2, COMMENT, capture)
        _answer(cast, mailbox, "controle@example.nl", 10, OTHER_COMMENT, capture)
        _work_the_case(cast, capture)
    # The next morning Anouk's digest quotes what the customer wrote about her.
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    with time_machine.travel(datetime.combine(tomorrow, time(8), timezone.get_current_timezone())):
        send_daily_digests(now=timezone.now())
    _import_event_log(tmp_path, timezone.localtime(now).date().isoformat())
    cast.client_for(officer).get(f"/privacy/leasewijs/?q={KEY}")
    # A service that named the customer without saying which customer it was about.
    record_change(
        actor=None,
        action="test.named",
        target=Customer.objects.get(key=KEY),
        organisation=cast.owner,
    )
    return Loop(
        customer=Customer.objects.get(key=KEY),
        other=Customer.objects.get(key=OTHER_KEY),
        mailbox=mailbox,
        hooks=hooks,
    )
