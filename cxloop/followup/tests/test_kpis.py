"""Closed-loop KPIs: the pure maths, and the page against a small dataset computed by hand."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxloop.customers.models import Customer
from cxloop.followup import kpis, sla
from cxloop.followup.kpis import CaseFacts, Ratio
from cxloop.followup.models import FollowUpCase, FollowUpSettings, RootCause
from cxloop.journeys.models import Interaction, Journey
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role
from cxloop.responses.models import Response

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=AMS)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


# --- pure ----------------------------------------------------------------------------------------


def facts(**overrides) -> CaseFacts:
    values = {"organisation_id": 1, "status": "new", "opened_at": at(2, 9), "due_at": at(6, 13)}
    values.update(overrides)
    return CaseFacts(**values)


def test_a_ratio_without_a_denominator_has_no_percentage():
    assert Ratio(0, 0).percent is None
    assert Ratio(1, 4).percent == 25


def test_closed_loop_rate_counts_detractors_reached():
    assert kpis.closed_loop_rate([True, False, True, True]) == Ratio(3, 4)
    assert kpis.closed_loop_rate([]) == Ratio(0, 0)


def test_first_contact_within_sla_only_counts_contacted_cases_and_on_time_is_within():
    cases = [
        facts(first_contact_due_at=at(2, 17), first_contact_at=at(2, 17)),  # exactly on time
        facts(first_contact_due_at=at(2, 17), first_contact_at=at(2, 17, 1)),  # a minute late
        facts(first_contact_due_at=at(2, 17)),  # not contacted: not counted
        facts(first_contact_at=at(2, 10)),  # no due time (older case): not counted
    ]
    assert kpis.first_contact_within_sla(cases) == Ratio(1, 2)


def test_resolved_within_sla_compares_with_the_due_time():
    cases = [facts(resolved_at=at(6, 13)), facts(resolved_at=at(6, 14)), facts()]
    assert kpis.resolved_within_sla(cases) == Ratio(1, 2)


def test_median_hours_wall_clock_and_working():
    # Opened Tuesday 16:00, contacted Wednesday 10:00: 18 hours, of which 1.5 + 1.5 working hours.
    # Opened Wednesday 09:00, contacted Friday 10:00: 49 hours; 8.5 + 9 + 1.5 = 19 working hours.
    cases = [
        facts(opened_at=at(3, 16), first_contact_at=at(4, 10)),
        facts(opened_at=at(4, 9), first_contact_at=at(6, 10)),
        facts(opened_at=at(2, 9), first_contact_at=at(2, 11)),
        facts(opened_at=at(2, 9)),  # not contacted
    ]
    assert kpis.median_hours_to_first_contact(cases) == 18
    assert kpis.median_working_hours_to_first_contact(cases, {}) == 3
    assert kpis.median_hours_to_first_contact([]) is None


def test_working_hours_use_the_case_organisations_calendar():
    mornings = sla.Calendar(hours={day: ((time(8, 0), time(12, 0)),) for day in range(5)})
    case = facts(organisation_id=7, opened_at=at(3, 16), first_contact_at=at(4, 10))
    assert (
        kpis.median_working_hours_to_first_contact([case], {7: mornings}) == 2
    )  # Wednesday 08:00–10:00


def test_customers_informed_counts_cases_finished_as_resolved():
    cases = [
        facts(status="closed", closed_reason="resolved", informed_at=at(3, 11)),
        facts(status="closed", closed_reason="resolved"),
        facts(status="informed", informed_at=at(3, 11)),
        facts(status="resolved"),
        facts(status="closed", closed_reason="unreachable"),  # not in the denominator
        facts(status="in_progress", informed_at=at(3, 11)),  # reopened: not in the denominator
    ]
    assert kpis.customers_informed(cases) == Ratio(2, 4)


def test_mean_per_case():
    assert kpis.mean_per_case([0, 1, 2, 0]) == 0.75
    assert kpis.mean_per_case([]) is None


def test_root_cause_pareto_sorts_by_count_then_name_with_cumulative_share():
    rows = kpis.root_cause_pareto(["B", "A", None, "C", "B", "A", "B"])
    assert [(r.root_cause, r.count) for r in rows] == [("B", 3), ("A", 2), ("C", 1)]
    assert [round(r.percent, 2) for r in rows] == [50, 33.33, 16.67]
    assert [round(r.cumulative_percent, 2) for r in rows] == [50, 83.33, 100]
    assert kpis.root_cause_pareto([None]) == []


# --- the page, against a dataset computed by hand -------------------------------------------------------


def response_at(
    cast, *, employee, nps: int, when: datetime, key: str, comment: str = ""
) -> Response:
    """A submitted response about `employee` at a given moment, for a customer of its own."""
    customer = Customer.objects.create(chain=cast.chain, key=key)
    journey = Journey.objects.create(
        chain=cast.chain,
        journey_type=cast.journey_type,
        customer=customer,
        external_id=f"j-{key}",
        started_at=when,
    )
    interaction = Interaction.objects.create(
        organisation=employee.organisation,
        external_id=f"i-{key}",
        journey=journey,
        customer=customer,
        occurred_at=when,
        channel=cast.phone,
        unit=employee.unit,
        employee=employee,
    )
    return Response.objects.create(
        survey=cast.survey,
        customer=customer,
        organisation=employee.organisation,
        interaction=interaction,
        journey=journey,
        journey_type=cast.journey_type,
        unit=employee.unit,
        unit_path=employee.unit.path,
        employee=employee,
        channel=cast.phone,
        nps=nps,
        comment=comment,
        started_at=when,
        submitted_at=when,
    )


def case_at(
    cast, *, employee, nps: int, key: str, opened: datetime, assignee=None, **fields
) -> FollowUpCase:
    """A case with exactly these facts (the steps that produce them are tested in test_cases)."""
    response = response_at(
        cast, employee=employee, nps=nps, when=opened - timedelta(minutes=1), key=key
    )
    values = {
        "organisation": employee.organisation,
        "unit": employee.unit,
        "assignee": assignee or cast.lead,
        "reason": f"NPS {nps}",
        "opened_at": opened,
        "first_contact_due_at": opened + timedelta(hours=8),
        "due_at": opened + timedelta(days=4),
    }
    values.update(fields)
    return FollowUpCase.objects.create(response=response, **values)


@pytest.fixture
def dataset(cast):
    """Seven cases of Leasewijs in November, one old one, one of the partner, and three responses without a case."""
    rc_a = cast.root_cause  # "Wachttijd telefoon"
    rc_b = RootCause.objects.create(organisation=cast.owner, name="Onduidelijke brief")
    agent, colleague = cast.agent, cast.colleague
    case_at(
        cast,
        employee=agent,
        nps=2,
        key="c1",
        opened=at(2, 9),
        first_contact_due_at=at(2, 17),
        first_contact_at=at(2, 11),
        due_at=at(6, 13),
        resolved_at=at(3, 10),
        informed_at=at(3, 11),
        status="closed",
        closed_reason="resolved",
        root_cause=rc_a,
    )
    case_at(
        cast,
        employee=colleague,
        nps=5,
        key="c2",
        opened=at(3, 16),
        first_contact_due_at=at(4, 15),
        first_contact_at=at(4, 10),
        due_at=at(10, 11),
        resolved_at=at(16, 9),
        status="closed",
        closed_reason="resolved",
        reassignments=1,
        root_cause=rc_a,
        assignee=cast.colleague,
    )
    case_at(
        cast,
        employee=agent,
        nps=0,
        key="c3",
        opened=at(4, 9),
        first_contact_due_at=at(4, 17),
        first_contact_at=at(6, 10),
        due_at=at(9, 13),
        resolved_at=at(6, 12),
        informed_at=at(6, 13),
        status="informed",
        reassignments=2,
        handovers=1,
        root_cause=rc_b,
    )
    case_at(cast, employee=agent, nps=6, key="c4", opened=at(5, 10), failed_attempts=2)
    case_at(
        cast,
        employee=agent,
        nps=3,
        key="c5",
        opened=at(6, 10),
        failed_attempts=3,
        status="closed",
        closed_reason="unreachable",
        closed_at=at(9, 10),
    )
    case_at(
        cast,
        employee=colleague,
        nps=4,
        key="c6",
        opened=at(9, 9),
        first_contact_due_at=at(9, 17),
        first_contact_at=at(9, 9, 30),
        due_at=at(13, 17),
        resolved_at=at(10, 9),
        status="resolved",
        root_cause=rc_b,
    )
    case_at(
        cast,
        employee=agent,
        nps=1,
        key="c7",
        opened=at(10, 9),
        first_contact_due_at=at(10, 17),
        first_contact_at=at(10, 19),
        due_at=at(16, 9),
        resolved_at=at(11, 12),
        informed_at=at(11, 13),
        status="closed",
        closed_reason="resolved",
        root_cause=rc_a,
    )
    # Outside 90 days, inside 365: contacted.
    case_at(
        cast,
        employee=agent,
        nps=3,
        key="c0",
        opened=at(7, 9, month=5),
        first_contact_at=at(7, 10, month=5),
        first_contact_due_at=at(7, 17, month=5),
        due_at=at(11, 9, month=5),
    )
    # The partner's case in Leasewijs' journey type: not contacted.
    case_at(
        cast,
        employee=cast.partner_agent,
        nps=1,
        key="cp",
        opened=at(10, 10),
        assignee=cast.partner_agent,
        root_cause=RootCause.objects.get(organisation=cast.partner),
    )
    # A detractor without a case (rules stopped it, or it came in by import), a promoter, a passive.
    response_at(cast, employee=agent, nps=5, when=at(12, 10), key="r8")
    response_at(cast, employee=agent, nps=10, when=at(12, 11), key="r9")
    response_at(cast, employee=agent, nps=7, when=at(12, 12), key="r10")
    return cast


def kpis_page(client, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get("/cases/kpis/", params)


def test_every_kpi_of_the_organisation_matches_the_hand_computation(dataset):
    page = kpis_page(
        dataset.client_for(dataset.owner_admin), scope=f"organisation-{dataset.owner.pk}", days=90
    )
    assert page.status_code == 200
    result = page.context["kpis"]
    assert result.cases == 7
    # Detractors c1–c7 and r8: reached in c1, c2, c3, c6, c7.
    assert result.closed_loop == Ratio(5, 8)
    # Contacted with a due time: c1 ✓, c2 ✓, c3 ✗ (Friday for Wednesday), c6 ✓, c7 ✗ (19:00 for 17:00).
    assert result.first_contact_in_sla == Ratio(3, 5)
    # Resolved: c1 ✓, c2 ✗ (16 Nov for 10 Nov), c3 ✓, c6 ✓, c7 ✓.
    assert result.resolved_in_sla == Ratio(4, 5)
    # Hours to first contact: c6 0.5, c1 2, c7 10, c2 18, c3 49 → median 10.
    assert result.median_hours_to_first_contact == 10
    # Working hours (Mon–Fri 08:30–17:30): c6 0.5, c1 2, c2 1.5 + 1.5 = 3, c7 8.5, c3 8.5 + 9 + 1.5 = 19 → 3.
    assert result.median_working_hours_to_first_contact == 3
    # Finished as resolved: c1, c2, c3, c6, c7 (c5 closed unreachable, c4 open); informed c1, c3, c7.
    assert result.informed == Ratio(3, 5)
    assert result.reassignments_per_case == pytest.approx(3 / 7)
    assert result.handovers_per_case == pytest.approx(1 / 7)
    # Wachttijd telefoon: c1, c2, c7; Onduidelijke brief: c3, c6.
    assert [
        (r.root_cause, r.count, round(r.percent), round(r.cumulative_percent))
        for r in result.pareto
    ] == [
        ("Wachttijd telefoon", 3, 60, 60),
        ("Onduidelijke brief", 2, 40, 100),
    ]
    text = page.content.decode()
    assert "63%" in text  # 62.5, rounded half up by floatformat


def test_a_longer_period_takes_in_the_older_case(dataset):
    page = kpis_page(
        dataset.client_for(dataset.owner_admin), scope=f"organisation-{dataset.owner.pk}", days=365
    )
    result = page.context["kpis"]
    assert result.cases == 8
    assert result.closed_loop == Ratio(6, 9)


def test_working_hours_follow_the_organisations_business_hours(dataset):
    FollowUpSettings.objects.create(
        organisation=dataset.owner, opening_hours={str(d): [["08:00", "12:00"]] for d in range(5)}
    )
    result = kpis_page(
        dataset.client_for(dataset.owner_admin), scope=f"organisation-{dataset.owner.pk}"
    ).context["kpis"]
    # c6 0.5, c1 2, c2 Wed 08:00–10:00 = 2, c7 Tue 09:00–12:00 = 3, c3 3 + 4 + 2 = 9 → 2.
    assert result.median_working_hours_to_first_contact == 2


def test_me_is_the_cases_assigned_to_me(dataset):
    bram = dataset.client_for(dataset.colleague.user)
    page = kpis_page(bram)
    assert page.context["scope"].key == "me"
    result = page.context["kpis"]
    # c2 and c6 came from Bram's interactions, but only c2 is his.
    assert result.cases == 1
    assert result.closed_loop == Ratio(1, 1)
    assert result.resolved_in_sla == Ratio(0, 1)


def test_a_lead_sees_her_unit_and_not_the_organisation(dataset):
    lotte = dataset.client_for(dataset.lead.user)
    page = kpis_page(lotte, scope=f"unit-{dataset.team.pk}")
    assert page.context["kpis"].cases == 7
    assert page.context["kpis"].closed_loop == Ratio(5, 8)
    assert kpis_page(lotte, scope=f"organisation-{dataset.owner.pk}").status_code == 404
    assert [key for key, _label in page.context["scopes"]] == ["me", f"unit-{dataset.team.pk}"]


def test_a_journey_owner_sees_the_chain_of_its_journeys(dataset):
    from django.contrib.auth import get_user_model

    owner_of_journeys = get_user_model().objects.create_user(username="jo")
    grant_role(user=owner_of_journeys, organisation=dataset.owner, role=Role.JOURNEY_OWNER)
    page = kpis_page(dataset.client_for(owner_of_journeys), scope=f"chain-{dataset.owner.pk}")
    result = page.context["kpis"]
    assert result.cases == 8  # the partner's case too
    assert result.closed_loop == Ratio(5, 9)
    assert [r.root_cause for r in result.pareto] == [
        "Wachttijd telefoon",
        "Onduidelijke brief",
        "Wachtrij belcentrum",
    ]


def test_partners_and_outsiders_do_not_see_the_owners_kpis(dataset):
    paula = dataset.client_for(dataset.partner_admin)
    own = kpis_page(paula, scope=f"organisation-{dataset.partner.pk}")
    assert own.status_code == 200 and own.context["kpis"].cases == 1
    assert kpis_page(paula, scope=f"organisation-{dataset.owner.pk}").status_code == 404
    assert kpis_page(paula, scope=f"chain-{dataset.owner.pk}").status_code == 404
    olaf = dataset.client_for(dataset.outsider)
    assert kpis_page(olaf, scope=f"organisation-{dataset.owner.pk}").status_code == 404
    assert kpis_page(olaf).context["kpis"].cases == 0


def test_the_kpi_page_reads_a_fixed_number_of_queries(dataset):
    admin = dataset.client_for(dataset.owner_admin)
    params = {"scope": f"organisation-{dataset.owner.pk}"}
    with CaptureQueriesContext(connection) as few:
        kpis_page(admin, **params)
    for n in range(5):
        case_at(
            dataset,
            employee=dataset.agent,
            nps=2,
            key=f"extra{n}",
            opened=at(17, 9),
            first_contact_at=at(17, 10),
        )
    with CaptureQueriesContext(connection) as more:
        assert kpis_page(admin, **params).context["kpis"].cases == 12
    assert len(more) == len(few)
