"""Every number on the dashboards against an independent computation from the raw rows.

The scenario puts ~320 responses in the chain; each test opens a page as the person who uses it
and recomputes, in plain Python over Response / Interaction / Answer rows, every figure the page
shows: scores with n and interval, previous period, significance marks, trends with control limits,
units rolled up, members on the funnel, channel × journey, contact impact, moments of truth,
response times, the chain's parts.
"""

import copy
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from math import sqrt
from statistics import NormalDist

import holidays as holiday_calendars
import pytest
from django.utils import timezone

from cxloop.conftest import make_cast
from cxloop.dashboards.tables import BREAKDOWN, REMAINDER, Figure, PValue
from cxloop.dashboards.tests import scenario
from cxloop.dashboards.tests.conftest import english_ui
from cxloop.dashboards.tests.scenario import (
    AMSTERDAM,
    Expected,
    expected_ces,
    expected_csat,
    expected_nps,
    expected_share,
    expected_z_test,
    in_period,
    local_day,
    nps_classes,
)
from cxloop.followup.models import FollowUpCase
from cxloop.responses.models import Answer

pytestmark = pytest.mark.django_db
MIN_N = 5


@pytest.fixture(scope="module")
def built(module_transaction):
    """The scenario, built once for the module: each test gets a copy, and its writes roll back."""
    with module_transaction.unblock(), english_ui():
        return scenario.build(make_cast())


@pytest.fixture
def world(db, built):
    return copy.deepcopy(built)


@pytest.fixture
def cast(world):
    return world.cast


def periods() -> tuple[tuple[date, date], tuple[date, date]]:
    today = timezone.localdate()
    since = today - timedelta(days=89)
    return (since, today), (since - timedelta(days=90), since - timedelta(days=1))


def check(figure: Figure, expected: Expected, *, own: bool = False) -> None:
    """A figure shows exactly the expected score, n and interval, or hides it below the minimum
    (or, labelled as such, where the anonymity rule hides a larger one: test_anonymity_* test which)."""
    assert figure.n == expected.n
    if expected.n == 0:
        assert figure.score is None and not figure.hidden
        return
    if not own and expected.n < MIN_N:
        assert figure.hidden and figure.score is None and figure.low is None
        return
    if figure.hidden and figure.reason == REMAINDER:
        assert not own and figure.score is None and figure.low is None
        return
    assert not figure.hidden
    assert figure.score == pytest.approx(expected.score)
    assert figure.low == pytest.approx(expected.low)
    assert figure.high == pytest.approx(expected.high)
    assert figure.imprecise == (expected.n < 30)


def check_scores(figures: list[Figure], rows: list, *, own: bool = False) -> None:
    check(figures[0], expected_nps([r.nps for r in rows]), own=own)
    check(figures[1], expected_csat([r.csat for r in rows]), own=own)
    check(figures[2], expected_ces([r.ces for r in rows]), own=own)


def check_change(figure: Figure, current: list, previous: list, *, own: bool = False) -> None:
    """The NPS carries a "previous" mark exactly when the independent z-test says p < 0.05."""
    marks = [m for m in figure.marks if m.against == "previous"]
    result = expected_z_test([r.nps for r in current], [r.nps for r in previous])
    enough = (
        own
        or min(expected_nps([r.nps for r in current]).n, expected_nps([r.nps for r in previous]).n)
        >= MIN_N
    )
    if result is None or result[1] >= 0.05 or not enough or not figure.shown:
        assert marks == []
        return
    (mark,) = marks
    assert mark.difference == pytest.approx(result[0])
    assert mark.p_value == pytest.approx(result[1])
    assert mark.direction == ("up" if result[0] > 0 else "down")


def expected_trend(rows: list) -> list[tuple[date, Expected, float, float]]:
    """NPS per ISO week with NPS̄ ± 3·sqrt(V̄/n_i) limits, from the pooled weeks."""
    weeks = defaultdict(list)
    for r in rows:
        if r.nps is not None:
            day = local_day(r.submitted_at)
            weeks[day - timedelta(days=day.weekday())].append(r.nps)
    everything = [v for values in weeks.values() for v in values]
    p, _, d = nps_classes(everything)
    n = len(everything)
    centre, variance = (p - d) / n, p / n + d / n - ((p - d) / n) ** 2
    result = []
    for start in sorted(weeks):
        half = 3 * sqrt(variance / len(weeks[start]))
        result.append(
            (
                start,
                expected_nps(weeks[start]),
                max(-100, 100 * (centre - half)),
                min(100, 100 * (centre + half)),
            )
        )
    return result


def check_trend(table, rows: list, *, own: bool) -> None:
    expected = expected_trend(rows)
    # Weeks with only unscored answers are rows without an NPS.
    shown = [row for row in table.rows if row[1].n > 0]
    assert [row[0] for row in shown] == [start.isoformat() for start, *_ in expected]
    for row, (_start, score, low, high) in zip(shown, expected, strict=True):
        check(row[1], score, own=own)
        assert row[2] == pytest.approx(low, abs=0.051) and row[3] == pytest.approx(high, abs=0.051)


def comments(rows: list, limit: int) -> list[str]:
    with_text = sorted((r for r in rows if r.comment), key=lambda r: r.submitted_at, reverse=True)
    return [r.comment for r in with_text[:limit]]


def check_group(figures: list[Figure], groups: list[list], metric) -> None:
    """One score column of a group of rows: each exact, or hidden (below the minimum, or by the rule)."""
    for figure, rows in zip(figures, groups, strict=True):
        check(figure, metric(rows))


def funnel_p(rows: list, everyone: list) -> tuple[float, float]:
    p, _, d = nps_classes([r.nps for r in everyone])
    n = p + _ + d
    centre, variance = (p - d) / n, p / n + d / n - ((p - d) / n) ** 2
    values = [r.nps for r in rows if r.nps is not None]
    z = (expected_nps(values).score / 100 - centre) / sqrt(variance / len(values))
    return z, 2 * (1 - NormalDist().cdf(abs(z)))


def check_funnel_mark(figure: Figure, rows: list, everyone: list) -> None:
    marks = [m for m in figure.marks if m.against == "funnel"]
    if not figure.shown:
        assert marks == []
        return
    z, p = funnel_p(rows, everyone)
    if p < 0.002:
        (mark,) = marks
        assert mark.direction == ("up" if z > 0 else "down") and mark.p_value == pytest.approx(p)
    else:
        assert marks == []


# --- the employee -----------------------------------------------------------------------------


def test_my_own_page_shows_my_numbers(world):
    cast = world.cast
    (since, until), (p_since, p_until) = periods()
    FollowUpCase.objects.create(
        response=world.responses[0],
        organisation=cast.owner,
        assignee=cast.agent,
        reason="Detractor",
        status="new",
        opened_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=1),
    )
    FollowUpCase.objects.create(
        response=world.responses[1],
        organisation=cast.owner,
        assignee=cast.agent,
        reason="Gesloten",
        status="closed",
        opened_at=timezone.now(),
        due_at=timezone.now(),
    )
    page = cast.client_for(cast.agent.user).get("/me/?days=90&grain=week").context["page"]
    mine = [r for r in world.responses if r.employee_id == cast.agent.pk]
    current, previous = in_period(mine, since, until), in_period(mine, p_since, p_until)
    check_scores([c.figure for c in page.cards], current, own=True)
    check_scores([c.previous for c in page.cards], previous, own=True)
    check_change(page.cards[0].figure, current, previous, own=True)
    check_trend(page.tables["trend"], current, own=True)
    assert [row[2] for row in page.tables["compliments"].rows] == comments(
        [r for r in current if r.nps is not None and r.nps >= 9], 20
    )
    assert [row[2] for row in page.tables["verbatims"].rows] == comments(current, 50)
    assert [row[1] for row in page.tables["cases"].rows] == ["Detractor"]
    team = [
        r
        for r in in_period(world.responses, since, until)
        if r.unit_path.startswith(cast.team.path)
    ]
    rest = [r for r in team if r.employee_id != cast.agent.pk and r.nps is not None]
    if len(rest) >= MIN_N:
        check(page.extra["team"], expected_nps([r.nps for r in team]))
    else:
        assert page.extra["team"].hidden


def test_the_lead_sees_a_members_numbers_behind_the_minimum(world):
    cast = world.cast
    (since, until), (p_since, p_until) = periods()
    lead = cast.client_for(cast.lead.user)
    page = lead.get(f"/employees/{cast.colleague.pk}/?days=90").context["page"]
    theirs = [r for r in world.responses if r.employee_id == cast.colleague.pk]
    current, previous = in_period(theirs, since, until), in_period(theirs, p_since, p_until)
    check_scores([c.figure for c in page.cards], current)
    check_scores([c.previous for c in page.cards], previous)
    check_change(page.cards[0].figure, current, previous)
    # Per period only: no weekly trend, no answers one by one, no follow-ups (docs/anonymity.md).
    assert not {"trend", "verbatims", "compliments", "cases"} & set(page.tables)
    # Under a segment (or any filter) an employee's score is not shown to others, nor its n.
    filtered = lead.get(f"/employees/{cast.colleague.pk}/?days=90&segment=zakelijk")
    for card in filtered.context["page"].cards:
        assert card.figure.score is None and card.figure.reason in (BREAKDOWN, "")
        assert "n = " not in str(filtered.content.decode().split("Team total")[0].split("<h1>")[1])


# --- units and the organisation ----------------------------------------------------------------


def test_the_team_page(world):
    cast = world.cast
    (since, until), (p_since, p_until) = periods()
    response = cast.client_for(cast.lead.user).get(f"/units/{cast.team.pk}/?days=90")
    page = response.context["page"]
    now_rows = in_period(world.responses, since, until)
    team = [r for r in now_rows if r.unit_path.startswith(cast.team.path)]
    check_scores([c.figure for c in page.cards], team)
    check_change(
        page.cards[0].figure,
        team,
        [
            r
            for r in in_period(world.responses, p_since, p_until)
            if r.unit_path.startswith(cast.team.path)
        ],
    )
    rest = [r for r in now_rows if r.unit_path.startswith(cast.department.path) and r not in team]
    marks = [m for m in page.cards[0].figure.marks if m.against == "rest"]
    result = expected_z_test([r.nps for r in team], [r.nps for r in rest])
    if (
        result
        and result[1] < 0.05
        and min(expected_nps([r.nps for r in team]).n, expected_nps([r.nps for r in rest]).n)
        >= MIN_N
    ):
        assert (
            marks[0].p_value == pytest.approx(result[1]) and marks[0].difference is None
        )  # lead: not above
    else:
        assert marks == []
    assert page.extra["rest"] is None  # the lead does not see the department
    assert "trend" not in page.tables  # a unit per period, not per week (docs/anonymity.md)
    members = page.tables["members"]
    assert [row[0].text for row in members.rows] == ["Anouk Agent", "Bram Collega", "Lotte de Lead"]
    people = [cast.agent, cast.colleague, cast.lead]
    groups = [[r for r in now_rows if r.employee_id == e.pk] for e in people]
    for column, metric in (
        (2, lambda rows: expected_nps([r.nps for r in rows])),
        (3, lambda rows: expected_csat([r.csat for r in rows])),
        (4, lambda rows: expected_ces([r.ces for r in rows])),
    ):
        check_group([row[column] for row in members.rows], groups, metric)
    for row, group in zip(members.rows, groups, strict=True):
        check_funnel_mark(row[2], group, team)  # around the team's own total
    # The lead reads the team's answers as text: no score, no employee.
    assert [row[1] for row in page.tables["verbatims"].rows] == comments(team, 50)
    assert [c.label for c in page.tables["verbatims"].columns] == [
        "Date",
        "What the customer wrote",
        "Channel",
        "Journey type",
    ]


def test_the_organisation_page_rolls_units_up_and_compares_each_with_the_rest_of_its_parent(world):
    cast = world.cast
    (since, until), (p_since, p_until) = periods()
    page = (
        cast.client_for(cast.owner_admin)
        .get("/organisations/leasewijs/?days=90&grain=week")
        .context["page"]
    )
    now_rows = [
        r for r in in_period(world.responses, since, until) if r.organisation_id == cast.owner.pk
    ]
    before = [
        r
        for r in in_period(world.responses, p_since, p_until)
        if r.organisation_id == cast.owner.pk
    ]
    check_scores([c.figure for c in page.cards], now_rows)
    check_change(page.cards[0].figure, now_rows, before)
    units = page.tables["units"]
    assert [(row[0].text, row[0].depth) for row in units.rows] == [
        ("Klantenservice", 0),
        ("Team Noord", 1),
        ("Team Zuid", 1),
    ]
    department = [r for r in now_rows if r.unit_path.startswith(cast.department.path)]
    check_scores(units.rows[0][1:], department)
    teams = [
        [r for r in now_rows if r.unit_path.startswith(u.path)] for u in (cast.team, world.zuid)
    ]
    check_group(
        [row[1] for row in units.rows[1:]], teams, lambda rows: expected_nps([r.nps for r in rows])
    )
    for row, rows in zip(units.rows[1:], teams, strict=True):
        rest = [r for r in department if r not in rows]
        result = expected_z_test([r.nps for r in rows], [r.nps for r in rest])
        marks = [m for m in row[1].marks if m.against == "rest"]
        significant = (
            result
            and result[1] < 0.05
            and row[1].shown
            and expected_nps([r.nps for r in rest]).n >= MIN_N
        )
        if significant:
            assert marks[0].difference == pytest.approx(result[0]) and marks[
                0
            ].p_value == pytest.approx(result[1])
            assert marks[0].label == "the rest of Klantenservice"
        else:
            assert marks == []
    outliers = page.tables["outliers"]
    employees = [r for r in now_rows if r.employee_id is not None]
    listed = {row[0].text for row in outliers.rows}
    members = (
        cast.client_for(cast.owner_admin)
        .get(f"/units/{cast.department.pk}/?days=90")
        .context["page"]
        .tables["members"]
    )
    shown = {row[0].text for row in members.rows if row[2].shown}  # as the rule lets the admin see
    for employee in (cast.agent, cast.colleague, cast.lead, world.zoe):
        rows = [r for r in employees if r.employee_id == employee.pk]
        outside = employee.name in shown and funnel_p(rows, now_rows)[1] < 0.002
        assert (employee.name in listed) == outside


# --- analyses ----------------------------------------------------------------------------------


def check_heatmap(table, rows: list, world) -> None:
    names = {c.pk: c.name for c in world.channels.values()}
    journey_names = {j.pk: j.name for j in world.journey_types.values()}
    cells = defaultdict(list)
    for r in rows:
        cells[(names[r.channel_id], journey_names[r.journey_type_id])].append(r.nps)
    header = [c.label for c in table.columns[1:]]
    seen = set()
    for row in table.rows:
        for column, figure in zip(header, row[1:], strict=True):
            seen.add((row[0], column))
            check(figure, expected_nps(cells.get((row[0], column), [])))
    assert {key for key, values in cells.items() if values} <= seen


def exposure(rows: list, interactions: list, by: str) -> dict[tuple[int, int], tuple[list, list]]:
    """(journey type, moment) → (NPS of responses whose journey had it before the answer, of the others)."""
    per_journey = defaultdict(list)
    for i in interactions:
        per_journey[i.journey_id].append(i)
    scored = [r for r in rows if r.nps is not None and r.journey_id]
    result = {}
    moments = {
        (r.journey_type_id, getattr(i, f"{by}_id"))
        for r in scored
        for i in per_journey[r.journey_id]
        if getattr(i, f"{by}_id") and i.occurred_at <= r.submitted_at
    }
    for jt, moment in moments:
        same_type = [r for r in scored if r.journey_type_id == jt]
        had = [
            r
            for r in same_type
            if any(
                getattr(i, f"{by}_id") == moment and i.occurred_at <= r.submitted_at
                for i in per_journey[r.journey_id]
            )
        ]
        result[(jt, moment)] = ([r.nps for r in had], [r.nps for r in same_type if r not in had])
    return result


def check_impact(table, rows: list, world, by: str) -> None:
    expected = exposure(rows, world.interactions, by)
    names = (
        {t.pk: t.name for ts in world.touchpoints.values() for t in ts}
        if by == "touchpoint"
        else {c.pk: c.name for c in world.channels.values()}
    )
    journey_names = {j.pk: j.name for j in world.journey_types.values()}
    expected_rows = {(journey_names[jt], names[m]): value for (jt, m), value in expected.items()}
    assert {(row[0], row[1]) for row in table.rows} == set(expected_rows)
    for row in table.rows:
        with_values, without_values = expected_rows[(row[0], row[1])]
        check(row[2], expected_nps(with_values))
        check(row[3], expected_nps(without_values))
        result = expected_z_test(with_values, without_values)
        if row[2].shown and row[3].shown and result:
            assert row[4] == pytest.approx(result[0], abs=0.051)
            assert isinstance(row[5], PValue) and row[5].value == pytest.approx(result[1])
            assert bool(row[6]) == (result[1] < 0.05)
        else:
            assert row[4] is None and row[5] is None and row[6] == ""


def check_moments(table, rows: list, world, *, scores: bool = True) -> None:
    ids = {r.pk for r in rows}
    answers = [
        a
        for a in Answer.objects.filter(
            response_id__in=ids, chosen_touchpoint__isnull=False
        ).select_related("response", "chosen_touchpoint")
    ]
    per_touchpoint = defaultdict(set)
    for a in answers:
        per_touchpoint[a.chosen_touchpoint].add(a.response)
    per_type = defaultdict(int)
    for touchpoint, responses in per_touchpoint.items():
        per_type[touchpoint.journey_type_id] += len(responses)
    expected = {
        (tp.journey_type.name, tp.name): (
            len(rs),
            per_type[tp.journey_type_id],
            [r.nps for r in rs],
        )
        for tp, rs in per_touchpoint.items()
    }
    assert {(row[0], row[1]) for row in table.rows} == set(expected)
    for row in table.rows:
        picks, total, values = expected[(row[0], row[1])]
        if total >= MIN_N:
            check(row[2], expected_share(picks, total))
        else:
            assert row[2].hidden
        if scores:
            check(row[3], expected_nps(values))


def deadline(asked: datetime, working_days: int) -> datetime:
    """Midnight after the working day that answers "the same (or next) working day" (its own loop)."""
    dutch = holiday_calendars.country_holidays("NL")
    day = asked.astimezone(AMSTERDAM).date()
    steps = 0
    while True:
        if day.weekday() < 5 and day not in dutch:
            if steps == working_days:
                break
            steps += 1
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time.min, AMSTERDAM)


EXPECT = {"telefoon": ("s", 30), "chat": ("s", 60), "whatsapp": ("d", 0), "e-mail": ("d", 1)}


def check_times(table, interactions: list, world, since: date, until: date) -> None:
    chosen = [
        i
        for i in interactions
        if i.wait_seconds is not None and since <= local_day(i.occurred_at) <= until
    ]
    per_channel = defaultdict(lambda: [0, 0])
    for i in chosen:
        kind, limit = EXPECT[i.channel.slug]
        ok = (
            i.wait_seconds <= limit
            if kind == "s"
            else i.occurred_at + timedelta(seconds=i.wait_seconds) <= deadline(i.occurred_at, limit)
        )
        per_channel[i.channel.name][0] += 1
        per_channel[i.channel.name][1] += int(ok)
    assert {row[0] for row in table.rows} == set(per_channel)
    for row in table.rows:
        n, within = per_channel[row[0]]
        assert row[2] == n
        check(row[3], expected_share(within, n))


def test_the_organisation_analysis(world):
    cast = world.cast
    (since, until), _ = periods()
    page = (
        cast.client_for(cast.owner_admin)
        .get("/organisations/leasewijs/analysis/?days=90")
        .context["page"]
    )
    rows = [
        r for r in in_period(world.responses, since, until) if r.organisation_id == cast.owner.pk
    ]
    check_heatmap(page.tables["channels"], rows, world)
    check_impact(page.tables["impact_touchpoints"], rows, world, "touchpoint")
    check_impact(page.tables["impact_channels"], rows, world, "channel")
    check_moments(page.tables["moments"], rows, world)
    check_times(
        page.tables["response_times"],
        [i for i in world.interactions if i.organisation_id == cast.owner.pk],
        world,
        since,
        until,
    )


def test_the_unit_analysis_under_filters(world):
    cast = world.cast
    today = timezone.localdate()
    since, until = today - timedelta(days=150), today - timedelta(days=10)
    url = (
        f"/units/{cast.department.pk}/analysis/?since={since}&until={until}&channel={cast.phone.pk}"
    )
    page = cast.client_for(cast.owner_admin).get(url).context["page"]
    rows = [
        r
        for r in in_period(world.responses, since, until)
        if r.unit_path.startswith(cast.department.path) and r.channel_id == cast.phone.pk
    ]
    # Of a unit, no score per channel, contact moment or moment of truth is shown (they would cut a
    # team's answers into pieces beside its total: docs/anonymity.md); shares and waits are.
    scores = [
        figure
        for key in ("channels", "impact_touchpoints", "impact_channels", "moments")
        for figure in page.tables[key].figures()
        if figure.metric == "nps"
    ]
    assert scores and all(f.score is None and f.reason in (BREAKDOWN, "") for f in scores)
    assert "heatmap" not in page.charts
    check_moments(page.tables["moments"], rows, world, scores=False)
    mine = [
        i
        for i in world.interactions
        if i.unit and i.unit.path.startswith(cast.department.path) and i.channel_id == cast.phone.pk
    ]
    check_times(page.tables["response_times"], mine, world, since, until)


# --- the chain -----------------------------------------------------------------------------------


def test_the_partner_sees_what_each_agreement_allows(world):
    cast = world.cast
    (since, until), _ = periods()
    page = cast.client_for(cast.partner_admin).get("/journeys/?days=90").context["page"]
    rows = in_period(world.responses, since, until)
    journeys = page.tables["journeys"]
    assert [row[0].text for row in journeys.rows] == [
        "Klacht",
        "Opzeggen",
        "Schade melden",
    ]  # not "Bestellen"
    for row in journeys.rows:
        journey_type = next(j for j in world.journey_types.values() if j.name == row[0].text)
        of_type = [r for r in rows if r.journey_type_id == journey_type.pk]
        if journey_type.slug == "schade-melden":  # "own": only Belcentrum's part, also as the total
            of_type = [r for r in of_type if r.organisation_id == cast.partner.pk]
        check_scores(row[2:], of_type)
    parts = {(row[0], row[1]) for row in page.tables["parts"].rows}
    assert parts == {
        ("Klacht", "Belcentrum"),
        ("Opzeggen", "Belcentrum"),
        ("Opzeggen", "Leasewijs"),
        ("Schade melden", "Belcentrum"),
    } & {
        (j.name, o.name)
        for j in world.journey_types.values()
        for o in (cast.owner, cast.partner)
        if any(r.journey_type_id == j.pk and r.organisation_id == o.pk for r in rows)
    }
    for row in page.tables["parts"].rows:
        journey_type = next(j for j in world.journey_types.values() if j.name == row[0])
        organisation = cast.partner if row[1] == "Belcentrum" else cast.owner
        check_scores(
            row[2:],
            [
                r
                for r in rows
                if r.journey_type_id == journey_type.pk and r.organisation_id == organisation.pk
            ],
        )
    heat = [
        r
        for r in rows
        if r.journey_type_id
        in (world.journey_types["klacht"].pk, world.journey_types["opzeggen"].pk)
        or (r.journey_type_id == cast.journey_type.pk and r.organisation_id == cast.partner.pk)
    ]
    check_heatmap(page.tables["channels"], heat, world)


def test_a_journey_type_for_its_owner(world):
    cast = world.cast
    (since, until), (p_since, p_until) = periods()
    journey_type = world.journey_types["opzeggen"]
    page = (
        cast.client_for(cast.owner_admin)
        .get(f"/journeys/{journey_type.pk}/?days=90&grain=week")
        .context["page"]
    )
    rows = [
        r for r in in_period(world.responses, since, until) if r.journey_type_id == journey_type.pk
    ]
    before = [
        r
        for r in in_period(world.responses, p_since, p_until)
        if r.journey_type_id == journey_type.pk
    ]
    check_scores([c.figure for c in page.cards], rows)
    check_change(page.cards[0].figure, rows, before)
    check_trend(page.tables["trend"], rows, own=False)
    for row in page.tables["parts"].rows:
        organisation = cast.partner if row[0] == "Belcentrum" else cast.owner
        part = [r for r in rows if r.organisation_id == organisation.pk]
        check_scores(row[1:], part)
        check_funnel_mark(row[1], part, rows)
    names = {t.pk: t.name for t in world.touchpoints["opzeggen"]}
    for row in page.tables["touchpoints"].rows:
        pk = next((pk for pk, name in names.items() if name == row[0]), None)
        check_scores(row[1:], [r for r in rows if r.touchpoint_id == pk])


def test_a_journey_type_shared_as_totals_shows_no_other_partner(world):
    cast = world.cast
    (since, until), _ = periods()
    journey_type = world.journey_types["klacht"]
    response = cast.client_for(cast.partner_admin).get(
        f"/journeys/{journey_type.pk}/analysis/?days=90"
    )
    page = response.context["page"]
    rows = [
        r for r in in_period(world.responses, since, until) if r.journey_type_id == journey_type.pk
    ]
    check_heatmap(page.tables["channels"], rows, world)
    check_moments(page.tables["moments"], rows, world)
    overview = (
        cast.client_for(cast.partner_admin)
        .get(f"/journeys/{journey_type.pk}/?days=90&grain=week")
        .context["page"]
    )
    assert [row[0] for row in overview.tables["parts"].rows] in ([], ["Belcentrum"])
    assert "funnel" not in overview.charts
