"""API: read your organisation's responses that count, filtered, paged by cursor, and incrementally.

Answers are listed at the organisation's level: with their scores and text, but without the
interaction, unit or employee they are about. One answer is a group of one; with its score and its
employee it would give away every score the anonymity minimum hides (docs/anonymity.md, rule 4).
For the same reason a `unit` filter is answered only when the answers it selects number at least
the minimum, as a unit's score on the dashboards is.
"""

import base64
import json
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from cxloop.audit.services import record_view
from cxloop.dashboards import anonymity
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.models import ApiKey, Unit
from cxloop.responses.models import Response

router = Router()


class ResponseOut(Schema):
    id: int
    submitted_at: datetime
    updated_at: datetime
    nps: int | None
    csat: int | None
    ces: int | None
    comment: str
    language: str
    journey_type: str | None
    channel: str | None
    touchpoint: str | None


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_cursor: str | None = Field(
        description="Pass back as `cursor` for the next page; null on the last"
    )
    next_after_id: int | None = Field(
        description="The last id of this page when there are more (as `after_id`)"
    )


def _cursor(response: Response, by_update: bool) -> str:
    position = [response.updated_at.isoformat(), response.pk] if by_update else [None, response.pk]
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def _position(cursor: str) -> tuple[datetime | None, int]:
    stamp, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    return (datetime.fromisoformat(stamp) if stamp else None), int(pk)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@router.get("", response={200: ResponsePage, 422: ErrorOut}, operation_id="responses_list")
def list_responses(
    request: HttpRequest,
    since: date | None = None,
    until: date | None = None,
    unit: str = "",
    journey_type: str = "",
    channel: str = "",
    nps_min: int | None = Query(None, ge=0, le=10),
    nps_max: int | None = Query(None, ge=0, le=10),
    updated_since: datetime | None = None,
    cursor: str = "",
    after_id: int = 0,
    limit: int = 100,
):
    """Responses that count, in id order, or with `updated_since` in the order they last changed
    (for incremental loads: keep the largest `updated_at` you saw and ask from there). Filter by
    the day submitted (`since`, `until`, Europe/Amsterdam), `unit` (its code: the unit and all below
    it), `journey_type`, `channel` and the NPS (`nps_min`, `nps_max`); page with `next_cursor`."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    organisation = api_key.organisation
    limit = max(1, min(limit, 1000))
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
    if unit:
        chosen = Unit.objects.filter(organisation=organisation, slug=unit).first()
        if chosen is None:
            return refuse(422, "no unit with this code in your organisation", {"unit": ["unknown"]})
        rows = rows.filter(unit_path__startswith=chosen.path)
        if anonymity.below_minimum(rows.count()):
            return refuse(
                422,
                f"these filters select fewer than {anonymity.minimum()} answers about the unit: "
                "the anonymity rule keeps them together with the rest (docs/anonymity.md)",
                {"unit": ["fewer answers than the minimum"]},
            )
    by_update = updated_since is not None
    if by_update:
        rows = rows.filter(updated_at__gte=updated_since)
    try:
        stamp, last = _position(cursor) if cursor else (None, after_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        return refuse(422, "the cursor is not one this API gave", {"cursor": ["invalid"]})
    if by_update and stamp is not None:
        rows = rows.filter(Q(updated_at__gt=stamp) | Q(updated_at=stamp, pk__gt=last))
    elif last:
        rows = rows.filter(pk__gt=last)
    order = ("updated_at", "pk") if by_update else ("pk",)
    fetched = list(
        rows.select_related("journey_type", "channel", "touchpoint").order_by(*order)[: limit + 1]
    )
    page = fetched[:limit]
    more = len(fetched) > limit
    if page:  # one entry per request that handed out answers, not one per answer
        record_view(
            actor=api_key,
            action="response.listed",
            target=organisation,
            organisation=organisation,
            export=True,
            detail=f"{len(page)} responses, ids {min(r.pk for r in page)}-{max(r.pk for r in page)}",
        )
    return Status(
        200,
        {
            "items": [_out(r) for r in page],
            "next_cursor": _cursor(page[-1], by_update) if more else None,
            "next_after_id": page[-1].pk if more and not by_update else None,
        },
    )


def _out(response: Response) -> dict:
    return {
        "id": response.pk,
        "submitted_at": response.submitted_at,
        "updated_at": response.updated_at,
        "nps": response.nps,
        "csat": response.csat,
        "ces": response.ces,
        "comment": response.comment,
        "language": response.language,
        "journey_type": response.journey_type.slug if response.journey_type else None,
        "channel": response.channel.slug if response.channel else None,
        "touchpoint": response.touchpoint.slug if response.touchpoint else None,
    }
