"""eNPS is strict: employees answered the survey themselves, so below the anonymity minimum nothing of a
unit's result is shown, not its score, not how many answered; a shown unit above never gives a hidden
one away; the customers' NPS beside it counts whole months (docs/anonymity.md)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.drivers import queries, services
from cxloop.lib.testing.responses import make_response
from cxloop.orgs.services import create_employee, create_unit

pytestmark = pytest.mark.django_db


def import_results(cast, rows: list[tuple[str, int, int, int]]) -> None:
    """Results of one survey period: (unit slug, promoters, passives, detractors)."""
    today = timezone.localdate()
    start = (today - timedelta(days=60)).replace(day=1)
    lines = ["unit,period_start,period_end,promoters,passives,detractors"]
    lines += [f"{slug},{start},{today},{p},{pa},{d}" for slug, p, pa, d in rows]
    services.import_employee_survey(
        organisation=cast.owner, content="\n".join(lines), user=cast.owner_admin
    )


@pytest.fixture
def teams(cast):
    """Klantenservice with Team Noord (cast) and two more teams under it."""
    oost = create_unit(
        organisation=cast.owner, name="Team Oost", slug="oost", parent=cast.department
    )
    west = create_unit(
        organisation=cast.owner, name="Team West", slug="west", parent=cast.department
    )
    return cast, oost, west


def page_of(cast) -> str:
    return cast.client_for(cast.owner_admin).get("/drivers/leasewijs/employees/").content.decode()


def row_of(html: str, unit: str) -> str:
    return re.search(rf"<tr><td>{unit}</td>.*?</tr>", html, re.S).group(0)


def test_a_result_below_the_minimum_shows_nothing_not_even_its_respondents(teams):
    cast, oost, west = teams
    import_results(cast, [("team-noord", 6, 3, 1), ("oost", 2, 1, 1), ("west", 3, 4, 5)])
    view = queries.enps_vs_nps(organisation=cast.owner)
    by_unit = {p.unit: p for p in view.pairs}
    assert by_unit["Team Oost"].enps is None and by_unit["Team Oost"].respondents is None
    assert by_unit["Team Noord"].enps == 50 and by_unit["Team Noord"].respondents == 10
    oost_row = row_of(page_of(cast), "Team Oost")
    assert "not shown" in oost_row or "niet getoond" in oost_row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", oost_row)
    assert "4" not in cells and "25" not in cells  # neither its n nor its eNPS (+25)


def test_a_department_minus_its_shown_teams_never_leaves_one_hidden_team(teams):
    cast, oost, west = teams
    # Klantenservice 25 = Noord 10 + West 12 + Oost 3: minus the shown teams it would be Oost's 3.
    import_results(
        cast,
        [
            ("klantenservice", 12, 8, 5),
            ("team-noord", 6, 3, 1),
            ("west", 4, 5, 3),
            ("oost", 2, 1, 0),
        ],
    )
    shown = {p.unit for p in queries.enps_vs_nps(organisation=cast.owner).pairs if p.shown}
    # The smallest shown team goes too: the department minus West is Noord and Oost together.
    assert shown == {"Klantenservice", "Team West"}


def test_the_correlation_uses_only_units_whose_enps_is_shown(teams):
    cast, oost, west = teams
    for unit, nps in ((cast.team, 9), (oost, 3), (west, 6)):
        person = create_employee(
            organisation=cast.owner, unit=unit, code=f"X{unit.pk}", name=f"Iemand {unit.pk}"
        )
        for _ in range(8):
            make_response(cast, employee=person, nps=nps, days_ago=2)
    import_results(cast, [("team-noord", 8, 2, 0), ("oost", 1, 1, 2), ("west", 3, 3, 4)])
    view = queries.enps_vs_nps(organisation=cast.owner)
    assert view.correlation.n == 2  # Oost's four respondents are out
    assert all(p.nps.n == 8 for p in view.pairs)  # the customers' side is not about employees


def test_customers_beside_enps_are_counted_per_whole_month(teams):
    cast, oost, west = teams
    person = create_employee(organisation=cast.owner, unit=oost, code="O1", name="Olga Oost")
    today = timezone.localdate()
    for _ in range(9):
        make_response(cast, employee=person, nps=9, days_ago=0)
    last_month = today.replace(day=1) - timedelta(days=1)
    for _ in range(2):  # two answers in a month: the month is below the minimum
        make_response(cast, employee=person, nps=2, days_ago=(today - last_month).days)
    import_results(cast, [("oost", 5, 3, 2)])
    (pair,) = queries.enps_vs_nps(organisation=cast.owner).pairs
    assert pair.shown and pair.nps.score is None  # a month of 2 would give itself away
