"""No usable token at rest: the outbox stores link markers; the real links exist only in what is sent."""

import importlib
import logging
import re

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.test import override_settings

from cxloop.conftest import interaction_payload
from cxloop.lib.testing.smtp import smtp_server
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent, deliver_message
from cxloop.responses.models import Response
from cxloop.surveys.models import Invitation, InvitationRule

pytestmark = pytest.mark.django_db

SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
SURVEY_PATH = re.compile(r"/s/([A-Za-z0-9_-]+)/")
OPT_OUT_PATH = re.compile(r"/o/([^/\s\"]+)/")


def rows_containing(text: str) -> list[str]:
    """Every table and text column of the whole database that holds `text`."""
    found = []
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for field in fields:
            as_text = Cast(field.attname, models.TextField())  # JSON too, on every database
            if (
                model._default_manager.annotate(_as_text=as_text)
                .filter(_as_text__contains=text)
                .exists()
            ):
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def body(message) -> str:
    payload = [
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    ]
    return "\n".join(payload)


def test_the_sent_email_has_working_links_and_nothing_stored_has_the_token(
    cast, post_interaction, client
):
    with smtp_server() as mailbox, override_settings(EMAIL_PORT=mailbox.port, **SMTP):
        assert post_interaction(interaction_payload()).status_code == 201
    delivered = body(mailbox.messages[0])
    token = SURVEY_PATH.search(delivered).group(1)
    opt_out_token = OPT_OUT_PATH.search(delivered).group(1)
    assert f"/s/{token}/?nps=3" in delivered  # the one-tap scores too

    # Nothing in the database holds the survey or the opt-out token, nor a long part of them.
    for secret in (token, token[:20], token[-20:], opt_out_token):
        assert rows_containing(secret) == [], secret
    message = OutboxMessage.objects.get()
    stored = " ".join([message.subject, message.body_text, message.body_html, str(message.links)])
    assert "/s/" not in stored and "/o/" not in stored and "?nps=" in stored
    assert message.links == {
        "survey": Invitation.objects.get().pk,
        "opt_out": Invitation.objects.get().customer_id,
    }

    # The outbox page shows labels, not links.
    page = cast.client_for(cast.owner_admin).get(
        f"/outbox/{message.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert page.status_code == 200 and token not in html and "/s/" not in html and "/o/" not in html
    assert "[survey link]" in html or "[enquêtelink]" in html

    # The link the customer got opens the survey and takes the tapped score.
    assert client.get(f"/s/{token}/?nps=3").status_code == 200
    assert Response.objects.get().nps == 3


class RecordingGateway:
    """An SMS gateway that keeps what it was asked to send, as a provider would receive it."""

    sent: list[str] = []

    def send(self, *, to: str, text: str, sender: str) -> bool:
        RecordingGateway.sent.append(text)
        return True


@override_settings(CXLOOP_SMS_GATEWAY=f"{__name__}.RecordingGateway")
def test_a_text_message_gets_its_link_only_at_the_gateway(cast, post_interaction, client):
    RecordingGateway.sent = []
    InvitationRule.objects.filter(organisation=cast.owner).update(
        channel="sms", quiet_start="00:00", quiet_end="00:00"
    )
    post_interaction(interaction_payload(customer={"key": "K-1", "phone": "+31612345678"}))
    [text] = RecordingGateway.sent
    token = SURVEY_PATH.search(text).group(1)
    assert rows_containing(token) == []
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.SENT and "[[cxloop:survey]]" in message.body_text
    assert client.get(f"/s/{token}/").status_code == 200


def test_no_token_in_the_log_when_a_valid_link_is_refused(cast, post_interaction, client, caplog):
    cast.nps_question.required = True
    cast.nps_question.save()
    post_interaction(interaction_payload())
    token = SURVEY_PATH.search(as_sent(OutboxMessage.objects.get()).text).group(1)
    with caplog.at_level(logging.INFO):
        refused = client.post(f"/s/{token}/", {"action": "submit"})  # the required score is missing
        unknown = client.get(f"/s/{token[:-1]}x/")
    assert (refused.status_code, unknown.status_code) == (422, 404)
    assert "/s/[token]/" in caplog.text
    assert token not in caplog.text and token[:-1] not in caplog.text


def test_a_link_that_cannot_be_made_fails_the_message_without_marking_the_address(cast):
    with smtp_server() as mailbox, override_settings(EMAIL_PORT=mailbox.port, **SMTP):
        message = OutboxMessage.objects.create(
            channel="email",
            sender="a@example.nl",
            recipient="klant@example.nl",
            subject="x",
            body_text="[[cxloop:survey]]",
            links={"survey": 999999},
        )
        result = deliver_message(message_id=message.pk)
    assert result.status == OutboxMessage.Status.FAILED and "gone" in result.error
    assert mailbox.messages == []


# A still clock: the opt-out link's signature carries the second it was made, and the test
# compares two renderings of it.
@time_machine.travel("2026-12-01 10:00:00 +01:00", tick=False)
def test_the_migration_turns_stored_links_into_markers(cast, post_interaction):
    post_interaction(interaction_payload())
    invitation = Invitation.objects.get()
    sent = as_sent(OutboxMessage.objects.get())
    legacy = OutboxMessage.objects.create(
        channel="email",
        sender="a@example.nl",
        recipient="klant@example.nl",
        subject="oud",
        body_text=sent.text,
        body_html=sent.html,
        purpose="invitation",
        subject_id=invitation.pk,
    )
    migration = importlib.import_module(
        "cxloop.messaging.migrations.0003_outbox_links_rendered_at_send"
    )
    migration.markers_for_stored_links(apps, None)
    legacy.refresh_from_db()
    assert (
        "/s/" not in legacy.body_text + legacy.body_html
        and "/o/" not in legacy.body_text + legacy.body_html
    )
    assert legacy.links == {"survey": invitation.pk, "opt_out": invitation.customer_id}
    assert as_sent(legacy).text == sent.text and as_sent(legacy).html == sent.html


def test_the_operator_can_show_a_message_with_its_links_and_the_log_says_so(
    cast, post_interaction, client
):
    from io import StringIO

    from django.core.management import call_command

    from cxloop.audit.models import AuditEntry

    post_interaction(interaction_payload())
    message = OutboxMessage.objects.get()
    out = StringIO()
    call_command("outbox", "show", str(message.pk), stdout=out)
    path = SURVEY_PATH.search(out.getvalue()).group(0)
    assert client.get(path).status_code == 200
    entry = AuditEntry.objects.get(action="outbox.message_shown_with_links")
    assert (
        entry.customer_id == Invitation.objects.get().customer_id and entry.actor_label == "cxloop"
    )
