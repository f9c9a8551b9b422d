"""API: NPS, CSAT and CES with n and the 95% interval, grouped as the dashboards group them.

The minimum-n rule holds as on the pages (docs/anonymity.md): a key reads its organisation as
its analysts do. Scores of units and employees are given over a preset period without further
filters, and each one the rule hides comes without its score (`hidden`, with the reason); the
organisation's own figures, per journey type, channel and period, follow the minimum as well.
"""

from datetime import date, timedelta
from typing import Literal

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from cxloop.dashboards import anonymity, queries
from cxloop.dashboards.filters import MAX_SPAN_DAYS
from cxloop.dashboards.queries import Filters, Scores
from cxloop.dashboards.tables import Figure, show
from cxloop.dashboards.visibility import Visibility, employee_key, unit_key, visibility_for
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.access import api_key_scope
from cxloop.orgs.models import ApiKey, Organisation

router = Router()
GroupBy = Literal["organisation", "unit", "employee", "journey_type", "channel", "week", "month"]
PEOPLE = {"unit", "employee"}


class MetricOut(Schema):
    value: float | None = Field(
        description="NPS −100…100, CSAT % 0…100, CES mean 1…7; null when hidden or no answers"
    )
    n: int | None = Field(description="Answers it rests on; null when even n is withheld")
    low: float | None = Field(description="95% interval")
    high: float | None
    hidden: bool = Field(description="Hidden by the minimum-n rule")
    reason: str = Field(description="Why hidden: minimum, remainder or breakdown")


class GroupOut(Schema):
    key: str = Field(
        description="The group: a unit or employee code, a journey type or channel slug, a period's first day"
    )
    name: str
    nps: MetricOut
    csat: MetricOut
    ces: MetricOut


class MetricsOut(Schema):
    since: date
    until: date
    group_by: str
    minimum_n: int
    items: list[GroupOut]


def _metric(figure: Figure) -> dict:
    return {
        "value": round(figure.score, 2) if figure.shown else None,
        "n": figure.n if figure.n_shown else None,
        "low": round(figure.low, 2) if figure.shown and figure.low is not None else None,
        "high": round(figure.high, 2) if figure.shown and figure.high is not None else None,
        "hidden": figure.hidden,
        "reason": figure.reason,
    }


def _group(key: str, name: str, figures: list[Figure]) -> dict:
    nps, csat, ces = figures
    return {
        "key": key,
        "name": name,
        "nps": _metric(nps),
        "csat": _metric(csat),
        "ces": _metric(ces),
    }


def _shown(scores: Scores) -> list[Figure]:
    return [show(scores.nps), show(scores.csat, "csat"), show(scores.ces, "ces")]


def _reader(organisation: Organisation, preset: int) -> Visibility:
    """The visibility an analyst of the organisation has: the key reads as they do."""
    scope = api_key_scope(organisation)
    return visibility_for(
        user=AnonymousUser(), organisation=organisation, preset=preset, scope=scope
    )


def _people(organisation: Organisation, filters: Filters, preset: int, group_by: str) -> list[dict]:
    seen = _reader(organisation, preset)
    if group_by == "unit":
        units = queries.scores_per_unit(organisation=organisation, filters=filters)
        return [_group(u.slug, u.name, seen.figures(unit_key(u), s)) for u, s in units]
    employees = queries.scores_per_employee(organisation=organisation, filters=filters)
    return [_group(e.code, e.name, seen.figures(employee_key(e), s)) for e, s in employees]


def _organisation_groups(organisation: Organisation, filters: Filters, group_by: str) -> list[dict]:
    if group_by == "organisation":
        scores = queries.scores_for_organisation(organisation=organisation, filters=filters)
        return [_group(organisation.slug, organisation.name, _shown(scores))]
    if group_by in {"week", "month"}:
        points = queries.trend(filters=filters, organisation=organisation, grain=group_by)
        return [_group(p.start.isoformat(), p.start.isoformat(), _shown(p.scores)) for p in points]
    per_group = (
        queries.scores_per_journey_type
        if group_by == "journey_type"
        else queries.scores_per_channel
    )
    groups = per_group(organisation=organisation, filters=filters)
    return [_group(g.slug, g.name, _shown(s)) for g, s in groups]


@router.get("", response={200: MetricsOut, 422: ErrorOut}, operation_id="metrics_read")
def read_metrics(
    request: HttpRequest,
    group_by: GroupBy = "organisation",
    days: int | None = None,
    since: date | None = None,
    until: date | None = None,
):
    """Your organisation's NPS, CSAT and CES per group over the last `days` (7, 30, 90, 180 or 365;
    90 without a period) or from `since` to `until`. Units and employees: preset periods only."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    today = timezone.localdate()
    if since or until:
        if not (since and until) or since > until or (until - since).days >= MAX_SPAN_DAYS:
            return refuse(
                422,
                "give since and until, in order, at most three years apart",
                {"since": ["invalid period"]},
            )
        if days is not None:
            return refuse(
                422, "give days or since and until, not both", {"days": ["not with since/until"]}
            )
        preset = None
    else:
        days = days or 90
        if days not in anonymity.PRESET_DAYS:
            return refuse(
                422,
                f"days is one of {', '.join(map(str, anonymity.PRESET_DAYS))}",
                {"days": ["not a preset"]},
            )
        since, until, preset = today - timedelta(days=days - 1), today, days
    if group_by in PEOPLE and preset is None:
        return refuse(
            422,
            "scores of units and employees are given over a preset period (days) only: the anonymity rule",
            {"group_by": ["units and employees need days=7, 30, 90, 180 or 365"]},
        )
    filters = Filters(since, until)
    organisation = api_key.organisation
    items = (
        _people(organisation, filters, preset, group_by)
        if group_by in PEOPLE
        else _organisation_groups(organisation, filters, group_by)
    )
    return Status(
        200,
        {
            "since": since,
            "until": until,
            "group_by": group_by,
            "minimum_n": anonymity.minimum(),
            "items": items,
        },
    )
