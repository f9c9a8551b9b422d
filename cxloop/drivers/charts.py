"""Inline SVG charts, rendered on the server (no JavaScript, no CDN)."""

from dataclasses import dataclass
from html import escape

from cxloop.dashboards.charts import WIDTH, place_label

FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif"'


@dataclass(frozen=True)
class Point:
    """A labelled point; x and y in data units."""

    label: str
    x: float
    y: float


def scatter(
    points: list[Point],
    *,
    x_label: str,
    y_label: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    quadrants: tuple[float, float] | None = None,
    quadrant_label: str = "",
    title: str = "",
) -> str:
    """An SVG scatter plot with optional quadrant lines at (x, y), its top-left quadrant named by
    `quadrant_label`; labels are escaped and placed so that they never print over each other."""
    width, height = WIDTH, 440
    left, right, top, bottom = 64, 24, 16, 48
    (x0, x1), (y0, y1) = x_range, y_range
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * (width - left - right)

    def sy(v: float) -> float:
        return height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom)

    middle = (top + height - bottom) / 2
    name = title or f"{y_label} × {x_label}"
    listing = "; ".join(f"{p.label}: {p.x:.0f}, {p.y:.1f}" for p in points)
    parts = [
        # width 100%: the chart fills its card; the viewBox keeps its proportions.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(name)}" class="chart" {FONT} font-size="12">',
        f"<title>{escape(name)}</title><desc>{escape(f'{x_label}, {y_label}: {listing}')}</desc>",
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
        'fill="#fff" stroke="#999"/>',
        f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">'
        f"{escape(x_label)}</text>",
        f'<text x="16" y="{middle}" text-anchor="middle" transform="rotate(-90 16 {middle})">'
        f"{escape(y_label)}</text>",
    ]
    for value in (x0, (x0 + x1) / 2, x1):
        parts.append(
            f'<text x="{sx(value):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11">{value:.0f}</text>'
        )
    for value in (y0, (y0 + y1) / 2, y1):
        parts.append(
            f'<text x="{left - 6}" y="{sy(value) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{value:.0f}</text>"
        )
    placed: list[tuple[float, float, float, float]] = []
    if quadrants is not None:
        qx, qy = quadrants
        parts.append(
            f'<line x1="{sx(qx):.1f}" y1="{top}" x2="{sx(qx):.1f}" y2="{height - bottom}" '
            'stroke="#bbb" stroke-dasharray="4"/>'
        )
        parts.append(
            f'<line x1="{left}" y1="{sy(qy):.1f}" x2="{width - right}" y2="{sy(qy):.1f}" '
            'stroke="#bbb" stroke-dasharray="4"/>'
        )
        if quadrant_label:
            parts.append(
                f'<text x="{left + 6}" y="{top + 16}" fill="#b00020" font-weight="bold">'
                f"{escape(quadrant_label)}</text>"
            )
            placed.append((left, top, left + 8 + 7 * len(quadrant_label), top + 20))
    # The points first, so that no label is placed over another point.
    for point in points:
        px, py = sx(point.x), sy(point.y)
        placed.append((px - 5, py - 5, px + 5, py + 5))
    for point in points:
        px, py = sx(point.x), sy(point.y)
        label = point.label[:40]
        lx, ly, anchor = place_label(px, py, label, placed, width - right)
        parts.append(
            f'<g><title>{escape(point.label)}</title><circle cx="{px:.1f}" cy="{py:.1f}" r="5" '
            f'fill="#0072B2"/><text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" '
            f'font-size="11">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
