"""Reminders before the due time and escalation up the hierarchy, with frozen time on real calendars."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cxloop.followup import services
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.lib.testing.responses import make_response
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.services import create_employee, create_unit, set_unit_lead
from cxloop.server.sweeper import sweep

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


@pytest.fixture
def ladder(cast):
    """Anouk's team lead Lotte, department head Dirk above her, and the organisation admin Olivia."""
    cast.owner_admin.email = "olivia@leasewijs.nl"
    cast.owner_admin.save()
    head = create_employee(
        organisation=cast.owner,
        unit=cast.department,
        code="D1",
        name="Dirk Directeur",
        email="dirk@leasewijs.nl",
    )
    set_unit_lead(unit=cast.department, lead=head)
    return head


def open_case_at(cast, moment: datetime) -> FollowUpCase:
    with time_machine.travel(moment, tick=False):
        response = make_response(cast, employee=cast.agent, nps=2, comment="Nooit meer")
        return services.apply_followup_rules(response_id=response.pk)


def recipients(purpose: str) -> list[str]:
    return list(
        OutboxMessage.objects.filter(purpose=purpose)
        .order_by("pk")
        .values_list("recipient", flat=True)
    )


def test_the_thursday_before_easter_at_five(cast, ladder):
    case = open_case_at(cast, at(2026, 4, 2, 17, 0))
    # First contact within 8 working hours: 30 minutes on Thursday, Good Friday and Easter Monday closed.
    assert case.first_contact_due_at == at(2026, 4, 7, 16, 0)
    assert case.due_at == at(2026, 4, 13, 12, 0)  # 40 working hours: 0.5 + 4 × 9 + 3.5


def test_a_reminder_before_the_due_time_and_escalation_up_two_layers(cast, ladder):
    case = open_case_at(cast, at(2026, 11, 23, 9, 0))  # Monday; first contact due 17:00
    assert case.first_contact_due_at == at(2026, 11, 23, 17, 0)
    with time_machine.travel(at(2026, 11, 23, 14, 0), tick=False):
        assert sweep().cases_reminded == 0  # more than two hours before
    with time_machine.travel(at(2026, 11, 23, 15, 30), tick=False):
        assert sweep().cases_reminded == 1
        assert sweep().cases_reminded == 0  # once
    assert recipients("case_reminder") == ["lotte@leasewijs.nl"]
    with time_machine.travel(at(2026, 11, 23, 17, 1), tick=False):
        assert sweep().cases_escalated == 1  # overdue: one layer up, to the department head
        assert sweep().cases_escalated == 0
    assert recipients("case_escalated") == ["dirk@leasewijs.nl"]
    with time_machine.travel(at(2026, 11, 24, 15, 59), tick=False):
        assert sweep().cases_escalated == 0  # not yet eight working hours overdue
    with time_machine.travel(at(2026, 11, 24, 16, 1), tick=False):
        assert sweep().cases_escalated == 1  # eight working hours overdue: the organisation admin
    with time_machine.travel(at(2026, 11, 30, 17, 0), tick=False):
        assert sweep().cases_escalated == 0  # no layer above the admin
    assert recipients("case_escalated") == ["dirk@leasewijs.nl", "olivia@leasewijs.nl"]
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert [e.data["level"] for e in case.events.filter(kind=CaseEvent.Kind.ESCALATED)] == [1, 2]


def test_a_weekend_does_not_count_as_overdue_time(cast, ladder):
    case = open_case_at(cast, at(2026, 11, 27, 9, 0))  # Friday; first contact due 17:00
    with time_machine.travel(at(2026, 11, 30, 8, 0), tick=False):  # Monday morning before opening
        sweep()
    case.refresh_from_db()
    assert case.escalation_level == 1  # overdue since Friday 17:00, but not a working day yet


def test_contact_in_time_stops_the_first_contact_escalation(cast, ladder):
    case = open_case_at(cast, at(2026, 11, 23, 9, 0))
    with time_machine.travel(at(2026, 11, 23, 12, 0), tick=False):
        services.log_contact_attempt(case=case, actor=cast.lead.user, channel="phone", reached=True)
    with time_machine.travel(at(2026, 11, 23, 17, 30), tick=False):
        assert sweep().cases_escalated == 0  # the resolution is due on Friday


def test_reassignment_and_handovers_are_counted(cast, ladder):
    case = open_case_at(cast, at(2026, 11, 23, 9, 0))
    other_team = create_unit(
        organisation=cast.owner, name="Team Zuid", slug="team-zuid", parent=cast.department
    )
    south = create_employee(organisation=cast.owner, unit=other_team, code="Z1", name="Zara Zuid")
    services.reassign_case(case=case, actor=cast.lead.user, assignee=cast.colleague)  # same team
    services.reassign_case(
        case=case, actor=cast.lead.user, assignee=south
    )  # another unit: a hand-over
    services.reassign_case(
        case=case, actor=cast.lead.user, assignee=cast.partner_agent
    )  # another organisation
    services.reassign_case(
        case=case, actor=cast.lead.user, assignee=cast.lead
    )  # and back: ping-pong
    case.refresh_from_db()
    assert (case.reassignments, case.handovers) == (4, 3)
    assert case.organisation == cast.owner and case.assignee == cast.lead
    assert case.events.filter(kind=CaseEvent.Kind.REASSIGNED).count() == 4


def test_webhooks_hear_of_opened_escalated_and_closed_cases(
    cast, ladder, django_capture_on_commit_callbacks
):
    import json

    from cxloop.lib.testing.webhooks import http_receiver
    from cxloop.webhooks.services import create_endpoint, verify_signature

    with http_receiver() as receiver:
        endpoint = create_endpoint(
            organisation=cast.owner,
            url=receiver.url(),
            events=["case.opened", "case.escalated", "case.closed"],
        )
        with django_capture_on_commit_callbacks(execute=True):
            case = open_case_at(cast, at(2026, 11, 23, 9, 0))
        with (
            time_machine.travel(at(2026, 11, 23, 17, 1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            sweep()
        with django_capture_on_commit_callbacks(execute=True):
            services.resolve_case(
                case=case, actor=cast.lead.user, root_cause=cast.root_cause, action_taken="Gebeld"
            )
            services.close_case(case=case, actor=cast.lead.user)
    events = [json.loads(r.body) for r in receiver.requests]
    assert [e["event"] for e in events] == ["case.opened", "case.escalated", "case.closed"]
    assert events[0]["data"]["case_id"] == case.pk and events[1]["data"]["escalation_level"] == 1
    first = receiver.requests[0]
    assert verify_signature(
        secret=endpoint.secret,
        timestamp=int(first.headers["X-Cxloop-Timestamp"]),
        body=first.body,
        signature=first.headers["X-Cxloop-Signature"],
        tolerance=None,
    )
