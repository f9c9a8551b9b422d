"""With an SMTP server configured, messages really go out over SMTP, and are kept in the outbox."""

import pytest
from django.test import override_settings

from cxloop.conftest import interaction_payload
from cxloop.lib.testing.smtp import smtp_server
from cxloop.messaging.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_invitation_is_delivered_over_smtp_from_the_organisations_address(
    cast, post_interaction
):
    with (
        smtp_server() as mailbox,
        override_settings(
            EMAIL_HOST=mailbox.host,
            EMAIL_PORT=mailbox.port,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ),
    ):
        assert post_interaction(interaction_payload()).status_code == 201
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "klant@example.nl"
    assert message["From"] == "klantbeleving@leasewijs.nl"
    assert message["Reply-To"] == "service@leasewijs.nl"
    assert "noreply" not in message["From"] and "no-reply" not in message["From"]
    assert message.is_multipart()
    kinds = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= kinds
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_without_smtp_messages_stay_in_the_outbox_the_admin_reads(cast, post_interaction):
    post_interaction(interaction_payload())
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.STORED
    admin = cast.client_for(cast.owner_admin)
    listing = admin.get("/outbox/").content.decode()
    assert "klant@example.nl" in listing
    assert admin.get(f"/outbox/{message.pk}/").status_code == 200
    # A partner's admin and an outsider do not read Leasewijs' outbox.
    assert cast.client_for(cast.partner_admin).get(f"/outbox/{message.pk}/").status_code == 404
    outsider = cast.client_for(cast.outsider)
    assert "klant@example.nl" not in outsider.get("/outbox/").content.decode()
    assert outsider.get(f"/outbox/{message.pk}/").status_code == 404
    assert cast.client_for(cast.agent.user).get("/outbox/").status_code == 404
