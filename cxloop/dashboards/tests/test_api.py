"""Metrics through the API: the dashboards' numbers, grouped, with the minimum-n rule held."""

import copy
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxloop import stats
from cxloop.conftest import make_cast
from cxloop.dashboards import queries
from cxloop.dashboards.queries import Filters
from cxloop.dashboards.tests import scenario
from cxloop.dashboards.tests.conftest import english_ui
from cxloop.journeys.models import Channel, JourneyType
from cxloop.lib.testing.responses import make_responses
from cxloop.orgs.models import Employee, Unit
from cxloop.orgs.services import create_employee, create_unit
from cxloop.orgs.structure import leave

pytestmark = pytest.mark.django_db


def metrics(key: str, **params):
    return Client().get("/api/metrics", params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_organisations_nps_with_n_and_interval_equals_the_formula(cast):
    scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 9]
    make_responses(cast, scores, employee=cast.agent)
    answer = metrics(cast.owner_key, days=30)
    assert answer.status_code == 200
    (item,) = answer.json()["items"]
    expected = stats.nps_from_scores(scores)
    assert item["nps"]["n"] == 10 and item["nps"]["value"] == pytest.approx(
        expected.score, abs=0.01
    )
    assert item["nps"]["low"] == pytest.approx(expected.low, abs=0.01)
    assert item["nps"]["high"] == pytest.approx(expected.high, abs=0.01)
    assert item["csat"] == {
        "value": None,
        "n": 0,
        "low": None,
        "high": None,
        "hidden": False,
        "reason": "",
    }


def test_an_employee_below_the_minimum_comes_without_a_score(cast):
    make_responses(cast, [10] * 6, employee=cast.agent)
    make_responses(cast, [10] * 6, employee=cast.lead)
    make_responses(cast, [0, 0], employee=cast.colleague)  # 2 answers: below the minimum of 5
    items = {
        i["key"]: i for i in metrics(cast.owner_key, group_by="employee", days=30).json()["items"]
    }
    assert items["B1"]["nps"]["value"] is None and items["B1"]["nps"]["hidden"]
    assert items["B1"]["nps"]["reason"] == "minimum"
    # What is shown never gives the colleague's two answers away: the team's total minus the
    # employees shown must not leave them alone.
    units = {i["key"]: i for i in metrics(cast.owner_key, group_by="unit", days=30).json()["items"]}
    shown = [items[code]["nps"] for code in ("A1", "L1") if items[code]["nps"]["value"] is not None]
    team_shown = units["team-noord"]["nps"]["value"] is not None
    assert not (team_shown and len(shown) == 2)


def test_units_and_employees_need_a_preset_period(cast):
    refused = metrics(cast.owner_key, group_by="unit", since="2026-01-01", until="2026-03-31")
    assert refused.status_code == 422 and "group_by" in refused.json()["errors"]
    assert metrics(cast.owner_key, days=12).status_code == 422
    assert metrics(cast.owner_key, group_by="nonsense").status_code == 422


def test_groups_by_channel_and_period_add_up_to_the_whole(cast):
    make_responses(cast, [10, 9, 3, 8, 10, 2], employee=cast.agent)
    make_responses(cast, [9, 9, 9, 9, 1], employee=cast.agent, days_ago=40)
    whole = metrics(cast.owner_key, days=90).json()["items"][0]["nps"]["n"]
    by_channel = metrics(cast.owner_key, group_by="channel", days=90).json()["items"]
    assert sum(i["nps"]["n"] or 0 for i in by_channel) == whole == 11
    by_month = metrics(cast.owner_key, group_by="month", days=90).json()["items"]
    assert sum(i["nps"]["n"] or 0 for i in by_month) == 11


def test_another_organisation_reads_only_its_own(cast):
    make_responses(cast, [10] * 6, employee=cast.agent)
    (item,) = metrics(cast.partner_key, days=30).json()["items"]
    assert item["key"] == cast.partner.slug and item["nps"]["n"] == 0


# --- grouped by unit, employee, journey type or channel -------------------------------------------

GROUPED = ("unit", "employee", "journey_type", "channel")


def counted(key: str, group_by: str) -> tuple[int, int]:
    """The queries one read of the metrics costs, and how many groups it answered with."""
    metrics(key, group_by=group_by, days=90)  # the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as read:
        answer = metrics(key, group_by=group_by, days=90)
    assert answer.status_code == 200
    return len(read), len(answer.json()["items"])


def ten_more_of_each(cast) -> None:
    """Ten more units (each under the one before), employees, journey types and channels, with answers."""
    parent = cast.team
    for index in range(10):
        parent = create_unit(
            organisation=cast.owner, name=f"Sub {index}", slug=f"sub-{index}", parent=parent
        )
        employee = create_employee(
            organisation=cast.owner, unit=parent, code=f"G{index}", name=f"Extra {index}"
        )
        journey_type = JourneyType.objects.create(
            chain=cast.chain, owner=cast.owner, name=f"Reis {index}", slug=f"reis-{index}"
        )
        channel = Channel.objects.create(
            chain=cast.chain, name=f"Kanaal {index}", slug=f"kanaal-{index}"
        )
        make_responses(
            cast,
            [index % 11, 9, 3, 10, 7, 8],
            employee=employee,
            channel=channel,
            journey_type=journey_type,
            days_ago=index,
        )


@pytest.mark.parametrize("group_by", GROUPED)
def test_a_grouped_read_costs_the_same_for_two_groups_as_for_twelve(cast, group_by):
    leave(employee=cast.colleague)  # two employees still there, as there are two units
    klacht = JourneyType.objects.create(
        chain=cast.chain, owner=cast.owner, name="Klacht", slug="klacht"
    )
    make_responses(cast, [10, 9, 3, 8, 7, 0], employee=cast.agent)
    make_responses(cast, [9, 6], employee=cast.lead, channel=cast.email, journey_type=klacht)
    few, two = counted(cast.owner_key, group_by)
    ten_more_of_each(cast)
    many, twelve = counted(cast.owner_key, group_by)
    assert (two, twelve) == (2, 12)
    assert many == few, (few, many)


def varied(cast) -> None:
    """The scenario's chain (units two deep, four employees, journey types and channels) with
    what a grouped read could get wrong: a unit three deep and an employee with two answers (below
    the minimum), an employee who left after six answers, a journey type and a channel with two
    answers and a channel with none."""
    world = scenario.build(cast, count=120)
    west = create_unit(
        organisation=cast.owner, name="Team West", slug="team-west", parent=cast.team
    )
    newcomer = create_employee(organisation=cast.owner, unit=west, code="N1", name="Nina Nieuw")
    make_responses(cast, [10, 3], employee=newcomer)
    leaver = create_employee(organisation=cast.owner, unit=world.zuid, code="V1", name="Vera Weg")
    make_responses(cast, [9, 9, 7, 2, 10, 6], employee=leaver, days_ago=20)
    leave(employee=leaver)
    rare = JourneyType.objects.create(
        chain=cast.chain, owner=cast.owner, name="Zeldzaam", slug="zeldzaam"
    )
    fax = Channel.objects.create(chain=cast.chain, name="Fax", slug="fax")
    make_responses(cast, [8, 0], employee=cast.agent, journey_type=rare, channel=fax)
    Channel.objects.create(chain=cast.chain, name="Post", slug="post")


def _units(*, organisation, filters):
    units = Unit.objects.filter(organisation=organisation).order_by("path")
    return [(u, queries.scores_for_unit(unit=u, filters=filters)) for u in units]


def _employees(*, organisation, filters):
    current = Employee.objects.filter(organisation=organisation, left_at__isnull=True)
    return [
        (e, queries.scores_for_employee(employee=e, filters=filters))
        for e in current.order_by("code")
    ]


def _narrowed(model, field: str):
    def read(*, organisation, filters):
        groups = model.objects.filter(chain_id=organisation.chain_id).order_by("slug")
        return [
            (
                g,
                queries.scores_for_organisation(
                    organisation=organisation,
                    filters=Filters(filters.since, filters.until, **{field: g.pk}),
                ),
            )
            for g in groups
        ]

    return read


# The grouped reads, each as the per-group functions answer it: one query per group.
ONE_BY_ONE = {
    "unit": ("scores_per_unit", _units),
    "employee": ("scores_per_employee", _employees),
    "journey_type": ("scores_per_journey_type", _narrowed(JourneyType, "journey_type_id")),
    "channel": ("scores_per_channel", _narrowed(Channel, "channel_id")),
}


@pytest.fixture(scope="class")
def varied_chain(class_transaction):
    """The varied chain, built once for the class's tests: each gets a copy; its writes roll back."""
    with class_transaction.unblock(), english_ui():
        cast = make_cast()
        varied(cast)
        return cast


class TestTheVariedChain:
    @pytest.fixture
    def cast(self, db, varied_chain):
        return copy.deepcopy(varied_chain)

    @pytest.mark.parametrize("group_by", GROUPED)
    @pytest.mark.parametrize("days", [30, 365])
    def test_a_grouped_read_gives_what_the_per_group_functions_give(self, cast, group_by, days):
        name, one_by_one = ONE_BY_ONE[group_by]
        filters = Filters(timezone.localdate() - timedelta(days=days - 1), timezone.localdate())
        grouped = getattr(queries, name)(organisation=cast.owner, filters=filters)
        assert grouped == one_by_one(organisation=cast.owner, filters=filters)

    @pytest.mark.parametrize("group_by", GROUPED)
    def test_the_api_answers_grouped_as_it_did_group_by_group(self, cast, monkeypatch, group_by):
        answer = metrics(cast.owner_key, group_by=group_by, days=90).json()
        name, one_by_one = ONE_BY_ONE[group_by]
        monkeypatch.setattr(queries, name, one_by_one)
        assert metrics(cast.owner_key, group_by=group_by, days=90).json() == answer
        # The data holds what could go wrong: a group hidden for having too few answers, a group
        # without answers, and (of people) the employee who left is not listed.
        items = {item["key"]: item for item in answer["items"]}
        hidden = {key for key, item in items.items() if item["nps"]["reason"] == "minimum"}
        empty = {key for key, item in items.items() if item["nps"]["n"] == 0}
        assert hidden & {"team-west", "N1", "zeldzaam", "fax"}
        if group_by == "channel":
            assert "post" in empty
        if group_by == "employee":
            assert "V1" not in items and "N1" in items
