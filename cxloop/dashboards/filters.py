"""The dashboards' filters from the URL: period, grain, journey type, channel, touchpoint, segment.

The GET parameters hold the whole state, so a view can be shared by its address. Values that do
not belong to the page's chain are dropped (the reads are scoped anyway; this keeps the form honest).

    ?days=90                        the last 90 days up to today (7, 30, 90, 180 or 365)
    ?since=2026-01-01&until=2026-03-31   a period of your own (at most three years; without days=)
    &grain=auto|week|month          the trend's periods (auto: weeks when a typical week has enough
                                    answers to be precise, months otherwise)
    &journey_type=3&channel=5&touchpoint=8&segment=zakelijk
"""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import QueryDict

from cxloop.dashboards import anonymity
from cxloop.dashboards.queries import Choices, Filters

PERIODS = (7, 30, 90, 180, 365)
DEFAULT_DAYS = 90
GRAINS = ("auto", "week", "month")
MAX_SPAN_DAYS = 3 * 366
KEYS = ("days", "since", "until", "grain", "journey_type", "channel", "touchpoint", "segment")


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    days: int | None  # the preset, or None for a period of one's own


@dataclass(frozen=True)
class FilterState:
    """The parsed filters of one request, and the parameters that reproduce them."""

    filters: Filters
    days: int | None
    grain: str
    params: tuple[tuple[str, str], ...]

    @property
    def query(self) -> str:
        """The query string that holds this state (without "?")."""
        return urlencode(self.params)

    def query_with(self, **overrides: str) -> str:
        """This state's query string with some parameters replaced (an empty value removes one)."""
        params = dict(self.params)
        for key, value in overrides.items():
            if value:
                params[key] = value
            else:
                params.pop(key, None)
        return urlencode(params)

    @property
    def custom(self) -> bool:
        return self.days is None

    @property
    def filtered(self) -> bool:
        f = self.filters
        return bool(f.journey_type_id or f.channel_id or f.touchpoint_id or f.segment)

    @property
    def preset(self) -> int | None:
        """The preset period when nothing else narrows the page (the periods the anonymity rule
        shows units and employees for), else None."""
        allowed = anonymity.breakdown_allowed(
            people=True, preset=self.days in PERIODS, filtered=self.filtered
        )
        return self.days if allowed else None


def period(get: QueryDict, today: date) -> Period:
    """A preset (?days=) wins; else a period of one's own (?since=&until=); else the last 90 days."""
    days = _int(get.get("days"))
    if days in PERIODS:
        return Period(today - timedelta(days=days - 1), today, days)
    since, until = _date(get.get("since")), _date(get.get("until"))
    if since and until and since <= until and (until - since).days < MAX_SPAN_DAYS:
        return Period(since, until, None)
    return Period(today - timedelta(days=DEFAULT_DAYS - 1), today, DEFAULT_DAYS)


def parse(get: QueryDict, choices: Choices, *, today: date) -> FilterState:
    """Read the filters from GET parameters, keeping only values the page's choices offer."""
    when = period(get, today)
    grain = get.get("grain") if get.get("grain") in GRAINS else "auto"
    journey_type = _pick(get.get("journey_type"), [pk for pk, _ in choices.journey_types])
    channel = _pick(get.get("channel"), [pk for pk, _ in choices.channels])
    touchpoint = _pick(get.get("touchpoint"), [t[0] for t in choices.touchpoints])
    segment = (get.get("segment") or "").strip()[:64]
    params: list[tuple[str, str]] = (
        [("days", str(when.days))]
        if when.days
        else [("since", when.since.isoformat()), ("until", when.until.isoformat())]
    )
    if grain != "auto":
        params.append(("grain", grain))
    for key, value in (
        ("journey_type", journey_type),
        ("channel", channel),
        ("touchpoint", touchpoint),
    ):
        if value:
            params.append((key, str(value)))
    if segment:
        params.append(("segment", segment))
    filters = Filters(when.since, when.until, journey_type, channel, touchpoint, segment)
    return FilterState(filters, when.days, grain, tuple(params))


def describe(state: FilterState, choices: Choices) -> list[tuple[str, str]]:
    """The filters in words, for exports and captions."""
    f = state.filters
    rows = [("period", f"{f.since.isoformat()} – {f.until.isoformat()}")]
    for label, kind, pk in (
        ("journey type", "journey_type", f.journey_type_id),
        ("channel", "channel", f.channel_id),
        ("touchpoint", "touchpoint", f.touchpoint_id),
    ):
        if pk:
            rows.append((label, choices.name_of(kind, pk)))
    if f.segment:
        rows.append(("segment", f.segment))
    return rows


def _pick(raw: str | None, allowed: list[int]) -> int | None:
    value = _int(raw)
    return value if value in allowed else None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
