"""API: read your organisation's responses that count, filtered, paged by cursor, and incrementally.

Answers are listed at the organisation's level: with their scores and text, but without the
interaction, unit or employee they are about. One answer is a group of one; with its score and its
employee it would give away every score the anonymity minimum hides (docs/anonymity.md, rule 4).
For the same reason a `unit` filter is answered only when the answers it selects number at least
the minimum, as a unit's score on the dashboards is.
"""

import base64
import json
from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from cxloop.audit.services import record_view
from cxloop.dashboards import anonymity
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.models import ApiKey
from cxloop.responses import queries
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
    chosen = None
    if unit:
        chosen = queries.unit_with_code(organisation, unit)
        if chosen is None:
            return refuse(422, "no unit with this code in your organisation", {"unit": ["unknown"]})
    rows = queries.counting_responses(
        organisation=organisation,
        since=since,
        until=until,
        journey_type=journey_type,
        channel=channel,
        nps_min=nps_min,
        nps_max=nps_max,
        unit=chosen,
    )
    if chosen is not None and anonymity.below_minimum(rows.count()):
        return refuse(
            422,
            f"these filters select fewer than {anonymity.minimum()} answers about the unit: "
            "the anonymity rule keeps them together with the rest (docs/anonymity.md)",
            {"unit": ["fewer answers than the minimum"]},
        )
    by_update = updated_since is not None
    try:
        stamp, last = _position(cursor) if cursor else (None, after_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        return refuse(422, "the cursor is not one this API gave", {"cursor": ["invalid"]})
    fetched = queries.page_of(
        rows, updated_since=updated_since, stamp=stamp, after_id=last, limit=limit
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
