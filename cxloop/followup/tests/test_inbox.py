"""The follow-up inbox and the case page: tabs, filters, bulk reassign, who sees what, the customer around a case."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxloop.customers.models import Customer
from cxloop.followup import services
from cxloop.followup.models import CaseEvent, CustomerMessageTemplate, FollowUpCase, FollowUpQueue
from cxloop.journeys.models import Interaction, Journey
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.responses import make_response
from cxloop.orgs.models import Role
from cxloop.orgs.services import create_employee, grant_role
from cxloop.responses.models import Response

pytestmark = pytest.mark.django_db
Status = FollowUpCase.Status


def pks(page) -> list[int]:
    return [case.pk for case in page.context["cases"]]


def journey_owner(cast):
    user = get_user_model().objects.create_user(username="jolanda")
    grant_role(user=user, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    return user


@pytest.fixture
def cases(cast):
    """Four cases: two from Anouk's calls, one from Bram's (high priority, assigned to Bram), one of the partner."""
    first = case_for(cast, employee=cast.agent, nps=1, comment="Eerste")
    second = case_for(cast, employee=cast.agent, nps=2, comment="Tweede")
    third = case_for(cast, employee=cast.colleague, nps=3, comment="Derde")
    FollowUpCase.objects.filter(pk=third.pk).update(priority="high")
    services.reassign_case(case=third, actor=cast.lead.user, assignee=cast.colleague)
    partner = case_for(cast, employee=cast.partner_agent, nps=4, comment="Partner")
    return {"first": first, "second": second, "third": third, "partner": partner}


# --- tabs and filters ----------------------------------------------------------------------------


def test_tabs_mine_team_open_closed_all(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first, second, third = cases["first"], cases["second"], cases["third"]
    services.resolve_case(
        case=second, actor=cast.lead.user, root_cause=cast.root_cause, action_taken="Gebeld"
    )
    services.close_case(case=second, actor=cast.lead.user)
    assert set(pks(lotte.get("/cases/?show=mine"))) == {first.pk}
    assert set(pks(lotte.get("/cases/?show=team"))) == {first.pk, third.pk}
    assert set(pks(lotte.get("/cases/?show=open"))) == {first.pk, third.pk}
    assert set(pks(lotte.get("/cases/?show=closed"))) == {second.pk}
    assert set(pks(lotte.get("/cases/?show=all"))) == {first.pk, second.pk, third.pk}
    assert set(pks(lotte.get("/cases/"))) == {first.pk, third.pk}  # open by default


def test_only_leads_have_a_team_tab(cast, cases):
    tabs = [
        tab
        for tab, _label, _query in cast.client_for(cast.colleague.user)
        .get("/cases/")
        .context["tabs"]
    ]
    assert "team" not in tabs
    assert pks(cast.client_for(cast.colleague.user).get("/cases/?show=team")) == []


def test_overdue_marks_a_missed_first_contact_and_a_missed_resolution(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first = cases["first"]
    services.log_contact_attempt(
        case=cases["third"], actor=cast.lead.user, channel="phone", reached=True
    )
    with time_machine.travel(first.first_contact_due_at + timedelta(minutes=5)):
        lotte = cast.client_for(cast.lead.user)  # hours later: a new login (sessions end when idle)
        page = lotte.get("/cases/?show=overdue")
        # The first two are not contacted in time; the third was reached and is not yet due.
        assert set(pks(page)) == {first.pk, cases["second"].pk}
        row = next(c for c in page.context["cases"] if c.pk == first.pk)
        assert row.first_contact_overdue and not row.resolution_overdue
    with time_machine.travel(first.due_at + timedelta(minutes=5)):
        lotte = cast.client_for(cast.lead.user)
        row = next(
            c for c in lotte.get("/cases/?show=overdue").context["cases"] if c.pk == first.pk
        )
        assert row.first_contact_overdue and row.resolution_overdue
        assert cases["third"].pk in pks(lotte.get("/cases/?show=overdue"))
    services.wait_for_customer(case=first, actor=cast.lead.user)
    with time_machine.travel(first.due_at + timedelta(minutes=5)):
        lotte = cast.client_for(cast.lead.user)
        assert first.pk not in pks(lotte.get("/cases/?show=overdue"))  # the clock is paused


def test_filters_combine(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first, second, third = cases["first"], cases["second"], cases["third"]
    assert set(pks(lotte.get("/cases/", {"priority": "high"}))) == {third.pk}
    assert set(pks(lotte.get("/cases/", {"assignee": cast.lead.pk}))) == {first.pk, second.pk}
    services.log_contact_attempt(case=first, actor=cast.lead.user, channel="phone", reached=True)
    assert set(pks(lotte.get("/cases/", {"assignee": cast.lead.pk, "status": "contacted"}))) == {
        first.pk
    }
    assert set(pks(lotte.get("/cases/", {"unit": cast.department.pk}))) == {
        first.pk,
        second.pk,
        third.pk,
    }
    assert set(
        pks(lotte.get("/cases/", {"journey_type": cast.journey_type.pk, "priority": "normal"}))
    ) == {first.pk, second.pk}
    assert pks(lotte.get("/cases/", {"status": "closed", "priority": "high"})) == []


def test_a_filter_value_outside_the_users_cases_is_ignored(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    page = lotte.get(
        "/cases/", {"assignee": cast.partner_agent.pk, "status": "nonsense", "unit": "x"}
    )
    assert page.status_code == 200
    assert set(pks(page)) == {cases["first"].pk, cases["second"].pk, cases["third"].pk}
    # The filters only offer what occurs in the user's own cases.
    assignees = dict(page.context["filter_form"].fields["assignee"].choices)
    assert str(cast.partner_agent.pk) not in assignees and str(cast.colleague.pk) in assignees


def test_chain_wide_readers_filter_by_organisation(cast, cases):
    reader = cast.client_for(journey_owner(cast))
    everything = reader.get("/cases/?show=all")
    assert "organisation" in everything.context["filter_form"].fields
    assert cases["partner"].pk in pks(everything)
    only_partner = reader.get("/cases/", {"show": "all", "organisation": cast.partner.pk})
    assert pks(only_partner) == [cases["partner"].pk]
    assert (
        "organisation"
        not in cast.client_for(cast.lead.user).get("/cases/").context["filter_form"].fields
    )


def test_sort_by_due_time_or_newest_first(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    by_due = pks(lotte.get("/cases/"))
    due = {c.pk: c.first_contact_due_at for c in FollowUpCase.objects.all()}
    assert by_due == sorted(by_due, key=lambda pk: (due[pk], pk))
    newest = pks(lotte.get("/cases/?sort=opened"))
    assert newest == sorted(newest, reverse=True)


def test_the_inbox_does_not_query_per_row(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    with CaptureQueriesContext(connection) as few:
        assert len(pks(lotte.get("/cases/?show=all"))) == 3
    for n in range(6):
        case_for(cast, employee=cast.colleague if n % 2 else cast.agent, nps=n, comment=f"Meer {n}")
    with CaptureQueriesContext(connection) as more:
        assert len(pks(lotte.get("/cases/?show=all"))) == 9
    assert len(more) == len(few)


# --- bulk reassign ------------------------------------------------------------------------------


def test_a_lead_reassigns_several_cases_at_once(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first, second = cases["first"], cases["second"]
    answer = lotte.post(
        "/cases/reassign/?show=open",
        {"cases": [first.pk, second.pk], "assignee": cast.agent.pk, "note": "Anouk kent de klant"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/cases/?show=open"
    for case in (first, second):
        case.refresh_from_db()
        assert (case.assignee, case.reassignments, case.handovers) == (cast.agent, 1, 0)
        event = case.events.get(kind=CaseEvent.Kind.REASSIGNED)
        assert (event.actor, event.note) == (cast.lead.user, "Anouk kent de klant")


def test_a_move_to_another_unit_counts_a_handover(cast, cases):
    back_office = create_employee(
        organisation=cast.owner, unit=cast.department, code="D1", name="Dirk Backoffice"
    )
    admin = cast.client_for(cast.owner_admin)
    first = cases["first"]
    assert (
        admin.post("/cases/reassign/", {"cases": [first.pk], "assignee": cast.agent.pk}).status_code
        == 302
    )
    assert (
        admin.post(
            "/cases/reassign/", {"cases": [first.pk], "assignee": back_office.pk}
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert (first.reassignments, first.handovers, first.unit) == (2, 1, cast.department)


def test_a_lead_may_only_reassign_to_her_own_units(cast, cases):
    back_office = create_employee(
        organisation=cast.owner, unit=cast.department, code="D1", name="Dirk Backoffice"
    )
    lotte = cast.client_for(cast.lead.user)
    for assignee in (back_office, cast.partner_agent):
        page = lotte.post(
            "/cases/reassign/", {"cases": [cases["first"].pk], "assignee": assignee.pk}
        )
        assert page.status_code == 422
    options = [e.pk for e in lotte.get("/cases/").context["bulk_form"].fields["assignee"].queryset]
    assert set(options) == {cast.lead.pk, cast.agent.pk, cast.colleague.pk}
    cases["first"].refresh_from_db()
    assert cases["first"].reassignments == 0


def test_cases_the_user_does_not_see_or_closed_cases_are_refused_and_nothing_moves(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first, second = cases["first"], cases["second"]
    page = lotte.post(
        "/cases/reassign/", {"cases": [first.pk, cases["partner"].pk], "assignee": cast.agent.pk}
    )
    assert page.status_code == 422
    services.resolve_case(
        case=second, actor=cast.lead.user, root_cause=cast.root_cause, action_taken="Gebeld"
    )
    assert (
        lotte.post(
            "/cases/reassign/", {"cases": [first.pk, second.pk], "assignee": cast.agent.pk}
        ).status_code
        == 422
    )
    assert lotte.post("/cases/reassign/", {"assignee": cast.agent.pk}).status_code == 422
    assert (
        FollowUpCase.objects.filter(reassignments__gt=0).exclude(pk=cases["third"].pk).count() == 0
    )


def test_employees_without_anyone_to_assign_to_get_no_bulk_form(cast, cases):
    services.reassign_case(case=cases["first"], actor=cast.lead.user, assignee=cast.agent)
    page = cast.client_for(cast.agent.user).get("/cases/")
    assert page.context["can_reassign"] is False
    assert 'name="cases"' not in page.content.decode()
    assert (
        cast.client_for(cast.agent.user)
        .post("/cases/reassign/", {"cases": [cases["first"].pk], "assignee": cast.colleague.pk})
        .status_code
        == 422
    )


# --- access ---------------------------------------------------------------------------------------


def test_bram_does_not_see_anouks_case(cast, cases):
    services.reassign_case(case=cases["first"], actor=cast.lead.user, assignee=cast.agent)
    anouk, bram = cast.client_for(cast.agent.user), cast.client_for(cast.colleague.user)
    assert pks(anouk.get("/cases/?show=all")) == [cases["first"].pk]
    assert anouk.get(f"/cases/{cases['first'].pk}/").status_code == 200
    assert bram.get(f"/cases/{cases['first'].pk}/").status_code == 404
    assert pks(bram.get("/cases/?show=all")) == [cases["third"].pk]
    assert (
        bram.post(
            f"/cases/{cases['first'].pk}/reassign/", {"assignee": cast.colleague.pk}
        ).status_code
        == 404
    )


def test_partner_and_owner_admins_do_not_see_each_others_cases(cast, cases):
    paula, olivia = cast.client_for(cast.partner_admin), cast.client_for(cast.owner_admin)
    partner_case, owner_case = cases["partner"], cases["first"]
    assert pks(paula.get("/cases/?show=all")) == [partner_case.pk]
    assert paula.get(f"/cases/{owner_case.pk}/").status_code == 404
    assert partner_case.pk not in pks(olivia.get("/cases/?show=all"))
    assert olivia.get(f"/cases/{partner_case.pk}/").status_code == 404
    assert (
        olivia.post(
            "/cases/reassign/", {"cases": [partner_case.pk], "assignee": cast.agent.pk}
        ).status_code
        == 422
    )


def test_outsiders_get_404(cast, cases):
    olaf = cast.client_for(cast.outsider)
    for case in cases.values():
        assert olaf.get(f"/cases/{case.pk}/").status_code == 404
        assert (
            olaf.post(f"/cases/{case.pk}/reassign/", {"assignee": cast.agent.pk}).status_code == 404
        )
    assert pks(olaf.get("/cases/?show=all")) == []


def test_anonymous_visitors_are_sent_to_log_in(client, cases):
    assert client.get("/cases/").status_code == 302
    assert client.post("/cases/reassign/", {}).status_code == 302


# --- the case page ------------------------------------------------------------------------------------


def test_reassign_from_the_case_page_to_an_employee_or_a_queue(cast, cases):
    lotte = cast.client_for(cast.lead.user)
    first = cases["first"]
    assert (
        lotte.post(
            f"/cases/{first.pk}/reassign/", {"assignee": cast.colleague.pk, "note": "Bram belt"}
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert (first.assignee, first.reassignments) == (cast.colleague, 1)
    queue = FollowUpQueue.objects.create(
        organisation=cast.owner, name="Terugbellers", prefer_known_employee=False
    )
    queue.members.add(cast.agent)
    assert lotte.post(f"/cases/{first.pk}/reassign/", {"queue": queue.pk}).status_code == 302
    first.refresh_from_db()
    assert (first.assignee, first.queue, first.reassignments) == (cast.agent, queue, 2)
    both = lotte.post(f"/cases/{first.pk}/reassign/", {"assignee": cast.lead.pk, "queue": queue.pk})
    assert both.status_code == 422
    outside = lotte.post(f"/cases/{first.pk}/reassign/", {"assignee": cast.partner_agent.pk})
    assert outside.status_code == 422


def _second_response(cast, response: Response, *, employee, nps: int, comment: str) -> Response:
    now = timezone.now() - timedelta(days=20)
    journey = Journey.objects.create(
        chain=cast.chain,
        journey_type=cast.journey_type,
        customer=response.customer,
        external_id=f"j2-{employee.code}-{nps}",
        started_at=now,
    )
    interaction = Interaction.objects.create(
        organisation=employee.organisation,
        external_id=f"i2-{employee.code}-{nps}",
        journey=journey,
        customer=response.customer,
        occurred_at=now,
        channel=cast.email,
        unit=employee.unit,
        employee=employee,
    )
    return Response.objects.create(
        survey=cast.survey,
        customer=response.customer,
        organisation=employee.organisation,
        interaction=interaction,
        journey=journey,
        journey_type=cast.journey_type,
        unit=employee.unit,
        unit_path=employee.unit.path,
        employee=employee,
        channel=cast.email,
        nps=nps,
        comment=comment,
        started_at=now,
        submitted_at=now,
    )


@pytest.fixture
def customer_story(cast):
    """A case whose journey also passed the partner, and the customer's earlier feedback to both."""
    case = case_for(cast, employee=cast.agent, nps=2, comment="Niemand belde terug")
    response = case.response
    Interaction.objects.create(
        organisation=cast.partner,
        external_id="bel-1",
        journey=response.journey,
        customer=response.customer,
        occurred_at=response.interaction.occurred_at - timedelta(hours=2),
        channel=cast.phone,
        touchpoint=cast.touchpoint,
        unit=cast.partner_agent.unit,
        employee=cast.partner_agent,
    )
    _second_response(cast, response, employee=cast.colleague, nps=8, comment="Bram hielp goed")
    partner_response = _second_response(
        cast, response, employee=cast.partner_agent, nps=4, comment="Lang in de wacht"
    )
    other = services.apply_followup_rules(response_id=partner_response.pk)
    return case, other


def test_the_case_shows_the_journey_across_partners_without_naming_their_employees(
    cast, customer_story
):
    case, _other = customer_story
    page = cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/")
    steps = page.context["journey"]
    assert [(s.organisation, s.employee, s.is_case_interaction) for s in steps] == [
        ("Belcentrum", "", False),
        ("Leasewijs", "Anouk Agent", True),
    ]
    assert steps[0].touchpoint == "Schade melden"
    assert "Pim Partner" not in page.content.decode()


def test_earlier_feedback_shows_comments_of_the_own_organisation_only(cast, customer_story):
    case, other = customer_story
    lotte = cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/")
    assert [(f.organisation, f.nps, f.comment) for f in lotte.context["earlier_feedback"]] == [
        ("Leasewijs", 8, "Bram hielp goed"),
    ]
    assert lotte.context["other_cases"] == []  # the partner's case is not hers to see
    reader = cast.client_for(journey_owner(cast)).get(f"/cases/{case.pk}/")
    feedback = sorted(
        (f.organisation, f.nps, f.comment) for f in reader.context["earlier_feedback"]
    )
    assert feedback == [("Belcentrum", 4, ""), ("Leasewijs", 8, "Bram hielp goed")]
    assert "Lang in de wacht" not in reader.content.decode()
    assert [c.pk for c in reader.context["other_cases"]] == [other.pk]


def test_the_inform_form_is_prefilled_from_the_chosen_template(cast):
    case = case_for(cast, employee=cast.agent)
    Customer.objects.filter(pk=case.response.customer_id).update(
        email="klant@example.nl", language="nl"
    )
    services.resolve_case(
        case=case,
        actor=cast.lead.user,
        root_cause=cast.root_cause,
        action_taken="Wachtrij ingekort",
    )
    template = CustomerMessageTemplate.objects.create(
        organisation=cast.owner,
        name="Kort",
        subject_nl="Uw feedback aan {organisation}",
        body_nl="{employee}: {action}.",
        subject_en="Your feedback",
        body_en="{action}",
    )
    CustomerMessageTemplate.objects.create(
        organisation=cast.partner,
        name="Van de partner",
        subject_nl="x",
        body_nl="x",
        subject_en="x",
        body_en="x",
    )
    lotte = cast.client_for(cast.lead.user)
    standard = lotte.get(f"/cases/{case.pk}/").context["inform_form"]
    assert "Wachtrij ingekort" in standard.initial["body"]
    assert [t.name for t in lotte.get(f"/cases/{case.pk}/").context["templates"]] == ["Kort"]
    chosen = lotte.get(f"/cases/{case.pk}/", {"template": template.pk}).context["inform_form"]
    assert chosen.initial == {
        "subject": "Uw feedback aan Leasewijs",
        "body": "Lotte de Lead: Wachtrij ingekort.",
    }
    partner_template = CustomerMessageTemplate.objects.get(organisation=cast.partner)
    ignored = lotte.get(f"/cases/{case.pk}/", {"template": partner_template.pk}).context[
        "inform_form"
    ]
    assert ignored.initial["body"] == standard.initial["body"]


def test_the_case_page_renders_for_a_customer_without_contact_details(cast):
    response = make_response(cast, employee=cast.colleague, nps=3, comment="Zonder mail")
    case = services.apply_followup_rules(response_id=response.pk)
    assert cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/").status_code == 200
