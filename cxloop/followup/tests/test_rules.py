"""Follow-up rules of an organisation: conditions, priorities, queues and compliments."""

import pytest

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase, FollowUpQueue, FollowUpRule, SlaPolicy
from cxloop.lib.testing.responses import make_response
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.services import create_employee

pytestmark = pytest.mark.django_db


def respond(cast, *, nps: int, comment: str = "", employee=None):
    response = make_response(cast, employee=employee or cast.agent, nps=nps, comment=comment)
    return services.apply_followup_rules(response_id=response.pk), response


def test_keyword_rule_catches_a_passive_who_wants_to_leave(cast):
    FollowUpRule.objects.create(
        organisation=cast.owner,
        name="Opzegrisico",
        keywords="opzeggen\nnooit meer",
        priority="high",
        position=1,
    )
    FollowUpRule.objects.create(organisation=cast.owner, name="Criticaster", nps_max=6, position=2)
    case, _ = respond(cast, nps=8, comment="Als dit zo doorgaat ga ik opzeggen.")
    assert (case.reason, case.priority) == ("Opzegrisico", "high")
    assert respond(cast, nps=8, comment="Prima")[0] is None
    detractor, _ = respond(cast, nps=3, comment="Traag")
    assert detractor.reason == "Criticaster"


def test_priority_picks_its_own_sla(cast):
    SlaPolicy.objects.create(
        organisation=cast.owner, priority="high", first_contact_hours=2, resolution_hours=8
    )
    FollowUpRule.objects.create(
        organisation=cast.owner, name="Advocaat", keywords="advocaat", priority="high"
    )
    case, _ = respond(cast, nps=1, comment="Ik schakel mijn advocaat in")
    from cxloop.followup.sla import working_time_between

    calendar = services.calendar_for(cast.owner)
    assert working_time_between(
        calendar, case.opened_at, case.first_contact_due_at
    ).total_seconds() == pytest.approx(2 * 3600, abs=1)
    assert working_time_between(
        calendar, case.opened_at, case.due_at
    ).total_seconds() == pytest.approx(8 * 3600, abs=1)


def test_a_compliment_is_forwarded_to_the_employee_and_their_lead(
    cast, django_capture_on_commit_callbacks
):
    cast.agent.email = "anouk@leasewijs.nl"
    cast.agent.save()
    FollowUpRule.objects.create(
        organisation=cast.owner,
        name="Compliment",
        nps_min=9,
        require_comment=True,
        action="compliment",
    )
    case, response = respond(cast, nps=10, comment="Anouk dacht echt met me mee!")
    assert case is None
    assert sorted(
        OutboxMessage.objects.filter(purpose="compliment").values_list("recipient", flat=True)
    ) == [
        "anouk@leasewijs.nl",
        "lotte@leasewijs.nl",
    ]
    assert (
        "Anouk dacht echt met me mee!"
        in OutboxMessage.objects.filter(purpose="compliment").first().body_text
    )
    services.apply_followup_rules(response_id=response.pk)
    assert OutboxMessage.objects.filter(purpose="compliment").count() == 2  # not forwarded twice
    assert respond(cast, nps=10, comment="")[0] is None
    assert OutboxMessage.objects.filter(purpose="compliment").count() == 2


def test_a_queue_prefers_the_employee_who_knows_the_customer_then_round_robin(cast):
    queue = FollowUpQueue.objects.create(organisation=cast.owner, name="Terugbelteam")
    members = [
        create_employee(organisation=cast.owner, unit=cast.team, code=f"Q{i}", name=f"Queue {i}")
        for i in range(3)
    ]
    queue.members.set(members)
    FollowUpRule.objects.create(
        organisation=cast.owner, name="Criticaster", nps_max=6, owner="queue", queue=queue
    )
    first, _ = respond(cast, nps=2, employee=cast.agent)
    second, _ = respond(cast, nps=2, employee=cast.colleague)
    assert [first.assignee, second.assignee] == members[:2]
    # The customer of the first case calls again: the member who had their case gets it.
    from cxloop.journeys.models import Interaction

    again = make_response(cast, employee=cast.agent, nps=1, comment="weer mis")
    from cxloop.responses.models import Response

    Response.objects.filter(pk=again.pk).update(customer=first.response.customer)
    Interaction.objects.filter(pk=again.interaction_id).update(customer=first.response.customer)
    third = services.apply_followup_rules(response_id=again.pk)
    assert third.assignee == members[0]
    assert third.queue == queue


def test_a_queue_can_match_the_customers_segment(cast):
    queue = FollowUpQueue.objects.create(
        organisation=cast.owner, name="Zakelijk", prefer_known_employee=False, match_segment=True
    )
    generalist = create_employee(
        organisation=cast.owner, unit=cast.team, code="G1", name="Generalist"
    )
    specialist = create_employee(
        organisation=cast.owner, unit=cast.team, code="S1", name="Specialist"
    )
    specialist.skills = ["zakelijk"]
    specialist.save()
    queue.members.set([generalist, specialist])
    FollowUpRule.objects.create(
        organisation=cast.owner, name="Criticaster", nps_max=6, owner="queue", queue=queue
    )
    _, response = respond(cast, nps=8)  # no case; just a response to get a customer
    customer = response.customer
    customer.segment = "zakelijk"
    customer.save()
    detractor = make_response(cast, employee=cast.agent, nps=2)
    from cxloop.responses.models import Response

    Response.objects.filter(pk=detractor.pk).update(customer=customer)
    assert services.apply_followup_rules(response_id=detractor.pk).assignee == specialist


def test_rules_only_for_their_journey_type(cast):
    from cxloop.journeys.models import JourneyType

    other = JourneyType.objects.create(
        chain=cast.chain, owner=cast.owner, name="Klacht", slug="klacht"
    )
    FollowUpRule.objects.create(
        organisation=cast.owner, name="Klachtreis", nps_max=8, journey_type=other
    )
    assert respond(cast, nps=5)[0] is None  # the response is about schade melden
    assert not FollowUpCase.objects.exists()
