"""Each dashboard page costs a fixed number of queries, however many rows there are: more responses,
interactions, answers, employees, units, journey types, channels and touchpoints change nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxloop.dashboards.tests import scenario
from cxloop.journeys.models import Channel, JourneyType, Touchpoint
from cxloop.lib.testing.responses import make_responses
from cxloop.orgs.services import create_employee, create_unit

pytestmark = pytest.mark.django_db


def pages(world) -> list[tuple[object, str]]:
    cast = world.cast
    opzeggen = world.journey_types["opzeggen"].pk
    return [
        (cast.agent.user, "/me/"),
        (cast.lead.user, f"/employees/{cast.agent.pk}/"),
        (cast.lead.user, f"/units/{cast.team.pk}/"),
        (cast.owner_admin, f"/units/{cast.department.pk}/"),
        (cast.owner_admin, "/organisations/leasewijs/"),
        (cast.owner_admin, "/organisations/leasewijs/analysis/"),
        (cast.lead.user, f"/units/{cast.team.pk}/analysis/"),
        (cast.owner_admin, "/journeys/"),
        (cast.partner_admin, "/journeys/"),
        (cast.owner_admin, f"/journeys/{opzeggen}/"),
        (cast.partner_admin, f"/journeys/{opzeggen}/analysis/"),
    ]


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"days": 365}).status_code == 200
    return len(queries)


def grow(world, size: int) -> None:
    """More of everything a page could be tempted to loop over."""
    cast = world.cast
    for index in range(size):
        unit = create_unit(
            organisation=cast.owner, name=f"Sub {index}", slug=f"grow-{index}", parent=cast.team
        )
        employee = create_employee(
            organisation=cast.owner, unit=unit, code=f"G{index}", name=f"Extra {index}"
        )
        journey_type = JourneyType.objects.create(
            chain=cast.chain, owner=cast.owner, name=f"Reis {index}", slug=f"reis-{index}"
        )
        touchpoint = Touchpoint.objects.create(
            journey_type=journey_type, name=f"Moment {index}", slug="m"
        )
        channel = Channel.objects.create(
            chain=cast.chain, name=f"Kanaal {index}", slug=f"kanaal-{index}"
        )
        make_responses(
            cast,
            [index % 11, 9, 3, 10, 7, 8],
            employee=employee,
            comment=f"extra {index}",
            channel=channel,
            journey_type=journey_type,
            touchpoint=touchpoint,
            segment=f"segment-{index}",
            days_ago=index,
        )
        make_responses(
            cast,
            [9, 2],
            employee=cast.agent,
            journey_type=world.journey_types["opzeggen"],
            channel=channel,
            days_ago=index,
        )


def test_no_dashboard_page_runs_a_query_per_row(cast):
    world = scenario.build(cast, count=60)
    clients = {}
    before = {}
    for user, url in pages(world):
        clients[url, user.pk] = cast.client_for(user)
        before[url, user.pk] = count(clients[url, user.pk], url)
    grow(world, 12)
    after = {key: count(clients[key], key[0]) for key in before}
    assert after == before
    # And the pages stay small: a guard against a slow creep of extra reads.
    assert max(before.values()) <= 28, before


def test_exports_cost_what_their_page_costs(cast):
    scenario.build(cast, count=40)
    client = cast.client_for(cast.owner_admin)
    with CaptureQueriesContext(connection) as page:
        client.get("/organisations/leasewijs/analysis/")
    with CaptureQueriesContext(connection) as export:
        client.get(
            "/organisations/leasewijs/analysis/", {"format": "xlsx", "table": "response_times"}
        )
    assert len(export) <= len(page)
