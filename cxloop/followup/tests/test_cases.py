"""Follow-up cases through their steps: who gets them, who may work them, what each step needs."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase, FollowUpSettings, RootCause
from cxloop.lib.testing.cases import case_for
from cxloop.orgs.services import set_unit_lead

pytestmark = pytest.mark.django_db
Status = FollowUpCase.Status


def test_without_rules_only_detractors_get_a_case(cast):
    assert case_for(cast, employee=cast.agent, nps=7) is None
    assert case_for(cast, employee=cast.agent, nps=6) is not None


def test_the_rules_are_safe_to_run_twice(cast):
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
    message = OutboxMessage.objects.get(recipient="lotte@leasewijs.nl", purpose="case_assigned")
    assert f"/cases/{case.pk}/" in message.body_text


def test_a_case_is_not_resolved_without_root_cause_and_action(cast):
    case = case_for(cast, employee=cast.agent)
    lead = cast.lead.user
    with pytest.raises(services.CaseError):
        services.resolve_case(case=case, actor=lead, root_cause=None, action_taken="Teruggebeld")
    with pytest.raises(services.CaseError):
        services.resolve_case(case=case, actor=lead, root_cause=cast.root_cause, action_taken="  ")
    other_org = RootCause.objects.get(organisation=cast.partner)
    with pytest.raises(services.CaseError):
        services.resolve_case(
            case=case, actor=lead, root_cause=other_org, action_taken="Teruggebeld"
        )
    with pytest.raises(services.CaseError):
        services.close_case(case=case, actor=lead)
    services.resolve_case(
        case=case, actor=lead, root_cause=cast.root_cause, action_taken="Wachtrij aangepast"
    )
    services.close_case(case=case, actor=lead)
    with pytest.raises(services.CaseError):
        services.close_case(case=case, actor=lead)
    with pytest.raises(services.CaseError):
        services.log_contact_attempt(case=case, actor=lead, channel="phone", reached=True)


def test_failed_attempts_close_the_case_as_unreachable(cast):
    FollowUpSettings.objects.create(organisation=cast.owner, max_failed_attempts=2)
    case = case_for(cast, employee=cast.agent)
    services.log_contact_attempt(case=case, actor=cast.lead.user, channel="phone", reached=False)
    case.refresh_from_db()
    assert (case.status, case.first_contact_at, case.failed_attempts) == (Status.NEW, None, 1)
    services.log_contact_attempt(case=case, actor=cast.lead.user, channel="phone", reached=False)
    case.refresh_from_db()
    assert (case.status, case.closed_reason) == (Status.CLOSED, "unreachable")


def test_reopening_needs_a_reason(cast):
    case = case_for(cast, employee=cast.agent)
    services.resolve_case(
        case=case, actor=cast.lead.user, root_cause=cast.root_cause, action_taken="Opgelost"
    )
    services.close_case(case=case, actor=cast.lead.user)
    with pytest.raises(services.CaseError):
        services.reopen_case(case=case, actor=cast.lead.user, note=" ")
    services.reopen_case(case=case, actor=cast.lead.user, note="Klant belde opnieuw")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.closed_at is None


def test_waiting_for_the_customer_pauses_the_sla(cast):
    monday_10 = timezone.datetime(2026, 11, 23, 10, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(monday_10, tick=False):
        case = case_for(cast, employee=cast.agent)
    # 40 working hours from Monday 10:00 at 9 hours a day: Friday 14:00 (Mon 7.5 + 4 × 9 = 43.5 ≥ 40).
    assert case.due_at.astimezone(monday_10.tzinfo) == monday_10.replace(day=27, hour=14)
    with time_machine.travel(monday_10.replace(hour=11), tick=False):
        services.wait_for_customer(case=case, actor=cast.lead.user)
    with time_machine.travel(
        monday_10.replace(day=24, hour=11), tick=False
    ):  # a working day (9 h) later
        case = services.resume(case=case, actor=cast.lead.user)
    assert case.due_at.astimezone(monday_10.tzinfo) == monday_10.replace(day=30, hour=14)
    assert case.status == Status.IN_PROGRESS


def test_closing_through_the_page_without_resolving_shows_why(cast):
    case = case_for(cast, employee=cast.agent)
    page = cast.client_for(cast.lead.user).post(f"/cases/{case.pk}/close/", {"note": ""})
    assert page.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_a_bad_contact_form_is_refused(cast):
    case = case_for(cast, employee=cast.agent)
    page = cast.client_for(cast.lead.user).post(
        f"/cases/{case.pk}/contact/", {"channel": "duif", "reached": "misschien"}
    )
    assert page.status_code == 422
    assert case.events.count() == 2  # opened, assigned


@pytest.mark.parametrize("who", ["outsider", "partner_admin", "colleague"])
def test_people_outside_the_case_get_404(cast, who):
    case = case_for(cast, employee=cast.agent)
    user = cast.colleague.user if who == "colleague" else getattr(cast, who)
    client = cast.client_for(user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/close/", {"note": "x"}).status_code == 404
    assert f"/cases/{case.pk}/" not in client.get("/cases/?show=all").content.decode()


def test_the_org_admin_and_the_lead_see_the_case(cast):
    case = case_for(cast, employee=cast.agent)
    assert cast.client_for(cast.owner_admin).get(f"/cases/{case.pk}/").status_code == 200
    assert cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/").status_code == 200


def test_the_inbox_sorts_by_due_time_and_filters_overdue(cast):
    older = case_for(cast, employee=cast.agent)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        newer = case_for(cast, employee=cast.colleague)
    lead = cast.client_for(cast.lead.user)
    assert [c.pk for c in lead.get("/cases/?show=mine").context["cases"]] == sorted(
        [older.pk, newer.pk], key=lambda pk: FollowUpCase.objects.get(pk=pk).due_at
    )
    with time_machine.travel(older.due_at + timedelta(minutes=30)):
        lead = cast.client_for(cast.lead.user)  # hours later: a new login (sessions end when idle)
        overdue = [c.pk for c in lead.get("/cases/?show=overdue").context["cases"]]
    assert older.pk in overdue
