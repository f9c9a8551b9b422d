"""Reads of responses for the API: the ones that count, filtered, and a page of them."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from cxloop.orgs.models import Organisation, Unit
from cxloop.responses.models import Response


def counting_responses(
    *,
    organisation: Organisation,
    since: date | None = None,
    until: date | None = None,
    journey_type: str = "",
    channel: str = "",
    nps_min: int | None = None,
    nps_max: int | None = None,
    unit: Unit | None = None,
) -> QuerySet[Response]:
    """The organisation's submitted responses, by the day submitted (Europe/Amsterdam), journey type,
    channel (their slugs), NPS range and unit (with all below it)."""
    rows = Response.objects.filter(organisation=organisation, submitted_at__isnull=False)
    if since:
        rows = rows.filter(submitted_at__gte=_day_start(since))
    if until:
        rows = rows.filter(submitted_at__lt=_day_start(until + timedelta(days=1)))
    if journey_type:
        rows = rows.filter(journey_type__slug=journey_type)
    if channel:
        rows = rows.filter(channel__slug=channel)
    if nps_min is not None:
        rows = rows.filter(nps__gte=nps_min)
    if nps_max is not None:
        rows = rows.filter(nps__lte=nps_max)
    if unit is not None:
        rows = rows.filter(unit_path__startswith=unit.path)
    return rows


def unit_with_code(organisation: Organisation, code: str) -> Unit | None:
    return Unit.objects.filter(organisation=organisation, slug=code).first()


def page_of(
    rows: QuerySet[Response],
    *,
    updated_since: datetime | None,
    stamp: datetime | None,
    after_id: int,
    limit: int,
) -> list[Response]:
    """Up to `limit + 1` rows after the position (so the caller sees whether there are more): in id
    order, or with `updated_since` in the order they last changed, ties by id."""
    by_update = updated_since is not None
    if by_update:
        rows = rows.filter(updated_at__gte=updated_since)
    if by_update and stamp is not None:
        rows = rows.filter(Q(updated_at__gt=stamp) | Q(updated_at=stamp, pk__gt=after_id))
    elif after_id:
        rows = rows.filter(pk__gt=after_id)
    order = ("updated_at", "pk") if by_update else ("pk",)
    return list(
        rows.select_related("journey_type", "channel", "touchpoint").order_by(*order)[: limit + 1]
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
