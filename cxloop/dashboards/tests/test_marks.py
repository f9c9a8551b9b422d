"""What people trust: marks only where a difference is significant, scores hidden below the
anonymity minimum (not one's own), and no hidden score to be worked out from the ones shown."""

import pytest

from cxloop.lib.testing.responses import make_responses
from cxloop.orgs.services import create_employee, create_unit

pytestmark = pytest.mark.django_db


def test_a_real_change_against_the_previous_period_is_marked_and_noise_is_not(cast):
    make_responses(
        cast, [2, 3, 4, 5, 6, 7, 5, 4, 3, 6] * 3, employee=cast.agent, days_ago=120
    )  # previous 90 days
    make_responses(cast, [9, 10, 9, 10, 8, 9, 10, 9, 7, 10] * 3, employee=cast.agent, days_ago=10)
    make_responses(cast, [9, 5, 8, 6, 10, 3], employee=cast.colleague, days_ago=120)
    make_responses(cast, [10, 4, 8, 6, 9, 3], employee=cast.colleague, days_ago=10)
    lead = cast.client_for(cast.lead.user)
    anouk = lead.get(f"/employees/{cast.agent.pk}/?days=90").context["page"].cards[0].figure
    (mark,) = anouk.marks
    assert mark.against == "previous" and mark.direction == "up" and mark.p_value < 0.001
    assert mark.difference == pytest.approx(
        100 * 24 / 30 - 100 * (-27) / 30
    )  # +80 − (−90) = 170 points
    page = lead.get(f"/employees/{cast.colleague.pk}/?days=90").content.decode()
    bram = lead.get(f"/employees/{cast.colleague.pk}/?days=90").context["page"].cards[0].figure
    assert bram.shown and bram.marks == ()
    assert "significantly" not in page


def test_no_mark_when_the_previous_period_is_below_the_minimum_for_others(cast):
    make_responses(
        cast, [0, 1, 9], employee=cast.agent, days_ago=120
    )  # some variance, or no z-test at all
    make_responses(cast, [10] * 20 + [9] * 10, employee=cast.agent, days_ago=5)
    lead_view = (
        cast.client_for(cast.lead.user).get(f"/employees/{cast.agent.pk}/?days=90").context["page"]
    )
    assert lead_view.cards[0].figure.shown and lead_view.cards[0].figure.marks == ()
    assert lead_view.cards[0].previous.hidden and lead_view.cards[0].previous.n == 3
    own_view = cast.client_for(cast.agent.user).get("/me/?days=90").context["page"]
    assert own_view.cards[0].previous.shown  # my own previous period, however small
    assert own_view.cards[0].figure.marks[0].against == "previous"


def test_my_own_small_score_is_shown_to_me_and_hidden_from_others(cast):
    make_responses(cast, [9, 10, 3], employee=cast.agent)
    own = cast.client_for(cast.agent.user).get("/me/")
    assert own.context["page"].cards[0].figure.score == pytest.approx(100 / 3)
    assert "+33" in own.content.decode()
    for viewer in (cast.lead.user, cast.owner_admin):
        other = cast.client_for(viewer).get(f"/employees/{cast.agent.pk}/")
        figure = other.context["page"].cards[0].figure
        assert figure.hidden and figure.score is None and figure.n == 3
        assert "+33" not in other.content.decode()


def test_the_team_total_on_my_page_never_gives_a_colleague_away(cast):
    make_responses(cast, [9, 9, 9, 9, 9, 9], employee=cast.agent)
    make_responses(cast, [0, 2, 3], employee=cast.colleague)
    mine = cast.client_for(cast.agent.user).get("/me/").context["page"]
    assert (
        mine.extra["team"].hidden and mine.extra["team"].n == 9
    )  # team − me = Bram's three answers
    make_responses(cast, [7, 8], employee=cast.colleague)
    mine = cast.client_for(cast.agent.user).get("/me/").context["page"]
    # Team − me is still one colleague: five answers, but all Bram's (the old rule showed it).
    assert mine.extra["team"].hidden and mine.extra["team"].n == 11
    make_responses(cast, [9, 6], employee=cast.lead)
    mine = cast.client_for(cast.agent.user).get("/me/").context["page"]
    assert mine.extra["team"].shown and mine.extra["team"].n == 13  # Bram's and Lotte's together


def test_secondary_suppression_hides_the_next_smallest_so_the_hidden_one_cannot_be_derived(cast):
    extra = create_employee(organisation=cast.owner, unit=cast.team, code="C1", name="Cees")
    make_responses(cast, [9, 2, 3], employee=cast.agent)  # hidden: 3 < 5
    make_responses(
        cast, [9, 9, 9, 9, 8, 7], employee=cast.colleague
    )  # 6: the smallest shown → hidden too
    make_responses(cast, [9, 9, 3, 3, 8, 7, 10, 10], employee=extra)  # 8: shown
    page = cast.client_for(cast.lead.user).get(f"/units/{cast.team.pk}/").context["page"]
    nps = {row[0].text: row[2] for row in page.tables["members"].rows}
    assert nps["Anouk Agent"].hidden and nps["Bram Collega"].hidden and nps["Bram Collega"].n == 6
    assert nps["Cees"].shown and nps["Lotte de Lead"].n == 0
    assert (
        page.cards[0].figure.n == 17
    )  # the team total is shown; Anouk's 3 are not derivable from it


def test_units_are_compared_with_the_rest_of_their_parent(cast):
    zuid = create_unit(
        organisation=cast.owner, name="Team Zuid", slug="zuid", parent=cast.department
    )
    make_responses(cast, [10, 9, 9, 10, 9, 8] * 5, employee=cast.agent)
    make_responses(cast, [2, 3, 5, 6, 8, 1] * 5, unit=zuid)
    admin = cast.client_for(cast.owner_admin)
    units = {
        row[0].text: row[1]
        for row in admin.get("/organisations/leasewijs/").context["page"].tables["units"].rows
    }
    (noord,) = units["Team Noord"].marks
    (zuid_mark,) = units["Team Zuid"].marks
    assert noord.direction == "up" and zuid_mark.direction == "down"
    assert noord.label == "the rest of Klantenservice" and noord.difference == pytest.approx(
        100 * 25 / 30 - 100 * (-25) / 30
    )
    assert units["Klantenservice"].marks == ()  # the organisation has nothing outside it
    team = admin.get(f"/units/{cast.team.pk}/").context
    assert (
        team["page"].cards[0].figure.marks[0].difference is not None
    )  # the admin sees the department
    assert team["page"].extra["rest"].n == 30
    lead = cast.client_for(cast.lead.user).get(f"/units/{cast.team.pk}/")
    mark = lead.context["page"].cards[0].figure.marks[0]
    assert (
        mark.against == "rest"
        and mark.difference is None
        and lead.context["page"].extra["rest"] is None
    )
    assert "significantly higher" in lead.content.decode()


def test_only_imprecise_scores_are_greyed(cast):
    make_responses(cast, [9] * 12 + [3] * 8, employee=cast.agent)
    figure = (
        cast.client_for(cast.lead.user)
        .get(f"/employees/{cast.agent.pk}/")
        .context["page"]
        .cards[0]
        .figure
    )
    assert figure.imprecise and figure.shown
    make_responses(cast, [9] * 10, employee=cast.agent)
    figure = (
        cast.client_for(cast.lead.user)
        .get(f"/employees/{cast.agent.pk}/")
        .context["page"]
        .cards[0]
        .figure
    )
    assert not figure.imprecise and figure.n == 30


def test_journey_totals_beside_the_partners_own_part_never_give_another_partner_away(cast):
    from cxloop.journeys.models import DataSharingAgreement

    DataSharingAgreement.objects.filter(organisation=cast.partner).update(visibility="totals")
    make_responses(
        cast, [9, 8, 3, 10, 9, 6, 7], employee=cast.partner_agent
    )  # Belcentrum: 7 answers
    make_responses(
        cast, [0, 10], employee=cast.agent
    )  # Leasewijs: 2, which total − own would reveal
    partner = cast.client_for(cast.partner_admin)
    chain = partner.get("/journeys/").context["page"]
    (row,) = chain.tables["journeys"].rows
    assert row[2].hidden and row[2].n == 9
    (cell,) = chain.tables["channels"].rows
    assert cell[1].hidden and cell[1].n == 9
    journey = partner.get(f"/journeys/{cast.journey_type.pk}/").context["page"]
    assert journey.cards[0].figure.hidden
    assert all(not row[1].shown for row in journey.tables["trend"].rows if row[1].n)
    analysis = partner.get(f"/journeys/{cast.journey_type.pk}/analysis/").context["page"]
    assert analysis.tables["channels"].rows[0][1].hidden
    # The owner sees the parts anyway; with five others the partner sees the total too.
    assert (
        cast.client_for(cast.owner_admin)
        .get("/journeys/")
        .context["page"]
        .tables["journeys"]
        .rows[0][2]
        .shown
    )
    make_responses(cast, [9, 9, 7], employee=cast.colleague)
    row = partner.get("/journeys/").context["page"].tables["journeys"].rows[0]
    assert row[2].shown and row[2].n == 12
