"""What every dashboard page is made of: the page itself, its headline cards and its trend.

A view resolves access and calls one of the `*_page` functions of the modules beside this one:
`people` (an employee, a unit, an organisation), `analyses` (channel × journey, contact impact,
moments of truth, response times) and `chain` (the chain and its journey types). They never decide
who may see what (the view's access helper did), only how much of it may be shown (tables.show and
friends, visibility.py).
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cxloop import stats
from cxloop.dashboards import anonymity, charts, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.queries import Scores
from cxloop.dashboards.tables import (
    Column,
    Figure,
    Mark,
    Table,
    anonymity_min,
    change_mark,
    precision_floor,
    rest_mark,
    show,
    with_marks,
)
from cxloop.dashboards.visibility import guarded


@dataclass(frozen=True)
class Card:
    """One headline score: the figure, the previous period's, and what it means."""

    title: str
    figure: Figure
    previous: Figure | None = None
    explain: str = ""


@dataclass
class Page:
    """Everything a dashboard template needs besides the request: cards, tables and charts by key."""

    cards: list[Card] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)
    charts: dict[str, SafeString] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def add(self, table: Table) -> Table:
        self.tables[table.key] = table
        return table


def page_url(name: str, arg: object, state: FilterState) -> str:
    return f"{reverse(name, args=[arg])}?{state.query}"


# --- headline cards --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rest:
    """The rest of a parent to compare a part with; `reveal` says whether the viewer may see its score."""

    scores: Scores
    label: str
    reveal: bool


def cards(
    current: Scores,
    previous: Scores,
    *,
    own: bool = False,
    rest: Rest | None = None,
    figures: tuple[list[Figure], list[Figure]] | None = None,
) -> list[Card]:
    """NPS (with its significant change and difference from the rest of the parent), CSAT and CES.
    `figures` are the current and previous figures as the reader may see them (a unit's or an
    employee's, from visibility.py); without them the organisation-level rule applies."""
    now, before = figures or (score_figures(current, own=own), score_figures(previous, own=own))
    marks: list[Mark | None] = []
    if anonymity.change_shown(previous_shown=before[0].shown, own=own):
        marks.append(change_mark(current.counts, previous.counts, own=own))
    if rest is not None:
        marks.append(
            rest_mark(current.counts, rest.scores.counts, label=rest.label, reveal=rest.reveal)
        )
    explain = (
        _("% promoters (9–10) minus % detractors (0–6)"),
        _("% satisfied (4–5 of 5)"),
        _("mean effort, 1 (little) to 7 (much): lower is better"),
    )
    return [
        Card("NPS", with_marks(now[0], *marks), before[0], explain[0]),
        Card("CSAT", now[1], before[1], explain[1]),
        Card("CES", now[2], before[2], explain[2]),
    ]


def cards_table(items: list[Card]) -> Table:
    return Table(
        "scores",
        _("Scores"),
        [Column(_("Measure")), Column(_("This period")), Column(_("Previous period"))],
        [[card.title, card.figure, card.previous] for card in items],
    )


# --- trends ----------------------------------------------------------------------------------


def _period_label(point: queries.TrendPoint, grain: str) -> str:
    return date_format(point.start, "M Y" if grain == "month" else "j M")


def trend_points(
    filters: queries.Filters, grain: str, **scope
) -> tuple[list[queries.TrendPoint], str]:
    """The trend in the grain asked for; "auto" takes weeks only when a typical week has enough
    answers to be precise, and months otherwise: an employee's three answers a week would otherwise
    swing between −100 and +100 from week to week."""
    if grain != "auto":
        return queries.trend(filters=filters, grain=grain, **scope), grain
    return queries.trend_by_answers(filters=filters, precise_n=precision_floor(), **scope)


def trend_section(
    page: Page,
    points: list[queries.TrendPoint],
    *,
    own: bool,
    grain: str,
    subject: str,
    guard: dict | None = None,
) -> None:
    """The trend chart with control limits and its table (hidden periods show only n). `guard` holds the
    viewer's own part per period when the trend is of totals beside it (see `guarded`)."""
    pooled = stats.pooled(p.scores.counts for p in points)
    show_limits = anonymity.derived_shown(pooled.n, own=own)
    chart_points, rows = [], []
    for point in points:
        figure = show(point.scores.nps, own=own)
        if guard is not None:
            figure = guarded(
                [figure],
                Scores(counts=point.scores.counts),
                Scores(counts=guard.get(point.start, Scores()).counts),
            )[0]
        limits = point.limits if show_limits else None
        label = _period_label(point, grain)
        chart_points.append(
            charts.TrendPoint(
                label,
                figure.score if figure.shown else None,
                figure.n,
                limits,
                figure.hidden,
                low=figure.low if figure.shown else None,
                high=figure.high if figure.shown else None,
                imprecise=figure.shown and figure.imprecise,
            )
        )
        outside = limits is not None and figure.shown and limits.outside(figure.score)
        rows.append(
            [
                point.start.isoformat(),
                figure,
                round(limits.low, 1) if limits else None,
                round(limits.high, 1) if limits else None,
                _("yes") if outside else "",
            ]
        )
    x_label = _("Month") if grain == "month" else _("Week starting")
    page.charts["trend"] = charts.trend_chart(
        chart_points,
        title=_("NPS of %(subject)s per %(grain)s, with control limits")
        % {"subject": subject, "grain": _("month") if grain == "month" else _("week")},
        x_label=x_label,
        min_n=anonymity_min(),
    )
    page.add(
        Table(
            "trend",
            _("Trend"),
            [
                Column(_("Period starting")),
                Column("NPS"),
                Column(_("Lower control limit")),
                Column(_("Upper control limit")),
                Column(_("Outside the limits")),
            ],
            rows,
        )
    )


# --- figures ---------------------------------------------------------------------------------


def score_figures(scores: Scores, *, own: bool = False) -> list[Figure]:
    return [
        show(scores.nps, own=own),
        show(scores.csat, "csat", own=own),
        show(scores.ces, "ces", own=own),
    ]
