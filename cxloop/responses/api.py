"""API: read your organisation's submitted responses."""

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
    interaction: str | None
    journey_type: str | None
    channel: str | None
    employee: str | None


class ResponsePage(Schema):
    items: list[ResponseOut]
    next_after_id: int | None


@router.get("", response=ResponsePage)
def list_responses(request: HttpRequest, after_id: int = 0, limit: int = 100):
    """Responses that count, in id order; pass `next_after_id` back as `after_id` for the next page."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    limit = max(1, min(limit, 1000))
    rows = list(
        Response.objects.filter(organisation=api_key.organisation, submitted_at__isnull=False, pk__gt=after_id)
        .select_related("interaction", "journey_type", "channel", "employee")
        .order_by("pk")[: limit + 1]
    )
    page = rows[:limit]
    if page:  # one entry per request that handed out answers, not one per answer
        record_view(
            actor=api_key, action="response.listed", target=api_key.organisation, organisation=api_key.organisation,
            export=True, detail=f"{len(page)} responses, ids {page[0].pk}-{page[-1].pk}",
        )
    return {
        "items": [
            {
                "id": r.pk,
                "submitted_at": r.submitted_at,
                "nps": r.nps,
                "comment": r.comment,
                "interaction": r.interaction.external_id if r.interaction else None,
                "journey_type": r.journey_type.slug if r.journey_type else None,
                "channel": r.channel.slug if r.channel else None,
                "employee": r.employee.code if r.employee else None,
            }
            for r in page
        ],
        "next_after_id": page[-1].pk if len(rows) > limit else None,
    }
