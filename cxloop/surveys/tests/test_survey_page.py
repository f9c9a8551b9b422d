"""The customer's survey page: one-tap score, partial answers kept, language, dead links."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from cxloop.conftest import interaction_payload
from cxloop.responses.models import Response
from cxloop.surveys.models import Invitation
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(cast, post_interaction) -> str:
    post_interaction(interaction_payload())
    return survey_path_from_outbox("klant@example.nl")


def test_the_invitation_offers_one_tap_scores(cast, link):
    from cxloop.messaging.models import OutboxMessage
    from cxloop.messaging.services import as_sent

    html = as_sent(OutboxMessage.objects.get()).html
    for score in (0, 6, 10):
        assert f"{link}?nps={score}" in html


def test_a_tapped_score_counts_at_once_and_the_rest_is_asked(cast, link):
    page = Client().get(f"{link}?nps=4")
    assert page.status_code == 200
    response = Response.objects.get()
    assert response.nps == 4 and response.submitted_at is not None
    assert (
        f'id="q{cast.nps_question.pk}-4" name="q{cast.nps_question.pk}" value="4" checked'
        in page.content.decode()
    )
    assert f'id="q{cast.open_question.pk}"' in page.content.decode()
    # The survey still takes the rest of the answers (test_tapped_score.py has the whole story).
    assert Invitation.objects.get().status == Invitation.Status.OPENED


def test_an_out_of_range_tap_records_nothing(cast, link):
    page = Client().get(f"{link}?nps=12")
    assert page.status_code == 422
    assert not Response.objects.exists()


def test_progress_is_kept_when_the_customer_leaves(cast, link):
    client = Client()
    saved = client.post(
        link,
        {
            f"q{cast.nps_question.pk}": "8",
            f"q{cast.open_question.pk}": "Later meer",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    page = Client().get(link).content.decode()
    assert "Later meer" in page
    assert Invitation.objects.get().status == Invitation.Status.OPENED


def test_submitting_without_the_required_score_is_refused_with_a_message(cast, link):
    page = Client().post(link, {f"q{cast.open_question.pk}": "Geen cijfer", "action": "submit"})
    assert page.status_code == 422
    assert Invitation.objects.get().status != Invitation.Status.ANSWERED
    assert "Geen cijfer" not in [
        r.comment for r in Response.objects.filter(submitted_at__isnull=False)
    ]


def test_the_customers_language_is_used_and_can_be_switched(cast, post_interaction):
    post_interaction(
        interaction_payload(
            customer={"key": "K-en", "email": "client@example.com", "language": "en"},
            journey_id="claim-en",
        )
    )
    link = survey_path_from_outbox("client@example.com")
    assert "How likely are you to recommend Leasewijs?" in Client().get(link).content.decode()
    assert "Hoe waarschijnlijk" in Client().get(f"{link}?lang=nl").content.decode()


def test_the_page_works_without_javascript_and_has_labels(cast, link):
    html = Client().get(link).content.decode()
    assert "<script" not in html
    assert '<meta name="viewport"' in html
    assert f'<label for="q{cast.open_question.pk}">' in html
    assert "<legend>" in html


def test_an_expired_link_says_so(cast, link):
    with time_machine.travel(Invitation.objects.get().expires_at + timedelta(minutes=1)):
        page = Client().get(link)
    assert page.status_code == 410
    assert not Response.objects.exists()


def test_a_comment_over_the_limit_is_refused_with_a_message_and_nothing_is_cut(cast, link):
    too_long = "Het duurde veel te lang. " * 200 + "Einde."  # 5006 characters
    page = Client().post(
        link,
        {
            f"q{cast.nps_question.pk}": "3",
            f"q{cast.open_question.pk}": too_long,
            "action": "submit",
        },
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "Uw antwoord telt 5006 tekens; er passen er hoogstens 5000." in html
    assert (
        f'aria-describedby="q{cast.open_question.pk}-hint q{cast.open_question.pk}-error"' in html
    )
    # What the customer typed is all still on the page, to shorten; nothing was stored.
    assert f'name="q{cast.nps_question.pk}" value="3" checked' in html
    assert "Einde.</textarea>" in html
    assert 'maxlength="' not in html  # a browser would cut a pasted text without a word
    assert not Response.objects.exists()


def test_a_comment_of_exactly_the_limit_is_kept_whole(cast, link):
    lines = "a" * 2499 + "\r\n" + "b" * 2500  # the form sends a line break as two characters
    done = Client().post(
        link,
        {f"q{cast.nps_question.pk}": "8", f"q{cast.open_question.pk}": lines, "action": "submit"},
    )
    assert done.status_code == 302
    assert Response.objects.get().comment == "a" * 2499 + "\n" + "b" * 2500
