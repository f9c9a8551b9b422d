"""The daily digest: once a morning, the right content per person, and an opt-out that holds."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cxloop.dashboards import rollups
from cxloop.digest.services import send_daily_digests
from cxloop.lib.testing.responses import make_response
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def yesterday_feedback(cast):
    for user, address in (
        (cast.agent.user, "anouk@leasewijs.nl"),
        (cast.colleague.user, "bram@leasewijs.nl"),
        (cast.lead.user, "lotte@leasewijs.nl"),
    ):
        user.email = address
        user.save()
    with time_machine.travel(datetime(2026, 11, 22, 14, 0, tzinfo=AMS), tick=False):
        make_response(cast, employee=cast.agent, nps=10, comment="Anouk was top")
        make_response(cast, employee=cast.agent, nps=4, comment="Het duurde lang")
        make_response(cast, employee=cast.colleague, nps=2, comment="Bram luisterde niet")
    return cast


def digest_for(address: str) -> str:
    return as_sent(OutboxMessage.objects.get(purpose="digest", recipient=address)).text


def test_each_person_gets_their_own_digest_once_a_morning(yesterday_feedback):
    with time_machine.travel(datetime(2026, 11, 23, 6, 30, tzinfo=AMS), tick=False):
        assert send_daily_digests() == 0  # too early
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=AMS), tick=False):
        assert send_daily_digests() == 3
        assert send_daily_digests() == 0
    anouk = digest_for("anouk@leasewijs.nl")
    assert "Anouk was top" in anouk and "Het duurde lang" in anouk
    assert "Bram luisterde niet" not in anouk  # nothing about a colleague
    assert "gisteren 0 (n = 2)" in anouk  # one promoter, one detractor: NPS 0 over 2
    lead = digest_for("lotte@leasewijs.nl")
    assert "Team Noord" in lead and "n = 3" in lead
    with time_machine.travel(datetime(2026, 11, 24, 7, 5, tzinfo=AMS), tick=False):
        assert send_daily_digests() == 3  # the week still has scores


def test_the_stop_link_holds(yesterday_feedback):
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=AMS), tick=False):
        send_daily_digests()
    link = next(
        word for word in digest_for("anouk@leasewijs.nl").split() if "/digest/stop/" in word
    )
    # The stop link acts for Anouk, so only the e-mail as sent holds it; the outbox keeps a marker.
    stored = OutboxMessage.objects.get(purpose="digest", recipient="anouk@leasewijs.nl").body_text
    assert "/digest/stop/" not in stored and "[[cxloop:digest_stop]]" in stored
    path = link.split("127.0.0.1:8000")[1]
    assert Client().get(path).status_code == 200
    assert Client().post(path).status_code == 200
    assert Client().get("/digest/stop/forged/").status_code == 404
    with time_machine.travel(datetime(2026, 11, 24, 7, 5, tzinfo=AMS), tick=False):
        send_daily_digests()
    assert (
        OutboxMessage.objects.filter(purpose="digest", recipient="anouk@leasewijs.nl").count() == 1
    )
    assert (
        OutboxMessage.objects.filter(purpose="digest", recipient="bram@leasewijs.nl").count() == 2
    )


def test_preferences_page_turns_it_back_on(yesterday_feedback):
    anouk = yesterday_feedback.client_for(yesterday_feedback.agent.user)
    anouk.post("/digest/", {})
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=AMS), tick=False):
        send_daily_digests()
    assert not OutboxMessage.objects.filter(recipient="anouk@leasewijs.nl").exists()
    anouk.post("/digest/", {"enabled": "on"})
    with time_machine.travel(datetime(2026, 11, 24, 7, 5, tzinfo=AMS), tick=False):
        send_daily_digests()
    assert OutboxMessage.objects.filter(recipient="anouk@leasewijs.nl", purpose="digest").exists()


def test_the_leads_team_line_follows_the_anonymity_rule(yesterday_feedback):
    """Lotte leads Team Noord and answers in it herself. With only Anouk beside her, below the
    minimum, the team minus Lotte's own answers would be Anouk's hidden score: the team's line is
    hidden from Lotte, as on the team's page, while the admin (who cannot subtract Lotte's answers
    one by one) sees the team (docs/anonymity.md)."""
    cast = yesterday_feedback
    with time_machine.travel(datetime(2026, 11, 22, 15, 0, tzinfo=AMS), tick=False):
        for i, score in enumerate((9, 8, 7, 9, 10)):
            make_response(cast, employee=cast.lead, nps=score, comment=f"{i} lotte")
        for i, score in enumerate((9, 6)):
            make_response(cast, employee=cast.agent, nps=score, comment=f"{i} anouk")
    cast.colleague.responses.all().delete()  # Bram's one answer goes: Anouk is the only other one
    rollups.rebuild()
    with time_machine.travel(datetime(2026, 11, 23, 7, 5, tzinfo=AMS), tick=False):
        send_daily_digests()
        lead_page = cast.client_for(cast.lead.user).get(f"/units/{cast.team.pk}/?days=7")
        admin_page = cast.client_for(cast.owner_admin).get(f"/units/{cast.team.pk}/?days=7")
    line = next(
        x for x in digest_for("lotte@leasewijs.nl").splitlines() if x.startswith("Team Noord")
    )
    assert "(n = 9)" in line and not re.search(r"[+−-]\d", line)
    card = lead_page.context["page"].cards[0].figure
    assert card.hidden and card.n == 9  # the same decision as on Lotte's page
    assert admin_page.context["page"].cards[0].figure.shown
