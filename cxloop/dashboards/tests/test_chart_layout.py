"""Charts look as good as they count: they fill their card, keep every label inside the picture and
apart, list only the marks they draw, and an employee's trend is not a swing on three answers."""

import re
from datetime import date, timedelta

import pytest

from cxloop import stats
from cxloop.dashboards import charts, queries
from cxloop.dashboards.queries import Filters
from cxloop.dashboards.tables import Figure
from cxloop.drivers.charts import Point, scatter
from cxloop.lib.testing.responses import make_responses

TEXT = re.compile(
    r'<text x="([-\d.]+)" y="([-\d.]+)" text-anchor="(\w+)" font-size="(\d+)"([^>]*)>([^<]*)</text>'
)


def _view_width(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))


def _boxes(svg: str) -> list[tuple[str, float, float, float]]:
    """Each label's text and its horizontal extent and baseline, as the charts estimate widths."""
    boxes = []
    for x, y, anchor, size, attributes, text in TEXT.findall(svg):
        if "rotate" in attributes:  # the y axis's title runs upwards along the edge
            continue
        width = charts.text_width(text, int(size))
        left = {"start": float(x), "middle": float(x) - width / 2, "end": float(x) - width}[anchor]
        boxes.append((text, left, left + width, float(y)))
    return boxes


def _assert_inside(svg: str) -> None:
    width = _view_width(svg)
    for text, left, right, _y in _boxes(svg):
        assert left >= 0 and right <= width, (
            f"{text!r} runs out of the chart ({left:.0f}…{right:.0f} of {width})"
        )


def _funnel(labels_long: bool = True) -> str:
    points = [
        charts.FunnelPoint(f"Medewerker {i}", n, value)
        for i, (n, value) in enumerate([(7, -40), (12, 60), (47, 10), (47, -90)])
    ]
    overall = stats.NpsCounts(promoters=60, passives=25, detractors=15)
    return charts.funnel_plot(points, overall, title="t", what="employees", min_n=5)


def test_charts_fill_their_card():
    svg = _funnel()
    assert 'width="100%"' in svg and "max-width" not in svg
    drivers = scatter(
        [Point("a", 50, 5)], x_label="x", y_label="y", x_range=(0, 100), y_range=(0, 10)
    )
    assert 'width="100%"' in drivers and "max-width" not in drivers


def test_the_funnel_keeps_its_axis_labels_and_legend_inside(settings):
    # 47 answers at most: the axis used to stop at 50.8 with a "50" tick printed half outside.
    svg = _funnel()
    _assert_inside(svg)
    ticks = [float(t) for t, *_ in [(b[0],) for b in _boxes(svg)] if re.fullmatch(r"\d+", t)]
    assert max(ticks) >= 47 and max(ticks) % 10 == 0


def test_a_long_legend_wraps_instead_of_running_off_the_chart():
    items = [
        ("<circle r='4'/>", f"een heel lange legenda-omschrijving nummer {i}") for i in range(6)
    ]
    body, height = charts.legend(items, 64, 18, 900)
    assert height > charts.LEGEND_ROW  # more than one row
    svg = "".join(body)
    for _text, _left, right, _y in _boxes(f'<svg viewBox="0 0 900 100">{svg}</svg>'):
        assert right <= 900


def test_the_trend_lists_only_the_marks_it_draws_and_draws_every_interval():
    quiet = [charts.TrendPoint(f"{d} sep", 20.0, 40, None, low=5.0, high=35.0) for d in (1, 8, 15)]
    svg = charts.trend_chart(quiet, title="t", x_label="Week", min_n=5)
    _assert_inside(svg)
    assert ">hidden (n" not in svg  # no hidden period: no hidden mark
    assert ">control limits (±3σ)<" not in svg  # no limits drawn: none in the legend
    assert svg.count('stroke-opacity="0.55"') == 3  # an interval on every point
    few = [charts.TrendPoint("1 sep", 100.0, 3, None, low=-10.0, high=100.0, imprecise=True)]
    assert "fewer than 30 answers" in charts.trend_chart(few, title="t", x_label="Week", min_n=5)


def test_period_labels_never_print_over_each_other():
    points = [charts.TrendPoint(f"{i} september 2026", 10.0, 50, None) for i in range(52)]
    svg = charts.trend_chart(points, title="t", x_label="Week", min_n=5)
    axis = sorted((b for b in _boxes(svg) if "september" in b[0]), key=lambda b: b[1])
    assert len(axis) > 5
    assert all(a[2] <= b[1] for a, b in zip(axis, axis[1:], strict=False))


def test_driver_labels_never_print_over_each_other():
    # Three drivers on nearly the same spot, as the demo's "Website/app", "Persoonlijk", "Prijs".
    points = [
        Point(name, 79 + i * 0.3, 2.5 + i * 0.1)
        for i, name in enumerate(["Website/app", "Persoonlijk", "Prijs en kosten", "Brief"])
    ]
    svg = scatter(
        points,
        x_label="Prestatie",
        y_label="Belang",
        x_range=(0, 100),
        y_range=(0, 24),
        quadrants=(60, 8),
        quadrant_label="eerst aanpakken",
    )
    labels = [b for b in _boxes(svg) if b[0] in {p.label for p in points}]
    assert len(labels) == 4
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            overlap_x = a[1] < b[2] and b[1] < a[2]
            overlap_y = abs(a[3] - b[3]) < 12
            assert not (overlap_x and overlap_y), f"{a[0]} and {b[0]} overlap"
    _assert_inside(svg)


@pytest.mark.django_db
def test_an_employees_trend_on_a_few_answers_a_week_is_shown_per_month(cast):
    for week in range(8):
        make_responses(cast, [10, 0, 9], employee=cast.agent, days_ago=week * 7 + 1)
    page = cast.client_for(cast.agent.user).get("/me/")
    assert "per month" in str(page.context["page"].charts["trend"])
    weekly = cast.client_for(cast.agent.user).get("/me/", {"grain": "week"})
    assert "per week" in str(weekly.context["page"].charts["trend"])  # asked for: as asked


@pytest.mark.django_db
def test_an_organisation_with_enough_answers_a_week_keeps_weekly_points(cast):
    for week in range(3):
        make_responses(cast, [10, 9, 7, 3] * 8, employee=cast.agent, days_ago=week * 7 + 1)
    page = cast.client_for(cast.owner_admin).get(f"/organisations/{cast.owner.slug}/")
    assert "per week" in str(page.context["page"].charts["trend"])


def test_bars_keep_long_labels_inside():
    bar = charts.Bar(
        "Schade melden: een heel lang contactmoment met uitleg",
        Figure("share", 40.0, 50, 30.0, 50.0),
    )
    _assert_inside(charts.bar_chart([bar], title="t", x_label="%"))


@pytest.mark.django_db
def test_the_chosen_grain_counts_exactly_what_that_grain_counts(cast):
    # Answers on both sides of month ends: a week that straddles two months is split correctly.
    for days_ago in range(0, 70, 3):
        make_responses(cast, [10, 2], employee=cast.agent, days_ago=days_ago)
    filters = Filters(since=date.today() - timedelta(days=89), until=date.today())
    points, grain = queries.trend_by_answers(filters=filters, precise_n=30, employee=cast.agent)
    assert grain == "month"
    expected = queries.trend(filters=filters, employee=cast.agent, grain="month")
    assert [(p.start, p.scores.counts, p.limits) for p in points] == [
        (p.start, p.scores.counts, p.limits) for p in expected
    ]
    weekly, grain = queries.trend_by_answers(filters=filters, precise_n=2, employee=cast.agent)
    assert grain == "week"
    assert [p.scores.counts for p in weekly] == [
        p.scores.counts for p in queries.trend(filters=filters, employee=cast.agent)
    ]
