"""How staff see dates and times: one format, in Europe/Amsterdam ("3 dec 2026 14:05").

Template filters, built into every template (settings.TEMPLATES "builtins"):
`{{ at|when }}` a moment, `{{ day|day }}` a date (either also from an ISO 8601 string), `{{ at|iso }}` for `<time datetime>` (no microseconds).
The formats themselves are DATETIME_FORMAT and DATE_FORMAT in cxloop/formats/<language>/formats.py,
so Django's admin and a bare `{{ at }}` show the same.
"""

from datetime import date, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _parsed(value: datetime | date | str | None) -> datetime | date | str | None:
    """An ISO 8601 string (as an export holds it) as the moment or date it names; else unchanged."""
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def when(value: datetime | date | str | None) -> str:
    """A moment as '3 dec 2026 14:05' in the current time zone (Europe/Amsterdam); a date as 'day'."""
    value = _parsed(value)
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        return day(value)
    return formats.date_format(_local(value), "DATETIME_FORMAT")


@register.filter
def day(value: datetime | date | str | None) -> str:
    """A date as '3 dec 2026'."""
    value = _parsed(value)
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        value = _local(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def iso(value: datetime | date | None) -> str:
    """A machine-readable value for `<time datetime>`: ISO 8601 to the second, with the offset."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return _local(value).replace(microsecond=0).isoformat()
    return value.isoformat()
