"""Template tags of the dashboards: a score as a person may see it, and any table cell."""

from django import template

from cxloop.dashboards.tables import Figure, Link, Mark, format_p, precision_floor

register = template.Library()


@register.filter
def fmt(value: float | None, metric: str) -> str:
    """A score in its own unit: NPS signed (+32, −12), CSAT and shares as %, CES with one decimal."""
    if value is None:
        return "–"
    if metric == "nps":
        rounded = round(value)
        return f"+{rounded}" if rounded > 0 else (f"−{-rounded}" if rounded < 0 else "0")
    if metric == "ces":
        return f"{value:.1f}"
    return f"{value:.0f}%"


@register.inclusion_tag("dashboards/_figure.html")
def figure(value: Figure | None, big: bool = False) -> dict:
    return {"f": value, "big": big, "floor": precision_floor()}


@register.inclusion_tag("dashboards/_cell.html")
def cell(value: object) -> dict:
    if isinstance(value, Figure):
        kind = "figure"
    elif isinstance(value, Link):
        kind = "link"
    elif isinstance(value, Mark):
        kind = "mark"
    elif value is None or value == "":
        kind = "empty"
    else:
        kind = "text"
    return {"kind": kind, "value": value}


@register.filter
def pvalue(value: float | None) -> str:
    """ "p < 0.001" or "p = 0.012"."""
    if value is None:
        return ""
    return f"p {format_p(value)}" if value < 0.001 else f"p = {format_p(value)}"
