"""What each dashboard shows, assembled from the reads in queries.py into cards, tables and charts.

A view resolves access and calls one of the `*_page` functions here; they never decide who may see
what (the view's access helper did), only how much of it may be shown (tables.show and friends).
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cxloop import stats
from cxloop.dashboards import anonymity, charts, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.queries import Scores, Slice
from cxloop.dashboards.tables import (
    Column,
    Figure,
    Link,
    Mark,
    PValue,
    Table,
    anonymity_min,
    change_mark,
    funnel_mark,
    hide,
    minus,
    precision_floor,
    rest_mark,
    show,
    with_marks,
    withheld,
)
from cxloop.dashboards.visibility import Key, Visibility, employee_key, org_key, unit_key


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


def _url(name: str, arg: object, state: FilterState) -> str:
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
    now, before = figures or (_figures(current, own=own), _figures(previous, own=own))
    marks: list[Mark | None] = []
    if before[0].shown or own:  # a change against a hidden period would give it away
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
    show_limits = own or pooled.n >= anonymity_min()
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


# --- units and members -----------------------------------------------------------------------


def _figures(scores: Scores, *, own: bool = False) -> list[Figure]:
    return [
        show(scores.nps, own=own),
        show(scores.csat, "csat", own=own),
        show(scores.ces, "ces", own=own),
    ]


def _ns(scores: Scores) -> tuple[int, int, int]:
    return scores.n, scores.csat_n, scores.ces_n


def guarded(figures: list[Figure], total: Scores, own: Scores | None) -> list[Figure]:
    """Totals shown beside the viewer's own part (a partner's "totals" agreement): hidden where the rest,
    total minus own, has 0 < n < minimum, or one subtraction would give another partner's score away."""
    if own is None:
        return figures
    return [
        hide(figure) if 0 < t - o < anonymity_min() else figure
        # NPS, CSAT, CES in that order; a list of just the NPS guards just that.
        for figure, t, o in zip(figures, _ns(total), _ns(own), strict=False)
    ]


def units_table(
    rows: list[queries.UnitRow],
    *,
    state: FilterState,
    vis: Visibility,
    top: Scores,
    top_key: Key,
    top_label: str,
    top_parent_id: int | None,
) -> Table:
    """Units rolled up over the tree, as the anonymity rule lets the reader see them; each NPS marked
    only where it differs significantly from the rest of its parent (the parent without the unit),
    and only where the unit and its parent are both shown."""
    by_id = {row.unit.pk: row for row in rows}
    table_rows = []
    for row in rows:
        key = unit_key(row.unit)
        figures = vis.figures(key, row.scores)
        parent_id = row.unit.parent_id if row.unit.parent_id in by_id else top_parent_id
        parent = by_id.get(parent_id)
        parent_scores, label, parent_key = (
            (parent.scores, parent.unit.name, unit_key(parent.unit))
            if parent
            else (top, top_label, top_key)
        )
        if vis.shown(parent_key):
            mark = rest_mark(
                row.scores.counts,
                minus(parent_scores.counts, row.scores.counts),
                label=_("the rest of %(name)s") % {"name": label},
                reveal=True,
            )
            figures[0] = with_marks(figures[0], mark)
        table_rows.append(
            [Link(row.unit.name, _url("unit_dashboard", row.unit.pk, state), row.depth), *figures]
        )
    return Table(
        "units",
        _("Units, rolled up over the hierarchy"),
        [Column(_("Unit")), Column("NPS"), Column("CSAT"), Column("CES")],
        table_rows,
        note=_(
            "Each unit is compared with the rest of its parent: the parent's answers without this unit's. "
            "Only significant differences (z-test, p < 0.05) are marked."
        ),
    )


def members_section(
    page: Page,
    members: Sequence[queries.EmployeeRow],
    *,
    state: FilterState,
    vis: Visibility,
    subject: str,
    overall: Scores,
    table_key: str = "members",
    list_all: bool = True,
) -> None:
    """Each employee's scores (sorted by name, never ranked) and the funnel plot that compares them
    with the subject's overall score (its card: no total of its own that a reader could subtract)."""
    label = _("the overall score of %(subject)s") % {"subject": subject}
    rows, points = [], []
    for member in members:
        figures = vis.figures(employee_key(member.employee), member.scores or Scores())
        nps = with_marks(
            figures[0],
            funnel_mark(member.scores.counts, overall.counts, label=label)
            if figures[0].shown
            else None,
        )
        if nps.shown:
            points.append(charts.FunnelPoint(member.employee.name, nps.n, nps.score))
        if list_all or nps.marks:
            rows.append(
                [
                    Link(
                        member.employee.name, _url("employee_dashboard", member.employee.pk, state)
                    ),
                    member.employee.unit.name,
                    nps,
                    *figures[1:],
                ]
            )
    page.add(
        Table(
            table_key,
            _("Employees"),
            [
                Column(_("Employee")),
                Column(_("Unit")),
                Column("NPS"),
                Column("CSAT"),
                Column("CES"),
            ],
            rows,
            note=_(
                "In alphabetical order, not a ranking. Marked: outside the 99.8% funnel limits."
            ),
        )
    )
    if points and vis.preset is not None:
        page.charts["funnel"] = charts.funnel_plot(
            points,
            overall.counts,
            title=_("Employees of %(subject)s: NPS against number of answers")
            % {"subject": subject},
            what=_("employees"),
            min_n=anonymity_min(),
        )


# --- verbatims, compliments, cases -----------------------------------------------------------


def verbatims_table(key: str, title: str, items: list[queries.Verbatim], *, view: str) -> Table:
    """Answers as the anonymity rule lets the reader see them: with their scores (their own) or as
    text only, without score and without the employee (anonymity.verbatim_view)."""
    scored = view == anonymity.SCORED
    columns = [Column(_("Date"))]
    if scored:
        columns.append(Column("NPS", numeric=True))
    columns += [
        Column(_("What the customer wrote")),
        Column(_("Channel")),
        Column(_("Journey type")),
    ]
    rows = []
    for v in items if view != anonymity.NOTHING else []:
        row: list[object] = [timezone.localdate(v.submitted_at)]  # shown as "3 dec 2026"
        if scored:
            row.append(v.nps)
        rows.append(row + [v.comment, v.channel, v.journey_type])
    note = (
        ""
        if scored
        else _(
            "Without scores and without names: one answer is a group of one (docs/anonymity.md)."
        )
    )
    return Table(key, title, columns, rows, note=note)


def cases_table(cases: list) -> Table:
    rows = [
        [
            Link(f"#{case.pk}", reverse("case_detail", args=[case.pk])),
            case.reason,
            case.get_status_display(),
            timezone.localdate(case.due_at),
            case.response.journey_type.name if case.response.journey_type else "",
        ]
        for case in cases
    ]
    return Table(
        "cases",
        _("My open follow-ups"),
        [
            Column(_("Case")),
            Column(_("Reason")),
            Column(_("Status")),
            Column(_("Due")),
            Column(_("Journey type")),
        ],
        rows,
    )


def followups_table(items: list[queries.FollowUp]) -> Table:
    """How the low scores about an employee's contacts were followed up, for that employee only."""
    rows = []
    for item in items:
        if item.closed_reason == "unreachable":
            done = _("The customer could not be reached.")
        elif item.action_taken:
            done = (
                f"{item.root_cause}: {item.action_taken}" if item.root_cause else item.action_taken
            )
        else:
            done = ""
        rows.append(
            [
                item.submitted_at.date().isoformat(),
                item.nps,
                item.status,
                done,
                item.informed_at.date().isoformat() if item.informed_at else "",
            ]
        )
    return Table(
        "followups",
        _("How low scores about you were followed up"),
        [
            Column(_("Date")),
            Column("NPS", numeric=True),
            Column(_("Status")),
            Column(_("What was done about it")),
            Column(_("Customer informed")),
        ],
        rows,
        note=_(
            "Your own answers' follow-up: what your team did with each low score. Who the customer "
            "is and the notes of the case stay with whoever handles it."
        ),
    )


# --- the pages -------------------------------------------------------------------------------


def employee_page(
    *, employee, state: FilterState, own: bool, with_cases: bool, vis: Visibility
) -> Page:
    """One employee: scores with n and interval against the previous period and the team's total; to
    the employee themself also their trend, compliments, answers and open follow-ups (others see an
    employee per period only, docs/anonymity.md)."""
    f = state.filters
    key = employee_key(employee)
    team, current = queries.team_and_own(employee=employee, filters=f)
    previous = queries.scores_for_employee(employee=employee, filters=f.previous())
    figures = (vis.figures(key, current), vis.figures(key, previous, previous=True))
    page = Page(cards=cards(current, previous, own=own, figures=figures))
    page.add(cards_table(page.cards))
    # The team's total as the rule lets this reader see it: for the employee, the rule counts their
    # own answers as known, so "team minus me" never leaves one colleague's score.
    page.extra["team"] = vis.figure(("unit", employee.unit_id), team.nps)
    if own:
        points, grain = trend_points(f, state.grain, employee=employee)
        trend_section(page, points, own=True, grain=grain, subject=employee.name)
        page.add(
            verbatims_table(
                "compliments",
                _("Compliments"),
                queries.compliments_for_employee(employee=employee, filters=f),
                view=anonymity.SCORED,
            )
        )
        page.add(
            verbatims_table(
                "verbatims",
                _("What customers wrote"),
                queries.verbatims_for_employee(employee=employee, filters=f),
                view=anonymity.SCORED,
            )
        )
        # Only to the employee themself: their own answers, with scores (anonymity rule 4).
        page.add(followups_table(queries.followups_about_employee(employee=employee, filters=f)))
    if with_cases:
        page.add(cases_table(queries.open_cases_for_employee(employee=employee)))
    return page


def unit_page(*, unit, state: FilterState, sees_parent: bool, vis: Visibility) -> Page:
    """A unit: its scores against the previous period and the rest of its parent, its subunits and
    members as the anonymity rule lets the reader see them, and its answers as text."""
    f = state.filters
    key = unit_key(unit)
    current = queries.scores_for_unit(unit=unit, filters=f)
    previous = queries.scores_for_unit(unit=unit, filters=f.previous())
    above = queries.scores_above_unit(unit=unit, filters=f)
    parent_name = unit.parent.name if unit.parent_id else unit.organisation.name
    parent_key = ("unit", unit.parent_id) if unit.parent_id else ("org", unit.organisation_id)
    # The rest is the parent minus this unit: shown only where both are, so it adds nothing to them.
    reveal = sees_parent and vis.shown(parent_key) and vis.shown(key)
    rest = Rest(above.minus(current), _("the rest of %(name)s") % {"name": parent_name}, reveal)
    figures = (vis.figures(key, current), vis.figures(key, previous, previous=True))
    page = Page(cards=cards(current, previous, rest=rest, figures=figures))
    page.add(cards_table(page.cards))
    page.extra["rest"] = show(rest.scores.nps) if reveal else None
    page.extra["parent_name"] = parent_name
    tree = queries.unit_tree(organisation=unit.organisation, root=unit, filters=f)
    if len(tree) > 1:
        page.add(
            units_table(
                tree[1:],
                state=state,
                vis=vis,
                top=current,
                top_key=key,
                top_label=unit.name,
                top_parent_id=unit.pk,
            )
        )
    members_section(
        page,
        queries.members_of_unit(unit=unit, filters=f),
        state=state,
        vis=vis,
        subject=unit.name,
        overall=current,
    )
    view = vis.answers(key)
    if view != anonymity.NOTHING:
        page.add(
            verbatims_table(
                "verbatims",
                _("What customers wrote"),
                queries.verbatims_for_unit(unit=unit, filters=f),
                view=view,
            )
        )
    return page


def organisation_page(*, organisation, state: FilterState, vis: Visibility) -> Page:
    """An organisation: its scores, trend, every unit rolled up, and its employees on a funnel plot."""
    f = state.filters
    current = queries.scores_for_organisation(organisation=organisation, filters=f)
    page = Page(
        cards=cards(
            current,
            queries.scores_for_organisation(organisation=organisation, filters=f.previous()),
        )
    )
    page.add(cards_table(page.cards))
    points, grain = trend_points(f, state.grain, organisation=organisation)
    trend_section(page, points, own=False, grain=grain, subject=organisation.name)
    tree = queries.unit_tree(organisation=organisation, filters=f)
    page.extra["tree"] = tree
    page.add(
        units_table(
            tree,
            state=state,
            vis=vis,
            top=current,
            top_key=org_key(organisation),
            top_label=organisation.name,
            top_parent_id=None,
        )
    )
    members_section(
        page,
        queries.members_of_organisation(organisation=organisation, filters=f),
        state=state,
        vis=vis,
        subject=organisation.name,
        overall=current,
        table_key="outliers",
        list_all=False,
    )
    page.tables["outliers"].title = _("Employees outside the funnel limits")
    return page


# --- analyses: channel × journey, contact impact, moments of truth, response times -------------


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
        key: withheld("nps", value.n)
        if people
        else guarded([show(value.nps)], value, guards[key])[0]
        if key in guards
        else show(value.nps)
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
            _people_or_shown(_nps(impact.with_contact), people),
            _people_or_shown(_nps(impact.without_contact), people),
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


def _people_or_shown(score: stats.Score, people: bool) -> Figure:
    return withheld("nps", score.n) if people else show(score)


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
            if moment.picks_in_journey_type >= anonymity_min()
            else Figure("share", None, moment.picks_in_journey_type, hidden=True)
        )
        rows.append(
            [
                moment.journey_type,
                moment.touchpoint,
                share,
                _people_or_shown(_nps(moment.counts), people),
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


# --- the chain -------------------------------------------------------------------------------

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
        link = Link(jt.name, _url("journey_dashboard", jt.pk, state))
        total = _visible_total(view, parts[jt.pk])
        journey_rows.append(
            [
                link,
                str(LEVEL_TEXT[view.level]()),
                *guarded(_figures(total), total, _own_part(view, parts[jt.pk])),
            ]
        )
        for org_id, value in sorted(
            parts[jt.pk].items(), key=lambda item: _name(organisations, item[0])
        ):
            if view.visible_part(org_id):
                part_rows.append([jt.name, _name(organisations, org_id), *_figures(value)])
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
        figures = _figures(value)
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
                [names.get(tp, _("(no touchpoint)")), *_figures(value)]
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
        if prior is not None and prior.hidden:
            figure = replace(
                figure, marks=tuple(m for m in figure.marks if m.against != "previous")
            )
        result.append(replace(card, figure=figure, previous=prior))
    return result


def _touchpoints_of(view: queries.JourneyView) -> list[tuple[int, str, str]]:
    return [(t.pk, t.name, "") for t in view.journey_type.touchpoints.all()]
