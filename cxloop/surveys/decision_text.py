"""A decision's detail as staff read it: in their language, times in Europe/Amsterdam.

The planner stores the detail as a short fixed English phrase ("email at 2026-12-03 13:05 UTC"), so
that the log is the same whatever language the worker ran in. Pages turn the known phrases into
the reader's language here; an unknown phrase is shown as stored.
"""

import re
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cxloop.lib.dates import when

_STAMP = r"(\d{4}-\d\d-\d\d \d\d:\d\d) UTC"


def _channel(value: str) -> str:
    from cxloop.surveys.models import InvitationRule

    return str(dict(InvitationRule.Channel.choices).get(value, value))


def _moment(stamp: str) -> str:
    return when(datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=UTC))


def shown_detail(detail: str) -> str:
    """The stored detail in the reader's language, or as stored when it is no known phrase."""
    if match := re.fullmatch(rf"(\w+) at {_STAMP}", detail):
        return _("%(channel)s at %(when)s") % {
            "channel": _channel(match[1]),
            "when": _moment(match[2]),
        }
    if match := re.fullmatch(rf"last invitation {_STAMP}", detail):
        return _("last invitation %(when)s") % {"when": _moment(match[1])}
    if match := re.fullmatch(r"no usable address for ([\w/]+)", detail):
        channels = " / ".join(_channel(c) for c in match[1].split("/"))
        return _("no usable address for %(channels)s") % {"channels": channels}
    if match := re.fullmatch(r"(\d+) invitations in (\d+) days", detail):
        n, days = int(match[1]), int(match[2])
        return ngettext(
            "%(n)s invitation in %(days)s days", "%(n)s invitations in %(days)s days", n
        ) % {"n": n, "days": days}
    if match := re.fullmatch(r"sample of (\d+(?:\.\d+)?)%", detail):
        return _("sample of %(percent)s%%") % {"percent": match[1]}
    return detail
