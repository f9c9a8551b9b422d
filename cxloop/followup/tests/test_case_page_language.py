"""The case page in the staff member's language: the survey's questions, contact channels, people by
name, times in Europe/Amsterdam without microseconds in <time datetime>."""

import re

import pytest
from django.test import Client

from cxloop.followup import services
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.logins import logged_in

pytestmark = pytest.mark.django_db


def _page(cast, client: Client, case) -> str:
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    return page.content.decode()


def test_the_case_page_speaks_dutch_and_names_people(cast):
    case = case_for(cast, employee=cast.agent)  # its response answers the open question too
    lead = cast.lead.user
    services.log_contact_attempt(case=case, actor=lead, channel="phone", reached=False)
    html = _page(cast, logged_in(lead), case)
    assert "Wat is de belangrijkste reden voor uw score?" in html
    assert "What is the main reason" not in html
    timeline = html[html.index('id="timeline"') :]
    assert "telefoon" in timeline and " · phone" not in timeline
    assert cast.lead.name in timeline and f"· {lead.username} " not in timeline
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps
    )
    assert all(s.endswith(("+01:00", "+02:00")) for s in stamps)  # Europe/Amsterdam


def test_after_the_switch_the_question_is_english(cast):
    case = case_for(cast, employee=cast.agent)
    client = logged_in(cast.lead.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "What is the main reason for your score?" in _page(cast, client, case)
