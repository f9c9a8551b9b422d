"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable without colour.

Every chart has a <title> and a <desc> (its text alternative, read by screen readers), axis labels
and a legend. Colours come from the Okabe–Ito palette (safe for the common colour-vision
deficiencies) and the heatmap uses ColorBrewer's PuOr; meaning never rests on colour alone
(shapes, dashes and printed values carry it too). Pure functions: data in, markup out.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, floor

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxloop import stats
from cxloop.dashboards.tables import FUNNEL_Z, Figure

BLUE, SKY, ORANGE, VERMILLION, GREEN, PURPLE, GREY, INK = (
    "#0072B2",
    "#56B4E9",
    "#E69F00",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#767676",
    "#1a1a1a",
)
PUOR = ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788")
FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif"'


def _id(*parts: object) -> str:
    return "c" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:10]


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    ident = _id(title, desc)
    return mark_safe(
        # width 100% and no max-width: the chart fills its card; the viewBox keeps its proportions.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" class="chart" {FONT} '
        f'font-size="12"><title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}" {extra}>{escape(text)}</text>'
    )


def signed(value: float | None) -> str:
    if value is None:
        return "–"
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else (f"−{-rounded}" if rounded < 0 else "0")


def _nice_domain(
    values: Sequence[float], *, lowest: float, highest: float, step: float
) -> tuple[float, float]:
    if not values:
        return lowest, highest
    # A step of room when a value sits within 10% of a step from the edge, so that no mark is cut in half.
    low = max(lowest, floor((min(values) - step / 10) / step) * step)
    high = min(highest, ceil((max(values) + step / 10) / step) * step)
    if high - low < 2 * step:
        low, high = max(lowest, low - step), min(highest, high + step)
    return low, high


class Scale:
    """A linear map from a data domain to pixels."""

    def __init__(self, domain: tuple[float, float], pixels: tuple[float, float]) -> None:
        self.d0, self.d1 = domain
        self.p0, self.p1 = pixels

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.p0 + self.p1) / 2
        return self.p0 + (value - self.d0) * (self.p1 - self.p0) / (self.d1 - self.d0)


# Charts are drawn this wide: about the width of a card on a laptop, so text stays near 12 px.
WIDTH = 960
LEGEND_ROW = 18


def text_width(text: str, size: int = 12) -> float:
    """A generous estimate of a label's width in system-ui (about 0.58 em per character)."""
    return 0.58 * size * len(text)


def legend(
    items: list[tuple[str, str]], x: float, y: float, right_edge: float
) -> tuple[list[str], float]:
    """Legend entries (swatch markup at 0,0 … 18,0, label) in rows that wrap before `right_edge`, so
    that no entry is cut off; returns the markup and the height the rows take."""
    body, offset, row = [], x, 0
    for swatch, label in items:
        entry = 24 + text_width(label) + 16
        if offset > x and offset + entry > right_edge:
            offset, row = x, row + 1
        top = y + row * LEGEND_ROW
        body.append(f'<g transform="translate({offset:.1f},{top:.1f})">{swatch}</g>')
        body.append(_text(offset + 24, top + 4, label))
        offset += entry
    return body, (row + 1) * LEGEND_ROW


def _line_swatch(colour: str, dash: str = "", width: float = 2) -> str:
    dashing = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="0" y1="0" x2="18" y2="0" stroke="{colour}" stroke-width="{width}"{dashing}/>'


def _y_axis(
    scale: Scale,
    ticks: list[float],
    left: float,
    right: float,
    label: str,
    top: float,
    bottom: float,
    fmt=signed,
) -> list[str]:
    body = []
    for tick in ticks:
        y = scale(tick)
        colour = "#9a9a9a" if tick == 0 else "#e3e3e3"
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{colour}"/>')
        body.append(_text(left - 6, y + 4, fmt(tick), anchor="end"))
    middle = (top + bottom) / 2
    body.append(
        _text(14, middle, label, anchor="middle", extra=f'transform="rotate(-90 14 {middle:.1f})"')
    )
    return body


def _ticks(low: float, high: float, step: float) -> list[float]:
    count = int(round((high - low) / step))
    return [low + i * step for i in range(count + 1)]


# --- trend with control limits ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One period of a trend as shown: its NPS (None when hidden or empty), n, control limits and
    its 95% interval (drawn on every point, so that a swing on few answers reads as the noise it is)."""

    label: str
    value: float | None
    n: int
    limits: stats.Limits | None
    hidden: bool = False
    low: float | None = None
    high: float | None = None
    imprecise: bool = False  # fewer answers than the precision floor: drawn hollow

    @property
    def outside(self) -> bool:
        return (
            self.value is not None and self.limits is not None and self.limits.outside(self.value)
        )


def trend_chart(
    points: Sequence[TrendPoint], *, title: str, x_label: str, min_n: int
) -> SafeString:
    """NPS per period with its centre line and ±3σ control limits (a Shewhart chart for a mean score)."""
    width, height, left, right, bottom = WIDTH, 360, 64, 16, 62
    shown = [p for p in points if p.value is not None]
    legend_body, legend_height = legend(_trend_legend(points, min_n), left, 18, width - right)
    top = 18 + legend_height + 12
    limit_values = [v for p in points if p.limits for v in (p.limits.low, p.limits.high)]
    interval_values = [v for p in shown for v in (p.low, p.high) if v is not None]
    low, high = _nice_domain(
        [p.value for p in shown] + limit_values + interval_values,
        lowest=-100,
        highest=100,
        step=20,
    )
    y = Scale((low, high), (height - bottom, top))
    plot_width = width - left - right
    step = plot_width / max(1, len(points))
    x = [left + step * (i + 0.5) for i in range(len(points))]
    body = _y_axis(
        y, _ticks(low, high, 20), left, width - right, _("NPS (−100 … +100)"), top, height - bottom
    )
    body += _limit_steps(points, x, step, y)
    body += _intervals(points, x, y)
    body += _trend_line(points, x, y)
    # Leave every label the room of the widest, so that period labels never print over each other.
    widest = max([text_width(p.label, 11) for p in points] + [1])
    every = max(1, ceil((widest + 8) / step))
    for i, point in enumerate(points):
        if i % every == 0:
            body.append(_text(x[i], height - bottom + 16, point.label, anchor="middle", size=11))
        if point.hidden:
            body.append(
                f"<g><title>{escape(point.label)}: {escape(_('hidden'))}, n = {point.n}</title>"
                f'<path d="M{x[i] - 4:.1f},{height - bottom - 10:.1f} l8,8 m0,-8 l-8,8" stroke="{GREY}" '
                f'stroke-width="2"/></g>'
            )
    body.append(_text(left + plot_width / 2, height - 14, x_label, anchor="middle"))
    body += legend_body
    return _svg(width, height, title, _trend_desc(points, x_label), body)


def _trend_legend(points: Sequence[TrendPoint], min_n: int) -> list[tuple[str, str]]:
    """The legend holds only the marks the chart draws."""
    items = [(_line_swatch(BLUE, width=2.5), "NPS")]
    if any(p.low is not None for p in points):
        items.append((_line_swatch(GREY, width=3), _("95% interval")))
    if any(p.imprecise and p.value is not None for p in points):
        items.append(
            (
                f'<circle cx="9" cy="0" r="4" fill="#fff" stroke="{BLUE}" stroke-width="2"/>',
                _("fewer than 30 answers"),
            )
        )
    if any(p.limits for p in points):
        items.append((_line_swatch(INK, "2 3", 1.5), _("centre line (average)")))
        items.append((_line_swatch(ORANGE, "6 4"), _("control limits (±3σ)")))
    if any(p.outside for p in points):
        items.append(
            (f'<path d="M9,-6 l6,6 l-6,6 l-6,-6 z" fill="{VERMILLION}"/>', _("outside the limits"))
        )
    if any(p.hidden for p in points):
        items.append(
            (
                f'<path d="M5,-4 l8,8 m0,-8 l-8,8" stroke="{GREY}" stroke-width="2"/>',
                _("hidden (n < %(min)s)") % {"min": min_n},
            )
        )
    return items


def _intervals(points: Sequence[TrendPoint], x: list[float], y: Scale) -> list[str]:
    body = []
    for i, point in enumerate(points):
        if point.value is None or point.low is None or point.high is None:
            continue
        body.append(
            f'<line x1="{x[i]:.1f}" y1="{y(point.low):.1f}" x2="{x[i]:.1f}" y2="{y(point.high):.1f}" '
            f'stroke="{GREY}" stroke-width="3" stroke-opacity="0.55"/>'
        )
    return body


def _limit_steps(points: Sequence[TrendPoint], x: list[float], step: float, y: Scale) -> list[str]:
    body = []
    for i, point in enumerate(points):
        if point.limits is None:
            continue
        x0, x1 = x[i] - step / 2, x[i] + step / 2
        for value, colour, dash in (
            (point.limits.low, ORANGE, "6 4"),
            (point.limits.high, ORANGE, "6 4"),
            (point.limits.centre, INK, "2 3"),
        ):
            body.append(
                f'<line x1="{x0:.1f}" y1="{y(value):.1f}" x2="{x1:.1f}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
            )
    return body


def _trend_line(points: Sequence[TrendPoint], x: list[float], y: Scale) -> list[str]:
    body, run = [], []
    for i, point in enumerate(
        points + [TrendPoint("", None, 0, None)]
    ):  # a sentinel ends the last run
        if point.value is not None:
            run.append(f"{x[i]:.1f},{y(point.value):.1f}")
            continue
        if len(run) > 1:
            body.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>'
            )
        run = []
    for i, point in enumerate(points):
        if point.value is None:
            continue
        px, py = x[i], y(point.value)
        tip = f"<title>{escape(point.label)}: NPS {signed(point.value)}, n = {point.n}</title>"
        if point.outside:
            body.append(
                f'<g>{tip}<path d="M{px:.1f},{py - 7:.1f} l7,7 l-7,7 l-7,-7 z" fill="{VERMILLION}"/></g>'
            )
            body.append(_text(px, py - 11, signed(point.value), anchor="middle", weight="bold"))
        else:
            fill = "#fff" if point.imprecise else BLUE
            body.append(
                f'<g>{tip}<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{fill}" stroke="{BLUE}" '
                f'stroke-width="2"/></g>'
            )
    return body


def _trend_desc(points: Sequence[TrendPoint], x_label: str) -> str:
    shown = [p for p in points if p.value is not None]
    if not shown:
        return _("No scores to show in this period.")
    centre = next((p.limits.centre for p in points if p.limits), None)
    outside = [p for p in shown if p.outside]
    parts = [
        _("NPS per period (%(grain)s) from %(first)s to %(last)s.")
        % {"grain": x_label.lower(), "first": points[0].label, "last": points[-1].label},
        _("Average %(centre)s.") % {"centre": signed(centre)} if centre is not None else "",
    ]
    if outside:
        parts.append(
            _("Periods outside the control limits: %(list)s.") % {"list": _listing(outside)}
        )
    else:
        parts.append(_("Every period lies within the control limits: the ups and downs are noise."))
    values = "; ".join(
        f"{p.label} {signed(p.value)} (n = {p.n})"
        if p.value is not None
        else _("%(label)s not shown (n = %(n)s)") % {"label": p.label, "n": p.n}
        for p in points
    )
    parts.append(_("Values: %(list)s.") % {"list": values})
    return " ".join(part for part in parts if part)


def _listing(points: Sequence["TrendPoint | FunnelPoint"]) -> str:
    return "; ".join(f"{p.label} {signed(p.value)} (n = {p.n})" for p in points)


# --- funnel plot -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    n: int
    value: float  # NPS


def funnel_plot(
    points: Sequence[FunnelPoint], overall: stats.NpsCounts, *, title: str, what: str, min_n: int
) -> SafeString:
    """Spiegelhalter's funnel plot: each unit's NPS against its n, with 95% and 99.8% limits around the
    overall NPS. Points inside the funnel do not differ from the overall score by more than chance."""
    width, height, left, right, bottom = WIDTH, 400, 64, 24, 56
    centre = 100 * (overall.promoters - overall.detractors) / overall.n if overall.n else 0.0
    legend_body, legend_height = legend(_funnel_legend(centre), left, 18, width - right)
    top = 18 + legend_height + 12
    max_n = max([p.n for p in points] + [min_n * 4, 10])
    # The axis ends on a round tick, so that its last label sits at the end and is never cut off.
    x_step = _nice_step(max_n * 1.08)
    x_end = ceil(max_n * 1.08 / x_step) * x_step
    x = Scale((0, x_end), (left, width - right))
    ns = sorted({max(min_n, 2)} | {int(x_end * i / 60) for i in range(1, 61)} - {0, 1})
    ns = [n for n in ns if n >= max(min_n, 2)]
    curves = (
        {
            z: [stats.funnel_limits(overall=overall, n=n, z=z) for n in ns]
            for z in (stats.Z95, FUNNEL_Z)
        }
        if overall.n and stats.nps_variance(overall) > 0
        else {}
    )
    values = (
        [p.value for p in points]
        + [centre]
        + [
            v
            for limits in curves.values()
            for lim in limits[len(limits) // 6 :]
            for v in (lim.low, lim.high)
        ]
    )
    low, high = _nice_domain(values, lowest=-100, highest=100, step=20)
    y = Scale((low, high), (height - bottom, top))
    body = _y_axis(y, _ticks(low, high, 20), left, width - right, "NPS", top, height - bottom)
    for tick in _ticks(0, x_end, x_step):
        body.append(_text(x(tick), height - bottom + 16, f"{tick:.0f}", anchor="middle", size=11))
    body.append(
        _text((left + width - right) / 2, height - 14, _("Number of answers (n)"), anchor="middle")
    )
    body.append(
        f'<line x1="{left}" y1="{y(centre):.1f}" x2="{width - right}" y2="{y(centre):.1f}" '
        f'stroke="{INK}" stroke-dasharray="2 3" stroke-width="1.5"/>'
    )
    clip = _id(title, "clip")
    body.append(
        f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{width - right - left}" '
        f'height="{height - bottom - top}"/></clipPath>'
    )
    for z, limits in curves.items():
        colour, dash = (ORANGE, "6 4") if z == stats.Z95 else (VERMILLION, "10 3 2 3")
        for side in ("low", "high"):
            # Limits reach ±100 at small n: draw them as they are and let the plot area cut them off.
            path = " ".join(
                f"{x(n):.1f},{y(getattr(lim, side)):.1f}" for n, lim in zip(ns, limits, strict=True)
            )
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5" '
                f'stroke-dasharray="{dash}" clip-path="url(#{clip})"/>'
            )
    descriptions, placed = [], []
    for point in points:
        body.append(_funnel_point(point, overall, x, y, placed, right_edge=width - right))
        descriptions.append((point, _where(point, overall)))
    body += legend_body
    words = {"above": _("above"), "below": _("below")}
    outside = [f"{p.label} ({words[w]})" for p, w in descriptions if w in words]
    desc = " ".join(
        (
            _(
                "Funnel plot of %(count)s %(what)s: NPS against the number of answers, around the overall NPS %(nps)s."
            )
            % {"count": len(points), "what": what, "nps": signed(centre)},
            _("Outside the 99.8%% limits: %(list)s.") % {"list": "; ".join(outside)}
            if outside
            else _("All lie within the 99.8% limits: their differences are noise."),
            _("Points: %(list)s.") % {"list": _listing(points)},
        )
    )
    return _svg(width, height, title, desc, body)


def _funnel_legend(centre: float) -> list[tuple[str, str]]:
    return [
        (f'<circle cx="9" cy="0" r="4.5" fill="{BLUE}"/>', _("within the limits")),
        (f'<path d="M9,-6 l6,10 h-12 z" fill="{GREEN}"/>', _("above 99.8%")),
        (f'<path d="M9,6 l6,-10 h-12 z" fill="{VERMILLION}"/>', _("below 99.8%")),
        (_line_swatch(ORANGE, "6 4"), _("95% limits")),
        (_line_swatch(VERMILLION, "10 3 2 3"), _("99.8% limits")),
        (_line_swatch(INK, "2 3", 1.5), _("overall %(nps)s") % {"nps": signed(centre)}),
    ]


FUNNEL_PLACES = {  # lazy: read in the language of the page that draws the chart
    "within": gettext_lazy("within the limits"),
    "above": gettext_lazy("above the limits"),
    "below": gettext_lazy("below the limits"),
}


def _where(point: FunnelPoint, overall: stats.NpsCounts) -> str:
    if not overall.n or stats.nps_variance(overall) == 0:
        return "within"
    outer = stats.funnel_limits(overall=overall, n=point.n, z=FUNNEL_Z)
    if point.value > outer.high:
        return "above"
    if point.value < outer.low:
        return "below"
    return "within"


def place_label(
    px: float,
    py: float,
    text: str,
    placed: list[tuple[float, float, float, float]],
    right_edge: float,
    size: int = 11,
) -> tuple[float, float, str]:
    """Where a point's label goes: right of it (left near the right edge), moved down/up past labels
    already placed, then on the other side, so that names never print over each other. Adds the
    chosen box to `placed`; returns x, y and the text anchor."""
    width = text_width(text, size)
    sides = [("start", px + 9), ("end", px - 9)]
    if px + 9 + width > right_edge:
        sides.reverse()
    for anchor, lx in sides:
        x0 = lx if anchor == "start" else lx - width
        for shift in (0, 13, -13, 26, -26, 39, -39):
            box = (x0, py + shift - 10, x0 + width, py + shift + 3)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                placed.append(box)
                return lx, py + shift + 4, anchor
    anchor, lx = sides[0]
    return lx, py + 4, anchor


def _funnel_point(
    point: FunnelPoint,
    overall: stats.NpsCounts,
    x: Scale,
    y: Scale,
    placed: list[tuple[float, float, float, float]],
    right_edge: float,
) -> str:
    px, py = x(point.n), y(point.value)
    where = _where(point, overall)
    tip = f"<title>{escape(point.label)}: NPS {signed(point.value)}, n = {point.n} ({escape(str(FUNNEL_PLACES[where]))})</title>"
    if where == "above":
        shape = f'<path d="M{px:.1f},{py - 7:.1f} l7,11 h-14 z" fill="{GREEN}"/>'
    elif where == "below":
        shape = f'<path d="M{px:.1f},{py + 7:.1f} l7,-11 h-14 z" fill="{VERMILLION}"/>'
    else:
        shape = f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{BLUE}" fill-opacity="0.8"/>'
    label = ""
    if where != "within":
        lx, ly, anchor = place_label(px, py, point.label, placed, right_edge)
        label = _text(lx, ly, point.label, anchor=anchor, size=11)
    return f"<g>{tip}{shape}{label}</g>"


def _nice_step(span: float) -> float:
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        5000,
        10000,
        20000,
        50000,
        100000,
    ):
        if span / step <= 8:
            return step
    return 10 ** len(str(int(span)))


# --- heatmap ---------------------------------------------------------------------------------


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def diverging(value: float, limit: float) -> str:
    """PuOr: orange for low, white for the middle, purple for high."""
    t = (max(-limit, min(limit, value)) + limit) / (2 * limit) * (len(PUOR) - 1)
    index = min(len(PUOR) - 2, int(t))
    return _mix(PUOR[index], PUOR[index + 1], t - index)


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (" ".join(lines[1:]))[: width - 1] + "…"]
    return lines


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: dict[tuple[int, int], Figure],
    *,
    title: str,
    row_label: str,
    column_label: str,
    metric_label: str,
) -> SafeString:
    """A grid of scores (rows × columns) coloured on a diverging scale, each cell printing its value and n."""
    cell_h, left, top = 46, 150, 86
    # Cells share the chart's width (fills the card); many columns make it wider and it scrolls.
    cell_w = max(104, (WIDTH - left - 16) / max(1, len(columns)))
    width = round(left + cell_w * len(columns) + 16)
    height = top + cell_h * len(rows) + 100
    shown = [f.score for f in cells.values() if f.shown]
    limit = max(20.0, ceil(max([abs(v) for v in shown] or [20]) / 10) * 10)
    body = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#c8c8c8" stroke-width="2"/>'
        "</pattern></defs>"
    ]
    body.append(
        _text(left + cell_w * len(columns) / 2, 16, column_label, anchor="middle", weight="bold")
    )
    body.append(_text(8, top - 10, row_label, weight="bold"))
    for j, column in enumerate(columns):
        for k, line in enumerate(_wrap(column, 13)):
            body.append(_text(left + cell_w * (j + 0.5), 40 + 14 * k, line, anchor="middle"))
    for i, row in enumerate(rows):
        body.append(_text(left - 8, top + cell_h * (i + 0.5) + 4, row[:22], anchor="end"))
        for j, column in enumerate(columns):
            body.append(
                _heat_cell(
                    cells.get((i, j)),
                    left + cell_w * j,
                    top + cell_h * i,
                    cell_w,
                    cell_h,
                    limit,
                    f"{row} × {column}",
                )
            )
    body += _heat_legend(limit, left, top + cell_h * len(rows) + 22, metric_label)
    return _svg(width, height, title, _heat_desc(rows, columns, cells, metric_label), body)


def _heat_cell(
    figure: Figure | None, x: float, y: float, w: float, h: float, limit: float, name: str
) -> str:
    if figure is None or figure.n == 0:
        return (
            f'<g><title>{escape(name)}: {escape(_("no answers"))}</title><rect x="{x + 1}" y="{y + 1}" width="{w - 2}" '
            f'height="{h - 2}" fill="#fafafa" stroke="#e0e0e0"/>'
            + _text(x + w / 2, y + h / 2 + 4, "–", anchor="middle", fill=GREY)
            + "</g>"
        )
    if not figure.shown:
        return (
            f'<g><title>{escape(name)}: {escape(_("hidden"))}, n = {figure.n}</title><rect x="{x + 1}" y="{y + 1}" '
            f'width="{w - 2}" height="{h - 2}" fill="url(#hatch)" stroke="#c8c8c8"/>'
            + _text(
                x + w / 2,
                y + h / 2 + 4,
                f"n = {figure.n}",
                anchor="middle",
                fill="#4a4a4a",
                size=11,
            )
            + "</g>"
        )
    fill = diverging(figure.score, limit)
    ink = "#ffffff" if _luminance(fill) < 0.25 else INK
    opacity = ' fill-opacity="0.55"' if figure.imprecise else ""
    stroke = ' stroke="#767676" stroke-dasharray="3 2"' if figure.imprecise else ' stroke="#ffffff"'
    ink = INK if figure.imprecise else ink
    value = signed(figure.score) if figure.metric == "nps" else f"{figure.score:.0f}"
    return (
        f"<g><title>{escape(name)}: {value}, n = {figure.n}{escape(' (' + _('imprecise') + ')') if figure.imprecise else ''}</title>"
        f'<rect x="{x + 1}" y="{y + 1}" width="{w - 2}" height="{h - 2}" fill="{fill}"{opacity}{stroke}/>'
        + _text(x + w / 2, y + 20, value, anchor="middle", fill=ink, weight="bold", size=14)
        + _text(x + w / 2, y + 37, f"n = {figure.n}", anchor="middle", fill=ink, size=11)
        + "</g>"
    )


def _heat_legend(limit: float, x: float, y: float, metric_label: str) -> list[str]:
    body, steps, width = [], 14, 22
    for i in range(steps):
        value = -limit + 2 * limit * (i + 0.5) / steps
        body.append(
            f'<rect x="{x + i * width}" y="{y}" width="{width}" height="12" fill="{diverging(value, limit)}"/>'
        )
    body.append(_text(x, y + 26, signed(-limit), size=11))
    body.append(_text(x + steps * width / 2, y + 26, "0", anchor="middle", size=11))
    body.append(_text(x + steps * width, y + 26, signed(limit), anchor="end", size=11))
    body.append(_text(x + steps * width + 12, y + 10, metric_label, size=11))
    body.append(_text(8, y + 46, _("Hatched: hidden (too few answers). –: no answers."), size=11))
    body.append(
        _text(
            8, y + 62, _("Pale with a dashed edge: fewer than 30 answers, read with care."), size=11
        )
    )
    return body


def _heat_desc(
    rows: Sequence[str], columns: Sequence[str], cells: dict[tuple[int, int], Figure], label: str
) -> str:
    shown = [((i, j), f) for (i, j), f in cells.items() if f.shown]
    if not shown:
        return _("%(label)s: no cell has enough answers to show.") % {"label": label}
    (hi, hf), (lo, lf) = max(shown, key=lambda c: c[1].score), min(shown, key=lambda c: c[1].score)
    return _(
        "%(label)s for %(rows)s × %(columns)s combinations. Highest: %(high)s; lowest: %(low)s. "
        "The table below lists every cell."
    ) % {
        "label": label,
        "rows": len(rows),
        "columns": len(columns),
        "high": f"{rows[hi[0]]} × {columns[hi[1]]} {signed(hf.score)} (n = {hf.n})",
        "low": f"{rows[lo[0]]} × {columns[lo[1]]} {signed(lf.score)} (n = {lf.n})",
    }


# --- bars ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    figure: Figure
    note: str = ""


def bar_chart(bars: Sequence[Bar], *, title: str, x_label: str) -> SafeString:
    """Horizontal bars of percentages with their 95% intervals; hidden and empty bars say so."""
    row_h, left, right = 30, 230, 130
    width = WIDTH
    legend_body, legend_height = legend(
        [
            (f'<rect x="0" y="-6" width="18" height="12" fill="{BLUE}"/>', _("share")),
            (
                f'<rect x="0" y="-6" width="18" height="12" fill="{SKY}"/>',
                _("fewer than 30: read with care"),
            ),
            (
                f'<line x1="0" y1="0" x2="18" y2="0" stroke="{INK}" stroke-width="1.5"/>',
                _("95% interval"),
            ),
        ],
        left,
        16,
        width - right,
    )
    top = 16 + legend_height + 10
    height = top + row_h * max(1, len(bars)) + 46
    x = Scale((0, 100), (left, width - right))
    body = []
    for tick in range(0, 101, 20):
        body.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 40}" stroke="#e3e3e3"/>'
        )
        body.append(_text(x(tick), height - 26, f"{tick}%", anchor="middle", size=11))
    body.append(_text((left + width - right) / 2, height - 8, x_label, anchor="middle"))
    for i, bar in enumerate(bars):
        cy = top + row_h * i + row_h / 2
        body.append(_text(left - 8, cy + 4, _shorten(bar.label, left - 16), anchor="end"))
        body.append(_bar(bar, x, cy))
    body += legend_body
    desc = "; ".join(
        f"{b.label}: {b.figure.score:.0f}% (n = {b.figure.n})"
        if b.figure.shown
        else f"{b.label}: {_('hidden') if b.figure.hidden else _('no data')} (n = {b.figure.n})"
        for b in bars
    )
    return _svg(
        width, height, title, f"{x_label}. {desc}." if bars else _("No data in this period."), body
    )


def _shorten(label: str, room: float) -> str:
    """A label cut with an ellipsis to fit `room` pixels (the full label is in the table and the title)."""
    if text_width(label) <= room:
        return label
    keep = max(1, int(room / text_width("x")) - 1)
    return label[:keep].rstrip() + "…"


def _bar(bar: Bar, x: Scale, cy: float) -> str:
    figure = bar.figure
    if not figure.shown:
        text = _("hidden (n = %(n)s)") % {"n": figure.n} if figure.hidden else _("no data")
        return _text(x(0) + 4, cy + 4, text, fill="#4a4a4a", extra='font-style="italic"')
    colour = SKY if figure.imprecise else BLUE
    parts = [
        f"<g><title>{escape(bar.label)}: {figure.score:.0f}%, n = {figure.n}</title>",
        f'<rect x="{x(0):.1f}" y="{cy - 9:.1f}" width="{max(0.0, x(figure.score) - x(0)):.1f}" height="18" '
        f'fill="{colour}"/>',
    ]
    if figure.low is not None and figure.high is not None:
        parts.append(
            f'<line x1="{x(figure.low):.1f}" y1="{cy:.1f}" x2="{x(figure.high):.1f}" y2="{cy:.1f}" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
        for end in (figure.low, figure.high):
            parts.append(
                f'<line x1="{x(end):.1f}" y1="{cy - 5:.1f}" x2="{x(end):.1f}" y2="{cy + 5:.1f}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
    label = f"{figure.score:.0f}% (n = {figure.n})"
    parts.append(_text(x(100) + 6, cy + 4, label, size=11))
    return "".join(parts) + "</g>"
