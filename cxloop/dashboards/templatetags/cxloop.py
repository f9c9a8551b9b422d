"""Template filters for scores."""

from django import template

register = template.Library()


@register.filter
def signed(value: float | None) -> str:
    """An NPS as a whole number with its sign: +32, 0, −12."""
    if value is None:
        return "–"
    rounded = round(value)
    if rounded > 0:
        return f"+{rounded}"
    return f"−{-rounded}" if rounded < 0 else "0"


@register.filter
def index(sequence, position: int):
    """The item at a position of a list, for zipped lists in templates."""
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None
