"""Template filters of the journey analysis pages."""

from django import template

from cxloop.process.processmap import format_seconds

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as people read them: 40 s, 12 min, 5.5 h, 3.2 d."""
    return format_seconds(seconds)
