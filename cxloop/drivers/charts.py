"""Inline SVG charts, rendered on the server (no JavaScript, no CDN)."""

from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _


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
    width: int = 640,
    height: int = 400,
    title: str = "",
) -> str:
    """An SVG scatter plot with optional quadrant lines at (x, y); labels are escaped."""
    left, right, top, bottom = 56, 16, 16, 44
    (x0, x1), (y0, y1) = x_range, y_range
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * (width - left - right)

    def sy(v: float) -> float:
        return height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title or y_label + " × " + x_label)}" style="max-width:100%;height:auto">',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" fill="none" stroke="#999"/>',
        f'<text x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle" font-size="12">{escape(x_label)}</text>',
        f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 14 {(top + height - bottom) / 2})">{escape(y_label)}</text>',
    ]
    for value in (x0, (x0 + x1) / 2, x1):
        parts.append(
            f'<text x="{sx(value):.1f}" y="{height - bottom + 14}" text-anchor="middle" font-size="10">{value:.0f}</text>'
        )
    for value in (y0, (y0 + y1) / 2, y1):
        parts.append(
            f'<text x="{left - 4}" y="{sy(value) + 3:.1f}" text-anchor="end" font-size="10">{value:.0f}</text>'
        )
    if quadrants is not None:
        qx, qy = quadrants
        parts.append(
            f'<line x1="{sx(qx):.1f}" y1="{top}" x2="{sx(qx):.1f}" y2="{height - bottom}" stroke="#bbb" stroke-dasharray="4"/>'
        )
        parts.append(
            f'<line x1="{left}" y1="{sy(qy):.1f}" x2="{width - right}" y2="{sy(qy):.1f}" stroke="#bbb" stroke-dasharray="4"/>'
        )
        parts.append(
            f'<text x="{left + 4}" y="{top + 12}" font-size="11" fill="#b00">{escape(_("fix first"))}</text>'
        )
    for point in points:
        px, py = sx(point.x), sy(point.y)
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#1f5fa8"><title>{escape(point.label)}</title></circle>'
        )
        parts.append(
            f'<text x="{px + 6:.1f}" y="{py - 4:.1f}" font-size="10">{escape(point.label[:28])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
