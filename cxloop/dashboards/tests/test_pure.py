"""The dashboards' pure parts without a database: display rules, response-time expectations,
filters from the URL, SVG charts and exports."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime
from math import sqrt
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.test import override_settings
from openpyxl import load_workbook

from cxloop import stats
from cxloop.dashboards import charts, expectations, exports, filters
from cxloop.dashboards.queries import Choices
from cxloop.dashboards.tables import (
    Column,
    Link,
    Table,
    change_mark,
    flat_header,
    flat_rows,
    funnel_position,
    rest_mark,
    show,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SVG = "{http://www.w3.org/2000/svg}"


# --- display rules ---------------------------------------------------------------------------------


def test_a_score_below_the_minimum_is_hidden_for_others_and_shown_to_its_owner():
    score = stats.nps(promoters=3, passives=0, detractors=1)
    hidden = show(score)
    assert hidden.hidden and hidden.score is None and hidden.low is None and hidden.n == 4
    own = show(score, own=True)
    assert own.score == 50 and own.low == score.low and own.imprecise
    assert show(stats.nps(promoters=0, passives=0, detractors=0)).n == 0
    with override_settings(CXLOOP_ANONYMITY_MIN=3):
        assert show(score).shown


def test_the_precision_floor_greys_under_30():
    assert show(stats.nps(promoters=20, passives=5, detractors=4)).imprecise  # 29
    assert not show(stats.nps(promoters=20, passives=5, detractors=5)).imprecise  # 30


def test_change_and_rest_marks_follow_the_z_test():
    now, before = stats.NpsCounts(60, 20, 20), stats.NpsCounts(40, 30, 30)
    mark = change_mark(now, before)
    se = sqrt(0.64 / 100 + 0.69 / 100)
    assert mark.direction == "up" and mark.difference == pytest.approx(30)
    assert mark.p_value == pytest.approx(2 * (1 - NormalDist().cdf(0.3 / se)))
    assert change_mark(stats.NpsCounts(6, 2, 2), stats.NpsCounts(4, 3, 3)) is None  # noise
    assert (
        change_mark(stats.NpsCounts(4, 0, 0), stats.NpsCounts(0, 0, 4)) is None
    )  # n below the minimum
    assert change_mark(stats.NpsCounts(4, 0, 0), stats.NpsCounts(0, 1, 3), own=True) is not None
    rest = rest_mark(before, now, label="the rest of X", reveal=False)
    assert rest.direction == "down" and rest.difference is None and rest.label == "the rest of X"


def test_funnel_position_by_hand():
    overall = stats.NpsCounts(50, 30, 20)  # NPS 30, V = 0.7 − 0.09 = 0.61
    unit = stats.NpsCounts(10, 0, 10)  # NPS 0 with n = 20
    position = funnel_position(unit, overall)
    z = (0 - 0.3) / sqrt(0.61 / 20)
    assert position.z == pytest.approx(z)
    assert position.p_value == pytest.approx(2 * (1 - NormalDist().cdf(abs(z))))
    assert position.inner.low == pytest.approx(100 * (0.3 - 1.959964 * sqrt(0.61 / 20)), abs=1e-4)
    assert position.outer.low == pytest.approx(100 * (0.3 - 3.090232 * sqrt(0.61 / 20)), abs=1e-4)
    assert not position.outside  # z ≈ −1.72: inside even the 95% funnel


# --- expectations ----------------------------------------------------------------------------------


NL = {date(2026, 4, 27), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}


def test_deadlines_skip_weekends_and_dutch_holidays():
    friday, saturday = date(2026, 11, 20), date(2026, 11, 21)
    assert expectations.deadline_day(friday, 0, NL) == friday
    assert expectations.deadline_day(friday, 1, NL) == date(
        2026, 11, 23
    )  # e-mail: next working day is Monday
    assert expectations.deadline_day(saturday, 0, NL) == date(
        2026, 11, 23
    )  # asked on Saturday: Monday
    assert expectations.deadline_day(date(2026, 4, 24), 1, NL) == date(
        2026, 4, 28
    )  # King's Day on Monday 27th
    assert expectations.deadline_day(date(2026, 12, 24), 1, NL) == date(2026, 12, 28)
    assert expectations.extra_days(saturday, expectations.SAME_DAY, NL) == 2


def test_one_answer_against_each_expectation():
    phone, chat = expectations.for_channel("telefoon"), expectations.for_channel("Chat")
    assert expectations.within(
        phone, asked_day=date(2026, 11, 20), seconds_into_day=0, wait_seconds=30, holidays=NL
    )
    assert not expectations.within(
        phone, asked_day=date(2026, 11, 20), seconds_into_day=0, wait_seconds=31, holidays=NL
    )
    assert expectations.within(
        chat, asked_day=date(2026, 11, 20), seconds_into_day=0, wait_seconds=60, holidays=NL
    )
    whatsapp, email = expectations.for_channel("whatsapp"), expectations.for_channel("e-mail")
    evening = 22 * 3600  # asked on Friday 22:00
    assert expectations.within(
        whatsapp,
        asked_day=date(2026, 11, 20),
        seconds_into_day=evening,
        wait_seconds=2 * 3600 - 1,
        holidays=NL,
    )
    assert not expectations.within(
        whatsapp,
        asked_day=date(2026, 11, 20),
        seconds_into_day=evening,
        wait_seconds=2 * 3600 + 1,
        holidays=NL,
    )
    assert expectations.within(
        email,
        asked_day=date(2026, 11, 20),
        seconds_into_day=evening,
        wait_seconds=2 * 3600 + 3 * 86400 - 1,
        holidays=NL,
    )  # by Monday midnight
    assert expectations.for_channel("brief") is None


# --- filters ---------------------------------------------------------------------------------------

CHOICES = Choices(
    journey_types=[(1, "Schade")],
    channels=[(2, "Telefoon")],
    touchpoints=[(3, "Melding", "Schade")],
    segments=["zakelijk"],
)
TODAY = date(2026, 11, 23)


def test_filters_from_the_url_and_back():
    state = filters.parse(
        QueryDict("days=30&journey_type=1&channel=2&touchpoint=3&segment=zakelijk&grain=month"),
        CHOICES,
        today=TODAY,
    )
    f = state.filters
    assert (f.since, f.until) == (date(2026, 10, 25), TODAY)
    assert (f.journey_type_id, f.channel_id, f.touchpoint_id, f.segment) == (1, 2, 3, "zakelijk")
    assert state.grain == "month" and state.filtered
    assert (
        filters.parse(QueryDict(state.query), CHOICES, today=TODAY) == state
    )  # the URL holds the whole state
    assert f.previous().until == date(2026, 10, 24) and f.previous().since == date(2026, 9, 25)


def test_wrong_filters_fall_back_instead_of_failing():
    state = filters.parse(
        QueryDict("days=12&journey_type=99&channel=x&grain=day&since=2026-13-01"),
        CHOICES,
        today=TODAY,
    )
    assert state.days == 90 and state.grain == "auto"
    assert state.filters.journey_type_id is None and state.filters.channel_id is None
    custom = filters.parse(QueryDict("since=2026-01-01&until=2026-03-31"), CHOICES, today=TODAY)
    assert (
        custom.custom
        and custom.filters.since == date(2026, 1, 1)
        and "since=2026-01-01" in custom.query
    )
    backwards = filters.parse(QueryDict("since=2026-03-01&until=2026-01-01"), CHOICES, today=TODAY)
    assert backwards.days == 90
    preset_wins = filters.parse(
        QueryDict("days=7&since=2026-01-01&until=2026-03-31"), CHOICES, today=TODAY
    )
    assert preset_wins.days == 7


# --- charts ----------------------------------------------------------------------------------------


def parse_svg(markup: str) -> ET.Element:
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    assert set(labelled) <= ids
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    return root


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_the_trend_chart_has_axes_a_legend_and_says_what_lies_outside_the_limits():
    limits = stats.Limits(10, -20, 40)
    points = [
        charts.TrendPoint("3 Nov", 12, 50, limits),
        charts.TrendPoint("10 Nov", None, 3, limits, hidden=True),
        charts.TrendPoint("17 Nov", 55, 60, limits),
    ]
    root = parse_svg(
        charts.trend_chart(points, title="NPS per week", x_label="Week starting", min_n=5)
    )
    words = " ".join(texts(root))
    for label in (
        "NPS (−100 … +100)",
        "Week starting",
        "control limits (±3σ)",
        "outside the limits",
        "hidden (n < 5)",
    ):
        assert label in words
    desc = root.find(f"{SVG}desc").text
    assert "17 Nov +55 (n = 60)" in desc and "10 Nov not shown (n = 3)" in desc
    assert "+55" in words  # the point outside the limits is labelled


def test_the_funnel_plot_labels_only_outliers_and_never_colour_alone():
    overall = stats.NpsCounts(50, 30, 20)
    points = [
        charts.FunnelPoint("Anouk", 40, 30),
        charts.FunnelPoint("Bram", 200, -20),
        charts.FunnelPoint("Cees", 150, 70),
    ]
    markup = charts.funnel_plot(points, overall, title="Employees", what="employees", min_n=5)
    root = parse_svg(markup)
    words = texts(root)
    assert "Bram" in words and "Cees" in words and "Anouk" not in words
    assert "Number of answers (n)" in words and "NPS" in words
    assert "Outside the 99.8% limits: Bram (below); Cees (above)" in root.find(f"{SVG}desc").text
    assert markup.count('<path d="M') >= 2  # triangles, not just coloured dots


def test_the_heatmap_prints_values_and_n_and_hides_what_must_be_hidden():
    cells = {
        (0, 0): show(stats.nps(promoters=30, passives=10, detractors=10)),
        (0, 1): show(stats.nps(promoters=3, passives=0, detractors=0)),
        (1, 0): show(stats.nps(promoters=2, passives=3, detractors=10)),
    }
    root = parse_svg(
        charts.heatmap(
            ["Telefoon", "Chat"],
            ["Schade", "Klacht"],
            cells,
            title="NPS",
            row_label="Channel",
            column_label="Journey type",
            metric_label="NPS",
        )
    )
    words = texts(root)
    assert "+40" in words and "n = 50" in words and "n = 3" in words and "+100" not in words
    assert "Channel" in words and "Journey type" in words


def test_text_is_escaped_in_charts():
    bar = charts.Bar(
        '<script>alert("x")</script>', show(stats.proportion(successes=5, n=10), "share")
    )
    markup = charts.bar_chart([bar], title="A & B", x_label="%")
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    parse_svg(markup)


def test_the_palette_is_okabe_ito_and_text_on_cells_is_readable():
    assert {charts.BLUE, charts.ORANGE, charts.VERMILLION, charts.GREEN} <= {
        "#0072B2",
        "#E69F00",
        "#D55E00",
        "#009E73",
        "#56B4E9",
        "#CC79A7",
        "#F0E442",
    }
    for value in (-100, -40, 0, 40, 100):
        fill = charts.diverging(value, 100)
        ink = "#ffffff" if charts._luminance(fill) < 0.25 else "#1a1a1a"
        light, dark = sorted((charts._luminance(fill), charts._luminance(ink)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, value


# --- exports ---------------------------------------------------------------------------------------


def sample() -> Table:
    return Table(
        "members",
        "Employees",
        [Column("Employee"), Column("NPS")],
        [
            [
                Link("Anouk", "/employees/1/"),
                show(stats.nps(promoters=20, passives=5, detractors=5)),
            ],
            [
                Link('=HYPERLINK("http://x")', ""),
                show(stats.nps(promoters=2, passives=0, detractors=1)),
            ],
        ],
    )


def test_csv_flattens_scores_and_leaves_hidden_ones_empty():
    rows = list(csv.reader(io.StringIO(exports.to_csv(sample()))))
    assert rows[0] == ["Employee", "NPS", "NPS n", "NPS 95% low", "NPS 95% high", "NPS note"]
    assert rows[1][:3] == ["Anouk", "50.0", "30"]
    assert (
        rows[2][0].startswith("'=")
        and rows[2][1] == ""
        and rows[2][2] == "3"
        and "hidden" in rows[2][5]
    )


def test_xlsx_has_the_same_cells_as_numbers_and_an_about_sheet():
    book = load_workbook(
        io.BytesIO(exports.to_xlsx(sample(), about=[("period", "2026-01-01 – 2026-03-31")]))
    )
    sheet = book["members"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == flat_header(sample())
    assert values[1][1] == 50.0 and values[1][2] == 30
    assert values[2][0].startswith("'=") and values[2][1] is None
    assert ["period", "2026-01-01 – 2026-03-31"] in [
        [c.value for c in row] for row in book["about"].iter_rows()
    ]
    assert flat_rows(sample())[0][0] == "Anouk"


def test_timestamps_are_aware_in_the_period_bounds():
    from cxloop.dashboards.queries import Filters

    start, end = Filters(
        date(2026, 3, 29), date(2026, 3, 29)
    ).bounds()  # the night the clocks go forward
    from datetime import UTC

    assert (
        start.tzinfo is not None
        and (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    )
    assert start == datetime(2026, 3, 29, tzinfo=AMSTERDAM)
