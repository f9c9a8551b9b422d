"""One customer's feedback travels the whole loop through HTTP, as real users would drive it."""

import re

import pytest

from cxloop.conftest import PASSWORD, interaction_payload
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.lib.testing.logins import login_through_pages
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent
from cxloop.responses.models import Response
from cxloop.surveys.models import Invitation

pytestmark = pytest.mark.django_db


def survey_path_from_outbox(recipient: str) -> str:
    """The survey link as the customer received it (the outbox stores only a marker for it)."""
    message = OutboxMessage.objects.filter(recipient=recipient).latest("created_at")
    sent = as_sent(message).text
    match = re.search(r"http://[^/\s]+(/s/[A-Za-z0-9_-]+/)", sent)
    assert match, sent
    return match.group(1)


def test_interaction_to_invitation_to_answer_to_case_to_dashboard(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    # 1. The owner's CRM posts an interaction of agent Anouk.
    created = post_interaction(interaction_payload())
    assert created.status_code == 201, created.content

    # 2. The default rule invited the customer by e-mail from Leasewijs' own address.
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.SENT
    message = OutboxMessage.objects.get(recipient="klant@example.nl")
    assert message.sender == "klantbeleving@leasewijs.nl"
    assert message.reply_to == "service@leasewijs.nl"
    assert "Leasewijs" in message.subject
    path = survey_path_from_outbox("klant@example.nl")

    # 3. The customer opens the link (Dutch by default) and answers as a detractor.
    page = client.get(path)
    assert page.status_code == 200
    assert "Hoe waarschijnlijk is het dat u Leasewijs aanbeveelt?" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(
            path,
            {
                f"q{cast.nps_question.pk}": "3",
                f"q{cast.open_question.pk}": "Ik moest drie keer bellen.",
                "action": "submit",
            },
        )
    assert answered.status_code == 302
    assert client.get(answered["Location"]).status_code == 200
    response = Response.objects.get()
    assert (response.nps, response.employee, response.unit, response.channel) == (
        3,
        cast.agent,
        cast.team,
        cast.phone,
    )

    # 4. A case opened for the lead of Anouk's team, with a due time; she sees it, calls, closes.
    case = FollowUpCase.objects.get()
    assert case.assignee == cast.lead
    assert case.due_at > case.opened_at
    lead = cast.client_for(cast.lead.user)
    inbox = lead.get("/cases/?show=mine")
    assert f"/cases/{case.pk}/" in inbox.content.decode()
    assert (
        lead.post(
            f"/cases/{case.pk}/contact/",
            {"channel": "phone", "reached": "yes", "note": "Excuses gemaakt"},
        ).status_code
        == 302
    )
    assert (
        lead.post(f"/cases/{case.pk}/close/", {"note": "te vroeg"}).status_code == 409
    )  # not without root cause and action
    resolved = lead.post(
        f"/cases/{case.pk}/resolve/",
        {"root_cause": cast.root_cause.pk, "action_taken": "Wachtrij-instellingen aangepast"},
    )
    assert resolved.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        informed = lead.post(
            f"/cases/{case.pk}/inform/",
            {"subject": "Wat we deden", "body": "We hebben de wachtrij aangepast."},
        )
    assert informed.status_code == 302
    assert OutboxMessage.objects.filter(
        purpose="customer_informed", recipient="klant@example.nl"
    ).exists()
    assert lead.post(f"/cases/{case.pk}/close/", {"note": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.CLOSED
    assert case.first_contact_at is not None and case.informed_at is not None
    assert list(case.events.values_list("kind", flat=True)) == [
        CaseEvent.Kind.OPENED,
        CaseEvent.Kind.ASSIGNED,
        CaseEvent.Kind.CONTACT_ATTEMPT,
        CaseEvent.Kind.RESOLVED,
        CaseEvent.Kind.CUSTOMER_INFORMED,
        CaseEvent.Kind.CLOSED,
    ]

    # 5. Anouk logs in and sees her own NPS with n and interval, and the verbatim about her.
    anouk = client.__class__()
    assert login_through_pages(anouk, "anouk", PASSWORD).status_code == 200
    mine = anouk.get("/me/").content.decode()
    assert "−100" in mine and "n = 1" in mine
    assert "Ik moest drie keer bellen." in mine

    # The lead sees the team with each member; the owner's admin sees the units rolled up.
    team_page = lead.get(f"/units/{cast.team.pk}/").content.decode()
    assert "Anouk Agent" in team_page and "Bram Collega" in team_page
    org_page = cast.client_for(cast.owner_admin).get("/organisations/leasewijs/").content.decode()
    assert "Klantenservice" in org_page and "Team Noord" in org_page


def test_a_used_link_cannot_be_answered_again(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    post_interaction(interaction_payload())
    path = survey_path_from_outbox("klant@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {f"q{cast.nps_question.pk}": "9", "action": "submit"})
    again = client.post(path, {f"q{cast.nps_question.pk}": "0", "action": "submit"})
    assert again.status_code == 410
    assert "al ingevuld" in again.content.decode() or "already answered" in again.content.decode()
    assert Response.objects.get().nps == 9


def test_a_tampered_or_unknown_token_is_refused(cast, post_interaction, client):
    post_interaction(interaction_payload())
    path = survey_path_from_outbox("klant@example.nl")
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.get(tampered).status_code == 404
    assert client.get("/s/not-a-token/").status_code == 404
    assert not Response.objects.exists()
