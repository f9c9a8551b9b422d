"""The chain's pages: every journey type a user may see across the chain, and one journey type
with each partner's part, as the data-sharing agreement allows."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from django.utils.translation import gettext as _

from cxloop import stats
from cxloop.dashboards import anonymity, charts, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.pages.analyses import heatmap_section
from cxloop.dashboards.pages.base import (
    Card,
    Page,
    cards,
    cards_table,
    page_url,
    score_figures,
    trend_points,
    trend_section,
)
from cxloop.dashboards.queries import Scores
from cxloop.dashboards.tables import (
    Column,
    Link,
    Table,
    anonymity_min,
    funnel_mark,
    with_marks,
)
from cxloop.dashboards.visibility import guarded

LEVEL_TEXT: dict[str, Callable[[], str]] = {
    queries.OWNER: lambda: _("journey owner: totals and every partner's part"),
    "all": lambda: _("every partner's part"),
    "totals": lambda: _("your part and the journey totals"),
    "own": lambda: _("only your own part"),
}


TOTALS = "totals"


def _own_part(view: queries.JourneyView, parts: dict[int, Scores]) -> Scores | None:
    """The viewer's own part, when what they see is a total beside it (the "totals" agreement)."""
    if view.level != TOTALS:
        return None
    return queries.total(s for org, s in parts.items() if org in view.own_organisation_ids)


def _visible_total(view: queries.JourneyView, parts: dict[int, Scores]) -> Scores:
    """What the user may add up: every organisation's part, or only their own."""
    return queries.total(
        s for org, s in parts.items() if view.sees_totals or org in view.own_organisation_ids
    )


def chain_page(
    *,
    views: list[queries.JourneyView],
    state: FilterState,
    choices: queries.Choices,
    organisations: dict[int, object],
) -> Page:
    """Every journey type the user may see: its total, its parts as the agreement allows, channel × journey."""
    f = state.filters
    ids = [v.journey_type.pk for v in views]
    parts: dict[int, dict[int, Scores]] = defaultdict(dict)
    for (jt, org), value in queries.journey_parts(journey_type_ids=ids, filters=f).items():
        parts[jt][org] = value
    page = Page()
    journey_rows, part_rows = [], []
    for view in views:
        jt = view.journey_type
        link = Link(jt.name, page_url("journey_dashboard", jt.pk, state))
        total = _visible_total(view, parts[jt.pk])
        journey_rows.append(
            [
                link,
                str(LEVEL_TEXT[view.level]()),
                *guarded(score_figures(total), total, _own_part(view, parts[jt.pk])),
            ]
        )
        for org_id, value in sorted(
            parts[jt.pk].items(), key=lambda item: _name(organisations, item[0])
        ):
            if view.visible_part(org_id):
                part_rows.append([jt.name, _name(organisations, org_id), *score_figures(value)])
    page.add(
        Table(
            "journeys",
            _("Journey types"),
            [
                Column(_("Journey type")),
                Column(_("What you see")),
                Column("NPS"),
                Column("CSAT"),
                Column("CES"),
            ],
            journey_rows,
        )
    )
    page.add(
        Table(
            "parts",
            _("Each organisation's part"),
            [
                Column(_("Journey type")),
                Column(_("Organisation")),
                Column("NPS"),
                Column("CSAT"),
                Column("CES"),
            ],
            part_rows,
        )
    )
    by_view = {v.journey_type.pk: v for v in views}
    cells: dict[tuple[int, int], Scores] = defaultdict(Scores)
    guards: dict[tuple[int, int], Scores] = {}
    for (jt, channel, org), value in queries.journey_channel_parts(
        journey_type_ids=ids, filters=f
    ).items():
        view = by_view[jt]
        if view.sees_totals or org in view.own_organisation_ids:
            cells[(channel, jt)] = cells[(channel, jt)] + value
        if view.level == TOTALS:
            mine = value if org in view.own_organisation_ids else Scores()
            guards[(channel, jt)] = guards.get((channel, jt), Scores()) + mine
    heatmap_section(
        page,
        dict(cells),
        choices,
        title=_("NPS per channel for each journey type, across the chain"),
        guards=guards,
    )
    return page


def _name(organisations: dict[int, object], pk: int) -> str:
    organisation = organisations.get(pk)
    return organisation.name if organisation else "?"


def journey_page(
    *, view: queries.JourneyView, state: FilterState, organisations: dict[int, object]
) -> Page:
    """One journey type: totals (or the own part), trend, each partner's part on a funnel plot, touchpoints."""
    f = state.filters
    slice = view.slice()
    parts = {
        org: s
        for (_jt, org), s in queries.journey_parts(
            journey_type_ids=[view.journey_type.pk], filters=f
        ).items()
    }
    current, previous = (
        queries.scores(slice=slice, filters=f),
        queries.scores(slice=slice, filters=f.previous()),
    )
    page = Page(cards=cards(current, previous))
    own_slice = view.own_slice() if view.level == TOTALS else None
    if own_slice is not None:
        own_previous = queries.scores(slice=own_slice, filters=f.previous())
        page.cards = _guard_cards(
            page.cards, current, _own_part(view, parts), previous, own_previous
        )
    page.add(cards_table(page.cards))
    points, grain = trend_points(f, state.grain, slice=slice)
    guard = None
    if own_slice is not None:
        guard = {p.start: p.scores for p in queries.trend(filters=f, slice=own_slice, grain=grain)}
    trend_section(
        page,
        points,
        own=False,
        grain=grain,
        subject=view.journey_type.name,
        guard=guard,
    )
    overall = stats.pooled(s.counts for s in parts.values())
    rows, points = [], []
    for org_id, value in sorted(parts.items(), key=lambda item: _name(organisations, item[0])):
        if not view.visible_part(org_id):
            continue
        figures = score_figures(value)
        mark = (
            funnel_mark(value.counts, overall, label=_("the chain's overall score"))
            if view.sees_parts
            else None
        )
        nps = with_marks(figures[0], mark)
        rows.append([_name(organisations, org_id), nps, *figures[1:]])
        if view.sees_parts and nps.shown:
            points.append(charts.FunnelPoint(_name(organisations, org_id), nps.n, nps.score))
    page.add(
        Table(
            "parts",
            _("Each organisation's part"),
            [Column(_("Organisation")), Column("NPS"), Column("CSAT"), Column("CES")],
            rows,
            note=_("Marked: outside the 99.8% funnel limits around the chain's overall score."),
        )
    )
    if len(points) > 1:
        page.charts["funnel"] = charts.funnel_plot(
            points,
            overall,
            title=_("Partners in %(journey)s: NPS against number of answers")
            % {"journey": view.journey_type.name},
            what=_("organisations"),
            min_n=anonymity_min(),
        )
    touchpoints = queries.scores_by(slice=slice, filters=f, fields=("touchpoint_id",))
    names = {pk: name for pk, name, _jt in _touchpoints_of(view)}
    page.add(
        Table(
            "touchpoints",
            _("Each touchpoint"),
            [Column(_("Touchpoint")), Column("NPS"), Column("CSAT"), Column("CES")],
            [
                [names.get(tp, _("(no touchpoint)")), *score_figures(value)]
                for (tp,), value in sorted(
                    touchpoints.items(), key=lambda item: names.get(item[0][0], "~")
                )
            ],
        )
    )
    return page


def _guard_cards(
    items: list[Card], current: Scores, own: Scores, previous: Scores, own_previous: Scores
) -> list[Card]:
    """Guard a totals page's cards; a change against a hidden previous period is not marked either."""
    now = guarded([c.figure for c in items], current, own)
    before = guarded([c.previous for c in items], previous, own_previous)
    result = []
    for card, figure, prior in zip(items, now, before, strict=True):
        if prior is not None and not anonymity.change_shown(previous_shown=not prior.hidden):
            figure = replace(
                figure, marks=tuple(m for m in figure.marks if m.against != "previous")
            )
        result.append(replace(card, figure=figure, previous=prior))
    return result


def _touchpoints_of(view: queries.JourneyView) -> list[tuple[int, str, str]]:
    return [(t.pk, t.name, "") for t in view.journey_type.touchpoints.all()]
