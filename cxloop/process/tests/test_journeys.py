"""cxloop's own journeys as an event log: who sees which interactions, and what the analyses say."""

from datetime import UTC, datetime

import pytest
from django.http import Http404

from cxloop.journeys.models import DataSharingAgreement
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role
from cxloop.process import mining, queries

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 4, 1, tzinfo=UTC)


def dataset(user, cast, **options):
    access = queries.access_journey_type(user, cast.journey_type.pk)
    return queries.journey_dataset(access=access, period=queries.Period(), now=NOW, **options)


def variants(data):
    return sorted((v.count, v.activities) for v in mining.variants(data.log))


def test_the_owner_sees_every_partners_part(claims):
    data = dataset(claims.owner_admin, claims)
    assert (data.log.cases, data.log.events) == (3, 6)
    assert variants(data) == [
        (1, ("Schade melden", "Schade melden")),
        (1, ("Schade melden", "Telefoon", "Schade melden")),
        (1, ("Telefoon",)),
    ]


def test_hand_overs_between_employees_units_and_organisations(claims):
    by_employee = mining.handover_of_work(dataset(claims.owner_admin, claims).log)
    assert {(h.source, h.target): h.count for h in by_employee.handovers} == {
        ("Anouk Agent", "Pim Partner"): 1,
        ("Pim Partner", "Bram Collega"): 1,
        ("Anouk Agent", "Anouk Agent"): 1,
    }
    by_org = mining.handover_of_work(
        dataset(claims.owner_admin, claims, resource="organisation").log
    )
    assert [(h.source, h.target, h.count) for h in by_org.pingpong] == [
        ("Leasewijs", "Belcentrum", 1)
    ]
    by_unit = mining.handover_of_work(dataset(claims.owner_admin, claims, resource="unit").log)
    assert {(h.source, h.target) for h in by_unit.without_self} == {
        ("Team Noord", "Inbound"),
        ("Inbound", "Team Noord"),
    }


def test_a_partner_sees_only_its_own_part_of_its_own_journeys(claims):
    data = dataset(claims.partner_admin, claims)
    assert sorted(data.case_info) == ["claim-1", "claim-3"]
    assert variants(data) == [(2, ("Telefoon",))]
    assert data.scores == []  # the owner's survey answers are the owner's


def test_a_partner_whose_agreement_shows_all_parts_sees_the_whole_journeys_it_was_in(claims):
    DataSharingAgreement.objects.filter(organisation=claims.partner).update(visibility="all")
    data = dataset(claims.partner_admin, claims)
    assert (data.log.cases, data.log.events) == (2, 4)  # claim-2 had no partner interaction


def test_outsiders_and_employees_get_404(claims):
    for user in (claims.outsider, claims.agent.user, claims.lead.user):
        with pytest.raises(Http404):
            queries.access_journey_type(user, claims.journey_type.pk)


def test_a_journey_owner_role_is_enough(claims):
    grant_role(user=claims.colleague.user, organisation=claims.owner, role=Role.JOURNEY_OWNER)
    assert queries.access_journey_type(claims.colleague.user, claims.journey_type.pk).is_owner


def test_filters_by_period_and_organisation(claims):
    assert dataset(claims.owner_admin, claims, organisation=claims.partner).log.cases == 2
    access = queries.access_journey_type(claims.owner_admin, claims.journey_type.pk)
    later = queries.Period(since=datetime(2026, 3, 3).date())
    assert queries.journey_dataset(access=access, period=later, now=NOW).log.cases == 0


def test_stuck_repeats_and_nps_per_path(claims):
    data = dataset(claims.owner_admin, claims)
    stuck = mining.stuck_cases(
        data.log, as_of=data.now, idle_seconds=14 * 86400, open_cases=data.open_cases
    )
    assert sorted((data.log.case_name(s.case), s.last_activity) for s in stuck) == [
        ("claim-1", "Schade melden"),
        ("claim-3", "Telefoon"),
    ]
    rows, per_case = mining.repeat_contacts(data.contacts, window_seconds=7 * 86400)
    assert per_case == {"claim-1": 2, "claim-2": 1, "claim-3": 0}
    assert {(r.channel, r.touchpoint): r.repeats for r in rows} == {
        ("E-mail", "Schade melden"): 2,
        ("Telefoon", ""): 1,
        ("Telefoon", "Schade melden"): 0,
    }
    scores = queries.scores_by(data, {"claim-1": "long", "claim-2": "short", "claim-3": "short"})
    assert (scores["long"].score, scores["short"].score) == (-100, 100)


def test_reading_a_journey_type_takes_a_fixed_number_of_queries(
    claims, django_assert_max_num_queries
):
    access = queries.access_journey_type(claims.owner_admin, claims.journey_type.pk)
    with django_assert_max_num_queries(2):
        queries.journey_dataset(access=access, period=queries.Period(), now=NOW)
