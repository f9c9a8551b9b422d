"""The pages of people: an employee (or my own page), a unit and an organisation, with their
units, members, answers and follow-ups as the anonymity rule lets the reader see them."""

from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cxloop.dashboards import anonymity, charts, queries
from cxloop.dashboards.filters import FilterState
from cxloop.dashboards.pages.base import (
    Page,
    Rest,
    cards,
    cards_table,
    page_url,
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
    minus,
    rest_mark,
    show,
    with_marks,
)
from cxloop.dashboards.visibility import Key, Visibility, employee_key, org_key, unit_key


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
            [
                Link(row.unit.name, page_url("unit_dashboard", row.unit.pk, state), row.depth),
                *figures,
            ]
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
                        member.employee.name,
                        page_url("employee_dashboard", member.employee.pk, state),
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
