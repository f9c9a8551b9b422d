"""A score tapped in the e-mail counts at once; a link scanner's taps count nothing.

Through the public surface: the score links as the customer received them, the survey page,
the sweeper, the dashboards and the API. docs/survey-links.md has the rules tested here.
"""

import random
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from cxloop.conftest import interaction_payload
from cxloop.dashboards.models import DailyScore
from cxloop.followup.models import FollowUpCase, FollowUpRule
from cxloop.messaging.models import OutboxMessage
from cxloop.responses.models import Response, ScoreTap
from cxloop.responses.taps import GAP
from cxloop.server.sweeper import sweep
from cxloop.surveys.models import Invitation, InvitationRule
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# Scanners in mail gateways often present themselves as an ordinary desktop browser.
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture
def link(cast, post_interaction) -> str:
    post_interaction(interaction_payload())
    return survey_path_from_outbox("klant@example.nl")


@pytest.fixture
def tap(link, django_capture_on_commit_callbacks):
    """Open the score link for `score` as a client with the given User-Agent, running what it starts."""

    def open_link(score: int, *, agent: str = PHONE, method: str = "get"):
        client = Client(HTTP_USER_AGENT=agent)
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(f"{link}?nps={score}")

    return open_link


def roll_up() -> dict[str, int]:
    """The dashboards' daily roll-ups summed over every row."""
    totals = DailyScore.objects.aggregate(
        promoters=Sum("promoters"), passives=Sum("passives"), detractors=Sum("detractors")
    )
    return {name: value or 0 for name, value in totals.items()}


def counted_in_api(cast) -> list[int | None]:
    """The scores the organisation's API hands out."""
    page = Client().get("/api/responses", HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}")
    return [item["nps"] for item in page.json()["items"]]


def when_final() -> object:
    """A moment after the taps so far can no longer be joined by another one (their verdict is final)."""
    return timezone.now() + GAP + timedelta(seconds=1)


def test_a_tapped_detractor_counts_at_once_and_is_called_back(cast, tap):
    page = tap(2)
    assert page.status_code == 200
    assert "uw score is ontvangen" in page.content.decode()

    # At once: in the roll-ups, on the dashboards and in the API, with no submit on the page.
    response = Response.objects.get()
    assert (response.nps, response.counted) == (2, True)
    assert response.submitted_at is not None
    assert roll_up() == {"promoters": 0, "passives": 0, "detractors": 1}
    admin_page = cast.client_for(cast.owner_admin).get("/organisations/leasewijs/")
    assert admin_page.context["score"].n == 1
    assert counted_in_api(cast) == [2]

    # The case opens once the taps are final (a scanner would have tapped on by then).
    assert not FollowUpCase.objects.exists()
    sweep(now=when_final())
    case = FollowUpCase.objects.get()
    assert (case.response, case.assignee) == (response, cast.lead)

    # The survey stays open for more answers.
    assert Invitation.objects.get().status == Invitation.Status.OPENED


@pytest.mark.parametrize("order", ["as in the e-mail", "backwards", "shuffled"])
def test_eleven_score_links_opened_in_a_row_count_nothing(cast, tap, order):
    scores = list(range(11))
    if order == "backwards":
        scores.reverse()
    elif order == "shuffled":
        random.Random(11).shuffle(scores)
    statuses = [tap(score, agent=DESKTOP).status_code for score in scores]
    assert statuses == [200] * 11

    response = Response.objects.filter(invitation__isnull=False).first()
    assert response is None or (response.nps, response.submitted_at) == (None, None)
    assert roll_up() == {"promoters": 0, "passives": 0, "detractors": 0}
    assert counted_in_api(cast) == []
    sweep(now=when_final())
    assert not FollowUpCase.objects.exists()
    assert roll_up() == {"promoters": 0, "passives": 0, "detractors": 0}

    # The customer's own tap, later, counts as any other.
    with time_machine.travel(when_final() + timedelta(minutes=5)):
        assert "uw score is ontvangen" in tap(3).content.decode()
        assert Response.objects.get().nps == 3
        assert roll_up()["detractors"] == 1


def test_a_burst_tells_the_person_on_the_page_to_send_the_score(cast, tap):
    for score in (0, 1):
        tap(score, agent=DESKTOP)
    page = tap(2, agent=DESKTOP).content.decode()
    assert "nog niet verstuurd" in page
    assert (
        f'id="q{cast.nps_question.pk}-2" name="q{cast.nps_question.pk}" value="2" checked' in page
    )


def test_head_requests_and_robots_change_nothing(cast, tap):
    for score in range(11):
        assert tap(score, method="head").status_code == 200
    assert not Response.objects.exists() and not ScoreTap.objects.exists()
    assert Invitation.objects.get().status == Invitation.Status.SENT  # not even opened

    page = tap(0, agent="python-requests/2.32.3")
    assert page.status_code == 200 and "nog niet verstuurd" in page.content.decode()
    assert not Response.objects.exists()


def test_a_persons_tap_survives_a_scanner_opening_every_link_later(cast, tap):
    tap(7)
    sweep(now=when_final())
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        for score in range(11):
            tap(score, agent=DESKTOP)
        response = Response.objects.get()
        assert (response.nps, response.counted) == (7, True)
        assert roll_up() == {"promoters": 0, "passives": 1, "detractors": 0}


def test_a_customer_who_changes_their_mind_keeps_the_last_score(cast, tap):
    tap(3)
    tap(4)
    assert Response.objects.get().nps == 4
    assert roll_up() == {"promoters": 0, "passives": 0, "detractors": 1}
    sweep(now=when_final())
    assert FollowUpCase.objects.get().reason == "NPS 4"


def test_answers_on_the_page_join_the_tapped_response_and_the_rules_run_again(
    cast, link, tap, django_capture_on_commit_callbacks
):
    FollowUpRule.objects.create(organisation=cast.owner, name="Opzegrisico", keywords="opzeggen")
    tap(8)
    sweep(now=when_final())
    assert not FollowUpCase.objects.exists()  # a passive: no rule matches yet

    client = Client(HTTP_USER_AGENT=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            link, {f"q{cast.open_question.pk}": "Nog één keer en ik ga opzeggen.", "action": "save"}
        )
    assert saved.status_code == 302
    case = FollowUpCase.objects.get()  # at once: a person wrote it on the page
    assert case.reason == "Opzegrisico"
    response = Response.objects.get()
    assert (response.nps, response.comment) == (8, "Nog één keer en ik ga opzeggen.")
    assert roll_up() == {"promoters": 0, "passives": 1, "detractors": 0}

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(link, {f"q{cast.nps_question.pk}": "9", "action": "submit"})
    assert sent.status_code == 302
    assert Response.objects.count() == 1 and FollowUpCase.objects.count() == 1
    assert roll_up() == {"promoters": 1, "passives": 0, "detractors": 0}
    assert Invitation.objects.get().status == Invitation.Status.ANSWERED
    assert not ScoreTap.objects.exists()  # kept only while the link takes answers


def test_a_score_chosen_on_the_page_is_not_overruled_by_a_tap(cast, link, tap):
    Client().post(link, {f"q{cast.nps_question.pk}": "6", "action": "save"})
    page = tap(9).content.decode()
    assert "nog niet verstuurd" in page
    assert Response.objects.get().nps == 6


def test_an_unfinished_response_is_closed_and_counted_when_the_invitation_expires(cast, link):
    saved = Client().post(
        link,
        {f"q{cast.nps_question.pk}": "3", f"q{cast.open_question.pk}": "Traag", "action": "save"},
    )
    assert saved.status_code == 302
    draft = Response.objects.get()
    assert draft.submitted_at is None and roll_up()["detractors"] == 0

    invitation = Invitation.objects.get()
    report = sweep(now=invitation.expires_at + timedelta(minutes=1))
    assert (report.invitations_expired, report.responses_closed) == (1, 1)
    closed = Response.objects.get()
    assert closed.submitted_at == draft.last_answer_at  # counted on the day it was answered
    assert (closed.nps, closed.comment, closed.counted) == (3, "Traag", True)
    assert roll_up()["detractors"] == 1
    assert FollowUpCase.objects.get().response == closed
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.EXPIRED
    with time_machine.travel(invitation.expires_at + timedelta(minutes=2)):
        assert Client().get(link).status_code == 410


def test_a_tapped_response_is_closed_at_expiry_and_counted_once(cast, tap):
    tap(10)
    invitation = Invitation.objects.get()
    sweep(now=invitation.expires_at + timedelta(minutes=1))
    assert roll_up() == {"promoters": 1, "passives": 0, "detractors": 0}
    assert Response.objects.get().counted
    assert not ScoreTap.objects.exists()


def test_an_invitation_without_answers_just_expires(cast, link):
    Client().get(link)
    invitation = Invitation.objects.get()
    report = sweep(now=invitation.expires_at + timedelta(minutes=1))
    assert (report.invitations_expired, report.responses_closed) == (1, 0)
    assert not Response.objects.exists() and roll_up()["detractors"] == 0


def test_a_customer_whose_tapped_score_counts_gets_no_reminder(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(reminder_after_days=3)
    post_interaction(interaction_payload())
    post_interaction(
        interaction_payload(
            "call-2", customer={"key": "K-2", "email": "twee@example.nl"}, journey_id="claim-2"
        )
    )
    Client(HTTP_USER_AGENT=PHONE).get(f"{survey_path_from_outbox('klant@example.nl')}?nps=9")
    sweep(now=timezone.now() + timedelta(days=3, minutes=1))
    reminded = OutboxMessage.objects.filter(purpose="reminder").values_list("recipient", flat=True)
    assert list(reminded) == ["twee@example.nl"]


@pytest.mark.django_db(transaction=True)
def test_eleven_score_links_opened_in_parallel_count_nothing(cast, post_interaction):
    import threading

    from django.db import connection

    from cxloop.lib.testing.postgres import require_postgres

    require_postgres("truly parallel requests on one invitation")
    post_interaction(interaction_payload())
    link = survey_path_from_outbox("klant@example.nl")
    start = threading.Barrier(11)
    statuses: list[int] = []

    def scanner(score: int) -> None:
        start.wait()
        statuses.append(Client(HTTP_USER_AGENT=DESKTOP).get(f"{link}?nps={score}").status_code)
        connection.close()

    threads = [threading.Thread(target=scanner, args=(score,)) for score in range(11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 11
    assert ScoreTap.objects.count() == 11
    assert not Response.objects.filter(submitted_at__isnull=False).exists()
    assert roll_up() == {"promoters": 0, "passives": 0, "detractors": 0}
    sweep(now=when_final())
    assert not FollowUpCase.objects.exists()
