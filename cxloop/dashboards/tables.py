"""What a dashboard may show, as plain data: scores behind the anonymity minimum, greyed under the
precision floor, marked only where a difference is significant; and the tables that pages render
and exports write. Pure functions, no database.

Rules:
- the anonymity rule is cxloop/dashboards/anonymity.py (docs/anonymity.md): a score about someone
  else with 0 < n < CXLOOP_ANONYMITY_MIN is hidden, its n shown; an employee's own score is shown to
  themselves; which further figures of units and employees are hidden, so that no sum or difference
  gives a hidden one away, is decided there (`Figure.reason` says why one is hidden);
- n < CXLOOP_PRECISION_FLOOR (30) is shown greyed with its interval;
- only significant differences are marked, and only between two figures that are both shown: NPS
  against the previous period or against the rest of the parent by the z-test (p < 0.05), and
  funnel-plot outliers beyond the 99.8% limits.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from statistics import NormalDist

from django.conf import settings
from django.utils.translation import gettext as _

from cxloop import stats
from cxloop.dashboards import anonymity

# Why a figure is hidden (Figure.reason).
MINIMUM = "minimum"  # fewer answers than the minimum
REMAINDER = "remainder"  # enough answers, but showing it would give a smaller hidden group away
BREAKDOWN = "breakdown"  # a unit's or employee's score under filters or a period of one's own

ALPHA = 0.05
FUNNEL_ALPHA = 0.002  # 99.8% limits: Spiegelhalter's "alarm" line for many units compared at once
FUNNEL_Z = NormalDist().inv_cdf(1 - FUNNEL_ALPHA / 2)  # ≈ 3.09


def anonymity_min() -> int:
    return anonymity.minimum()


def precision_floor() -> int:
    return getattr(settings, "CXLOOP_PRECISION_FLOOR", 30)


@dataclass(frozen=True)
class Mark:
    """A significant difference: direction, against what, by how much, and its p-value."""

    direction: str  # "up" or "down"
    against: str  # "previous", "rest" or "funnel"
    difference: float | None = (
        None  # NPS points; None when it would reveal a score the viewer may not see
    )
    p_value: float | None = None
    label: str = ""  # what it was compared with, for people ("the rest of Klantenservice")


@dataclass(frozen=True)
class Figure:
    """One score as a person may see it."""

    metric: str  # "nps", "csat", "ces" or "share" (a percentage)
    score: float | None
    n: int
    low: float | None = None
    high: float | None = None
    hidden: bool = False
    imprecise: bool = False
    marks: tuple[Mark, ...] = ()
    reason: str = ""  # why it is hidden: MINIMUM, REMAINDER or BREAKDOWN

    @property
    def n_shown(self) -> bool:
        """Whether its n may be read (not for a breakdown that shows no figure of the person at all)."""
        return self.reason != BREAKDOWN

    @property
    def shown(self) -> bool:
        return not self.hidden and self.score is not None

    @property
    def empty(self) -> bool:
        return self.n == 0


def show(score: stats.Score, metric: str = "nps", *, own: bool = False) -> Figure:
    """A score behind the anonymity minimum (unless it is the viewer's own) and the precision floor."""
    if score.n == 0 or score.score is None:
        return Figure(metric, None, score.n)
    if anonymity.hides_score(score.n, own=own):
        return Figure(metric, None, score.n, hidden=True, reason=MINIMUM)
    return Figure(
        metric, score.score, score.n, score.low, score.high, imprecise=score.n < precision_floor()
    )


def hide(figure: Figure, reason: str = "") -> Figure:
    """The figure without its score (a figure of no answers has none to hide)."""
    if figure.hidden or not figure.n:
        return figure
    why = reason or (MINIMUM if anonymity.below_minimum(figure.n) else REMAINDER)
    return Figure(figure.metric, None, figure.n, hidden=True, reason=why)


def withheld(metric: str, n: int) -> Figure:
    """A unit's or employee's score under filters: not shown to others, not even its n."""
    return Figure(metric, None, n, hidden=True, reason=BREAKDOWN) if n else Figure(metric, None, 0)


def with_marks(figure: Figure, *marks: Mark | None) -> Figure:
    """The figure with the given marks added (None marks are skipped; hidden figures get none)."""
    kept = tuple(m for m in marks if m is not None)
    if not kept or not figure.shown:
        return figure
    return replace(figure, marks=figure.marks + kept)


def change_mark(
    current: stats.NpsCounts, previous: stats.NpsCounts, *, own: bool = False
) -> Mark | None:
    """NPS now against the previous period, marked only when the z-test says it is not noise."""
    if not anonymity.derived_shown(current.n, previous.n, own=own):
        return None
    difference = stats.nps_difference(current, previous)
    if difference is None or not difference.significant(ALPHA):
        return None
    return Mark(
        "up" if difference.difference > 0 else "down",
        "previous",
        difference.difference,
        difference.p_value,
    )


def rest_mark(
    part: stats.NpsCounts, rest: stats.NpsCounts, *, label: str, reveal: bool
) -> Mark | None:
    """A unit against the rest of its parent (the parent minus the unit: two independent samples)."""
    if not anonymity.derived_shown(part.n, rest.n):
        return None
    difference = stats.nps_difference(part, rest)
    if difference is None or not difference.significant(ALPHA):
        return None
    direction = "up" if difference.difference > 0 else "down"
    return Mark(
        direction, "rest", difference.difference if reveal else None, difference.p_value, label
    )


def minus(total: stats.NpsCounts, part: stats.NpsCounts) -> stats.NpsCounts:
    """What is left of a total without one part (never negative)."""
    return stats.NpsCounts(
        max(0, total.promoters - part.promoters),
        max(0, total.passives - part.passives),
        max(0, total.detractors - part.detractors),
    )


@dataclass(frozen=True)
class FunnelPosition:
    """Where one unit lies on the funnel plot: its z against the overall NPS and the limits at its n."""

    z: float
    p_value: float
    inner: stats.Limits  # 95%
    outer: stats.Limits  # 99.8%

    @property
    def outside(self) -> bool:
        return self.p_value < FUNNEL_ALPHA


def funnel_position(counts: stats.NpsCounts, overall: stats.NpsCounts) -> FunnelPosition | None:
    """Spiegelhalter (2005): the unit's NPS against overall ± z·sqrt(V/n_i)."""
    if counts.n == 0 or overall.n == 0:
        return None
    variance = stats.nps_variance(overall)
    if variance == 0:
        return None
    centre = (overall.promoters - overall.detractors) / overall.n
    value = (counts.promoters - counts.detractors) / counts.n
    z = (value - centre) / (variance / counts.n) ** 0.5
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    return FunnelPosition(
        z,
        p_value,
        stats.funnel_limits(overall=overall, n=counts.n),
        stats.funnel_limits(overall=overall, n=counts.n, z=FUNNEL_Z),
    )


def funnel_mark(counts: stats.NpsCounts, overall: stats.NpsCounts, *, label: str) -> Mark | None:
    position = funnel_position(counts, overall)
    if not anonymity.derived_shown(counts.n) or position is None or not position.outside:
        return None
    return Mark("up" if position.z > 0 else "down", "funnel", None, position.p_value, label)


# --- tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A cell's text, optionally a link (drill-down) and an indentation depth (trees)."""

    text: str
    url: str = ""
    depth: int = 0

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PValue:
    """A p-value: printed as "< 0.001" or to three decimals, exported as the number."""

    value: float

    def __str__(self) -> str:
        return format_p(self.value)


def format_p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class Table:
    """A table of a page: rendered in HTML, exported as CSV and XLSX, with the same cells."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""

    def figures(self) -> Iterable[Figure]:
        for row in self.rows:
            yield from (cell for cell in row if isinstance(cell, Figure))


def flat_header(table: Table) -> list[str]:
    """Column names for an export: a score column becomes value, n, interval and note."""
    header: list[str] = []
    for index, column in enumerate(table.columns):
        if any(isinstance(row[index], Figure) for row in table.rows if index < len(row)):
            header += [
                column.label,
                f"{column.label} n",
                f"{column.label} 95% low",
                f"{column.label} 95% high",
                f"{column.label} note",
            ]
        else:
            header.append(column.label)
    return header


def flat_rows(table: Table) -> list[list[object]]:
    """The rows for an export, in the same shape as flat_header."""
    figure_columns = {
        index
        for index in range(len(table.columns))
        if any(isinstance(row[index], Figure) for row in table.rows if index < len(row))
    }
    rows = []
    for row in table.rows:
        flat: list[object] = []
        for index, cell in enumerate(row):
            if index in figure_columns:
                flat += _flat_figure(cell if isinstance(cell, Figure) else None)
            else:
                flat.append(_plain(cell))
        rows.append(flat)
    return rows


def _flat_figure(figure: Figure | None) -> list[object]:
    if figure is None:
        return [None, None, None, None, ""]
    if not figure.shown:
        return [None, figure.n if figure.n_shown else None, None, None, figure_note(figure)]
    return [
        round(figure.score, 1),
        figure.n,
        _round(figure.low),
        _round(figure.high),
        figure_note(figure),
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _plain(cell: object) -> object:
    if isinstance(cell, Link):
        return cell.text
    if isinstance(cell, Mark):
        return mark_text(cell)
    if isinstance(cell, PValue):
        return cell.value
    if isinstance(cell, float):
        return round(cell, 1)
    return cell


def figure_note(figure: Figure) -> str:
    """Why a figure is missing or greyed, and its marks, in plain words (for exports)."""
    if figure.hidden and figure.reason == BREAKDOWN:
        return _("not shown for units and employees under these filters")
    if figure.hidden and figure.reason == REMAINDER:
        return _("hidden: it would give a smaller hidden group away")
    if figure.hidden:
        return _("hidden: fewer than %(min)s answers") % {"min": anonymity_min()}
    if figure.n == 0:
        return _("no answers")
    notes = (
        [_("imprecise: fewer than %(floor)s answers") % {"floor": precision_floor()}]
        if figure.imprecise
        else []
    )
    notes += [mark_text(mark) for mark in figure.marks]
    return "; ".join(notes)


def mark_text(mark: Mark) -> str:
    up = mark.direction == "up"
    if mark.against == "previous":
        text = (
            _("significantly higher than the previous period")
            if up
            else _("significantly lower than the previous period")
        )
    elif mark.against == "rest":
        label = mark.label or _("the rest of the parent")
        text = (
            _("significantly higher than %(label)s")
            if up
            else _("significantly lower than %(label)s")
        ) % {"label": label}
    else:
        text = (
            _("significantly higher than expected (outside the 99.8% funnel limits)")
            if up
            else _("significantly lower than expected (outside the 99.8% funnel limits)")
        )
    numbers = []
    if mark.difference is not None:
        numbers.append(_("%(points)+.0f points") % {"points": mark.difference})
    if mark.p_value is not None:
        numbers.append(
            f"p {format_p(mark.p_value)}"
            if mark.p_value < 0.001
            else f"p = {format_p(mark.p_value)}"
        )
    return text + (f" ({', '.join(numbers)})" if numbers else "")
