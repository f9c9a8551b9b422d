"""E-mails to staff are in the recipient's language (Dutch), whoever's English request queued them,
with times in Europe/Amsterdam in the one date format."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from cxloop.followup.tests.test_escalation import ladder, open_case_at  # noqa: F401 - fixture
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent
from cxloop.server.sweeper import sweep

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def sent(purpose: str):
    return as_sent(OutboxMessage.objects.filter(purpose=purpose).order_by("pk").first())


def test_reminder_and_escalation_mails_are_dutch_even_from_an_english_session(cast, ladder):  # noqa: F811
    with translation.override("en"):  # the person or worker whose action queued them reads English
        open_case_at(cast, datetime(2026, 11, 23, 9, 0, tzinfo=AMS))
        with time_machine.travel(datetime(2026, 11, 23, 15, 30, tzinfo=AMS), tick=False):
            sweep()
        with time_machine.travel(datetime(2026, 11, 23, 17, 1, tzinfo=AMS), tick=False):
            sweep()
    reminder = OutboxMessage.objects.filter(purpose="case_reminder").first()
    assert (
        reminder.subject.startswith("Herinnering: casus")
        and "23 nov 2026 17:00" in reminder.subject
    )
    assert "Hallo " in sent("case_reminder").text and "Follow-up" not in sent("case_reminder").text
    escalated = sent("case_escalated")
    assert "Geëscaleerd" in OutboxMessage.objects.filter(purpose="case_escalated").first().subject
    assert "escalatielaag 1" in escalated.text and "23 nov 2026 17:00" in escalated.text


def test_a_compliment_mail_is_dutch_and_keeps_the_customers_quotes(cast):
    from cxloop.followup import services
    from cxloop.lib.testing.responses import make_response

    cast.agent.email = "anouk@leasewijs.nl"
    cast.agent.save()
    response = make_response(
        cast, employee=cast.agent, nps=10, comment='Echt "top" geholpen, dank!'
    )
    with translation.override("en"):
        assert services.forward_compliment(response=response) >= 1
    message = OutboxMessage.objects.filter(
        purpose="compliment", recipient="anouk@leasewijs.nl"
    ).get()
    assert message.subject.startswith("Een compliment van een klant voor")
    text = as_sent(message).text
    assert "Een klant gaf" in text and '"top"' in text and "&quot;" not in text
