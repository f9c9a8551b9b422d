"""Follow-up cases: who gets them, who may work them, and what closing needs."""

import pytest

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase
from cxloop.orgs.services import set_unit_lead
from cxloop.dashboards.tests.test_access import add_response

pytestmark = pytest.mark.django_db


def case_for(cast, *, employee, nps: int = 3) -> FollowUpCase:
    response = add_response(cast, employee=employee, nps=nps, comment="Niemand belde terug")
    return services.apply_followup_rules(response_id=response.pk)


def test_only_detractors_get_a_case(cast):
    assert case_for(cast, employee=cast.agent, nps=7) is None
    assert case_for(cast, employee=cast.agent, nps=6) is not None


def test_the_rule_is_safe_to_run_twice(cast):
    case = case_for(cast, employee=cast.agent)
    assert services.apply_followup_rules(response_id=case.response_id) == case
    assert FollowUpCase.objects.count() == 1


def test_without_a_team_lead_the_case_goes_to_the_lead_above(cast):
    set_unit_lead(unit=cast.team, lead=None)
    set_unit_lead(unit=cast.department, lead=cast.colleague)
    assert case_for(cast, employee=cast.agent).assignee == cast.colleague


def test_the_assignee_gets_an_email(cast, django_capture_on_commit_callbacks):
    from cxloop.messaging.models import OutboxMessage

    with django_capture_on_commit_callbacks(execute=True):
        case = case_for(cast, employee=cast.agent)
    message = OutboxMessage.objects.get(recipient="lotte@leasewijs.nl")
    assert f"/cases/{case.pk}/" in message.body_text


def test_closing_needs_a_note_and_happens_once(cast):
    case = case_for(cast, employee=cast.agent)
    with pytest.raises(services.CaseError):
        services.close_case(case=case, actor=cast.lead.user, resolution="  ")
    services.close_case(case=case, actor=cast.lead.user, resolution="Teruggebeld en excuses gemaakt")
    with pytest.raises(services.CaseError):
        services.close_case(case=case, actor=cast.lead.user, resolution="nog eens")
    with pytest.raises(services.CaseError):
        services.log_contact_attempt(case=case, actor=cast.lead.user, channel="phone", reached=True)


def test_a_failed_attempt_does_not_count_as_contact(cast):
    case = case_for(cast, employee=cast.agent)
    services.log_contact_attempt(case=case, actor=cast.lead.user, channel="phone", reached=False)
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.NEW and case.first_contact_at is None


def test_closing_through_the_page_without_a_note_shows_the_form_again(cast):
    case = case_for(cast, employee=cast.agent)
    page = cast.client_for(cast.lead.user).post(f"/cases/{case.pk}/close/", {"resolution": ""})
    assert page.status_code == 422
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.NEW


def test_a_bad_contact_form_is_refused(cast):
    case = case_for(cast, employee=cast.agent)
    page = cast.client_for(cast.lead.user).post(f"/cases/{case.pk}/contact/", {"channel": "duif", "reached": "misschien"})
    assert page.status_code == 422
    assert case.events.count() == 2  # opened, assigned


@pytest.mark.parametrize("who", ["outsider", "partner_admin", "colleague"])
def test_people_outside_the_case_get_404(cast, who):
    case = case_for(cast, employee=cast.agent)
    user = cast.colleague.user if who == "colleague" else getattr(cast, who)
    client = cast.client_for(user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/close/", {"resolution": "x"}).status_code == 404
    assert f"/cases/{case.pk}/" not in client.get("/cases/?show=all").content.decode()


def test_the_org_admin_and_the_lead_see_the_case(cast):
    case = case_for(cast, employee=cast.agent)
    assert cast.client_for(cast.owner_admin).get(f"/cases/{case.pk}/").status_code == 200
    assert cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/").status_code == 200


def test_the_inbox_sorts_by_due_time_and_filters_overdue(cast):
    import time_machine
    from django.utils import timezone
    from datetime import timedelta

    older = case_for(cast, employee=cast.agent)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        newer = case_for(cast, employee=cast.colleague)
    lead = cast.client_for(cast.lead.user)
    assert [c.pk for c in lead.get("/cases/?show=mine").context["cases"]] == [older.pk, newer.pk]
    with time_machine.travel(older.due_at + timedelta(minutes=30)):
        overdue = lead.get("/cases/?show=overdue").context["cases"]
    assert [c.pk for c in overdue] == [older.pk]
