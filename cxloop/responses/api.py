"""API: read your organisation's submitted responses.

Answers are listed at the organisation's level: with their scores and text, but without the
interaction, unit or employee they are about. One answer is a group of one; with its score and its
employee it would give away every score the anonymity minimum hides (docs/anonymity.md, rule 4).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from cxloop.audit.services import record_view
from cxloop.orgs.models import ApiKey
from cxloop.responses.models import Response

router = Router()


class ResponseOut(Schema):
    id: int
    submitted_at: datetime
    nps: int | None
    comment: str
    journey_type: str | None
    channel: str | None


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_after_id: int | None


@router.get("", response=ResponsePage, operation_id="responses_list")
def list_responses(request: HttpRequest, after_id: int = 0, limit: int = 100):
    """Responses that count, in id order; pass `next_after_id` back as `after_id` for the next page.
    Each answer comes without the interaction, unit or employee it is about (the anonymity rule)."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    limit = max(1, min(limit, 1000))
    rows = list(
        Response.objects.filter(
            organisation=api_key.organisation, submitted_at__isnull=False, pk__gt=after_id
        )
        .select_related("journey_type", "channel")
        .order_by("pk")[: limit + 1]
    )
    page = rows[:limit]
    if page:  # one entry per request that handed out answers, not one per answer
        record_view(
            actor=api_key,
            action="response.listed",
            target=api_key.organisation,
            organisation=api_key.organisation,
            export=True,
            detail=f"{len(page)} responses, ids {page[0].pk}-{page[-1].pk}",
        )
    return {
        "items": [
            {
                "id": r.pk,
                "submitted_at": r.submitted_at,
                "nps": r.nps,
                "comment": r.comment,
                "journey_type": r.journey_type.slug if r.journey_type else None,
                "channel": r.channel.slug if r.channel else None,
            }
            for r in page
        ],
        "next_after_id": page[-1].pk if len(rows) > limit else None,
    }
