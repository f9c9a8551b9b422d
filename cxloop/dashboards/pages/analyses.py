"""The journey-side analyses of an organisation, a unit or a journey type: channel × journey type,
the impact of a contact, moments of truth and response times."""

from collections import defaultdict

from django.utils.translation import gettext as _

from cxloop import stats
from cxloop.dashboards import anonymity, charts, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.pages.base import Page
from cxloop.dashboards.queries import Scores, Slice
from cxloop.dashboards.tables import (
    Column,
    Figure,
    PValue,
    Table,
    show,
)
from cxloop.dashboards.visibility import breakdown_figure, guarded


def heatmap_section(
    page: Page,
    cells: dict[tuple[int, int], Scores],
    choices: queries.Choices,
    *,
    title: str,
    guards: dict[tuple[int, int], Scores] | None = None,
    people: bool = False,
) -> None:
    """Channel × journey type, NPS with n, as a heatmap and its table; `guards` holds the viewer's own
    part of cells that are totals beside it. Of a unit (`people`) no cell is shown: the grid would cut
    a team's answers into pieces beside its total (docs/anonymity.md)."""
    channel_names, journey_names = dict(choices.channels), dict(choices.journey_types)
    channels = sorted({key[0] for key in cells}, key=lambda pk: channel_names.get(pk, ""))
    journey_types = sorted({key[1] for key in cells}, key=lambda pk: journey_names.get(pk, ""))
    guards = guards or {}
    figures = {
        key: guarded([breakdown_figure(value.nps, people=people)], value, guards.get(key))[0]
        for key, value in cells.items()
    }
    grid = {
        (i, j): figures[(c, jt)]
        for i, c in enumerate(channels)
        for j, jt in enumerate(journey_types)
        if (c, jt) in figures
    }
    rows = [
        [channel_names.get(c, "?")]
        + [figures.get((c, jt), Figure("nps", None, 0)) for jt in journey_types]
        for c in channels
    ]
    page.add(
        Table(
            "channels",
            title,
            [Column(_("Channel"))] + [Column(journey_names.get(j, "?")) for j in journey_types],
            rows,
        )
    )
    if cells and not people:
        page.charts["heatmap"] = charts.heatmap(
            [channel_names.get(c, "?") for c in channels],
            [journey_names.get(j, "?") for j in journey_types],
            grid,
            title=title,
            row_label=_("Channel"),
            column_label=_("Journey type"),
            metric_label="NPS",
        )


def impact_table(
    key: str, title: str, impacts: list[queries.Impact], moment: str, *, people: bool = False
) -> Table:
    """With the contact against without it, per journey type; the difference only where both sides may
    be shown (never of a unit: the two sides split the team's answers beside its total)."""
    rows = []
    for impact in impacts:
        with_figure, without_figure = (
            breakdown_figure(_nps(impact.with_contact), people=people),
            breakdown_figure(_nps(impact.without_contact), people=people),
        )
        difference = impact.difference if with_figure.shown and without_figure.shown else None
        mark = ""
        if difference is not None and difference.significant():
            mark = (
                _("significantly higher with this contact")
                if difference.difference > 0
                else _("significantly lower with this contact")
            )
        rows.append(
            [
                impact.journey_type,
                impact.moment,
                with_figure,
                without_figure,
                round(difference.difference, 1) if difference else None,
                PValue(difference.p_value) if difference else None,
                mark,
            ]
        )
    return Table(
        key,
        title,
        [
            Column(_("Journey type")),
            Column(moment),
            Column(_("NPS with it")),
            Column(_("NPS without it")),
            Column(_("Difference"), numeric=True),
            Column("p", numeric=True),
            Column(_("Significant (p < 0.05)")),
        ],
        rows,
    )


def _nps(counts: stats.NpsCounts) -> stats.Score:
    return stats.nps(
        promoters=counts.promoters, passives=counts.passives, detractors=counts.detractors
    )


def moments_section(page: Page, moments: list[queries.Moment], *, people: bool = False) -> None:
    """Which touchpoints customers picked and how often; the NPS of those who picked one not of a unit."""
    rows, bars = [], []
    for moment in moments:
        share = (
            show(moment.share, "share")
            if anonymity.derived_shown(moment.picks_in_journey_type)
            else Figure("share", None, moment.picks_in_journey_type, hidden=True)
        )
        rows.append(
            [
                moment.journey_type,
                moment.touchpoint,
                share,
                breakdown_figure(_nps(moment.counts), people=people),
            ]
        )
        bars.append(charts.Bar(f"{moment.journey_type}: {moment.touchpoint}", share))
    page.add(
        Table(
            "moments",
            _("Moments of truth: the moment that mattered most"),
            [
                Column(_("Journey type")),
                Column(_("Touchpoint")),
                Column(_("Picked by (% of the journey type)")),
                Column(_("NPS of those who picked it")),
            ],
            rows,
        )
    )
    if bars:
        page.charts["moments"] = charts.bar_chart(
            bars,
            title=_("Which moment mattered most, per journey type"),
            x_label=_("% of customers of the journey type who picked this moment"),
        )


def times_section(page: Page, waits: list[queries.Wait]) -> None:
    rows, bars = [], []
    for wait in waits:
        figure = show(wait.share, "share") if wait.expectation else Figure("share", None, 0)
        expected = (
            str(wait.expectation.text)
            if wait.expectation
            else _("no expectation known for this channel")
        )
        rows.append([wait.channel, expected, wait.n, figure])
        if wait.expectation:
            bars.append(charts.Bar(wait.channel, figure))
    page.add(
        Table(
            "response_times",
            _("Response times against what customers expect"),
            [
                Column(_("Channel")),
                Column(_("Customers expect")),
                Column(_("Contacts with a known wait"), True),
                Column(_("Answered within expectation")),
            ],
            rows,
            note=_(
                "Expectations from seed 002 (SAMR): phone within 30 seconds; chat and face-to-face at once; "
                "social media, WhatsApp, website/app and Messenger the same working day; e-mail the same "
                "or the next working day."
            ),
        )
    )
    if bars:
        page.charts["response_times"] = charts.bar_chart(
            bars,
            title=_("Answered within what customers expect, per channel"),
            x_label=_("% of contacts answered within the expected time"),
        )


def analysis_page(
    *,
    slice: Slice,
    state: FilterState,
    choices: queries.Choices,
    own: Slice | None = None,
    people: bool = False,
) -> Page:
    """The journey-side analyses of one slice; each is one or two grouped queries. `own` is the viewer's
    own part when the slice is a partner's "totals" view (its heatmap cells are guarded). Of a unit
    (`people`) the scores per channel, contact and moment are withheld: shares and waits remain."""
    f = state.filters
    page = Page()
    cells = {
        (c.channel_id, c.journey_type_id): c.scores
        for c in queries.channel_by_journey(filters=f, slice=slice)
    }
    guards = None
    if own is not None:
        guards = defaultdict(Scores)
        guards.update(
            {
                (c.channel_id, c.journey_type_id): c.scores
                for c in queries.channel_by_journey(filters=f, slice=own)
            }
        )
        guards = {key: guards[key] for key in cells}
    heatmap_section(
        page,
        cells,
        choices,
        title=_("NPS per channel for each journey type"),
        guards=guards,
        people=people,
    )
    page.add(
        impact_table(
            "impact_touchpoints",
            _("Impact of a contact moment (touchpoint)"),
            queries.contact_impact(slice=slice, filters=f, by="touchpoint"),
            _("Touchpoint"),
            people=people,
        )
    )
    page.add(
        impact_table(
            "impact_channels",
            _("Impact of a contact through a channel"),
            queries.contact_impact(slice=slice, filters=f, by="channel"),
            _("Channel"),
            people=people,
        )
    )
    moments_section(page, queries.moments_of_truth(slice=slice, filters=f), people=people)
    times_section(page, queries.response_times(slice=slice, filters=f))
    return page
