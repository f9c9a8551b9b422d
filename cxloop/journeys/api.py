"""API: post interactions, one or a batch; the external id makes a retry safe."""

from datetime import datetime
from typing import Any

import pydantic_core
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, Router, Schema, Status
from pydantic import BaseModel, model_validator
from pydantic.dataclasses import dataclass

from cxloop.journeys.models import Interaction
from cxloop.journeys.services import (
    InteractionInput,
    InteractionRejected,
    RecordedInteraction,
    record_interactions,
)
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.models import ApiKey

router = Router()


# A batch is a plain pydantic model and its items pydantic dataclasses: a ninja Schema wraps every
# object it validates in a DjangoGetter (to read model instances), which cost a quarter of a
# 1,000-item request, and a dataclass item validates in about half the time of a model's (no
# per-instance fields-set bookkeeping). The OpenAPI document is the same: every field is declared
# with Field(), which keeps the properties in their order.


@dataclass(slots=True, kw_only=True)
class CustomerIn:
    key: str = Field(
        min_length=1, max_length=128, description="Pseudonymous key, the same for every partner"
    )
    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = Field("", max_length=32)
    language: str = Field("", pattern=r"^(|nl|en)$")
    name: str = Field("", max_length=200, description="The customer's name, to find them by")
    licence_plate: str = Field(
        "", max_length=16, description="A licence plate (kenteken) of the customer, to find them by"
    )


@dataclass(slots=True, kw_only=True)
class InteractionIn:
    external_id: str = Field(
        min_length=1, max_length=128, description="Your id; a retry with it is safe"
    )
    occurred_at: datetime = Field(description="ISO 8601 with a time zone")
    customer: CustomerIn = Field()
    journey_id: str = Field(
        min_length=1,
        max_length=128,
        description="The chain's id of the journey (claim 123), per journey type and customer: "
        "partners posting the same id for the same customer and journey type add to one journey",
    )
    journey_type: str = Field(min_length=1, max_length=50)
    channel: str = Field(min_length=1, max_length=50)
    touchpoint: str | None = Field(None, max_length=50)
    employee: str | None = Field(None, max_length=64, description="Your employee code")
    unit: str | None = Field(
        None, max_length=50, description="Unit slug; defaults to the employee's unit"
    )
    journey_ended: bool = Field(False)
    wait_seconds: int | None = Field(
        None,
        ge=0,
        le=60 * 60 * 24 * 60,
        description="Seconds the customer waited for an answer (pick-up, reply)",
    )


class BatchIn(BaseModel):
    items: list[InteractionIn] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # A bare list or null is told that `items` is missing, as for {}: pydantic's own message
        # would name this class.
        return data if isinstance(data, dict) else {}


class InteractionOut(BaseModel):
    id: int
    external_id: str
    created: bool


class BatchOut(Schema):
    items: list[InteractionOut]
    created: int


def _to_input(payload: InteractionIn) -> InteractionInput:
    if payload.occurred_at.tzinfo is None:
        raise InteractionRejected(
            {0: ["occurred_at needs a time zone, e.g. 2026-11-23T10:15:00+01:00"]}
        )
    return InteractionInput(
        external_id=payload.external_id,
        occurred_at=payload.occurred_at,
        customer_key=payload.customer.key,
        customer_email=payload.customer.email,
        customer_phone=payload.customer.phone,
        customer_language=payload.customer.language,
        customer_name=payload.customer.name,
        customer_licence_plate=payload.customer.licence_plate,
        journey_id=payload.journey_id,
        journey_type=payload.journey_type,
        channel=payload.channel,
        touchpoint=payload.touchpoint,
        employee=payload.employee,
        unit=payload.unit,
        journey_ended=payload.journey_ended,
        wait_seconds=payload.wait_seconds,
    )


def _out(recorded: RecordedInteraction) -> dict:
    return {"id": recorded.id, "external_id": recorded.external_id, "created": recorded.created}


@router.post(
    "",
    response={200: InteractionOut, 201: InteractionOut, 422: ErrorOut},
    operation_id="interactions_create",
)
def post_interaction(request: HttpRequest, payload: Body[InteractionIn]):
    """Record one interaction: 201 when new, 200 when this external id was recorded before."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    try:
        recorded = record_interactions(
            organisation=api_key.organisation, items=[_to_input(payload)], actor=api_key
        )[0]
    except InteractionRejected as rejected:
        return refuse(422, "the interaction was not recorded", rejected.errors)
    return Status(201 if recorded.created else 200, _out(recorded))


@router.post(
    "/batch",
    response={200: BatchOut, 413: ErrorOut, 422: ErrorOut},
    operation_id="interactions_create_batch",
)
def post_batch(request: HttpRequest, payload: BatchIn):
    """Record many interactions all-or-nothing; errors name the item index, nothing is written."""
    limit = settings.CXLOOP_API_BATCH_LIMIT
    if len(payload.items) > limit:
        return refuse(413, f"at most {limit} items per batch, got {len(payload.items)}")
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    errors: dict[int, list[str]] = {}
    inputs = []
    for index, item in enumerate(payload.items):
        try:
            inputs.append(_to_input(item))
        except InteractionRejected as rejected:
            errors[index] = rejected.errors[0]
    if errors:
        return refuse(422, "no interaction was recorded", errors)
    try:
        results = record_interactions(
            organisation=api_key.organisation, items=inputs, actor=api_key
        )
    except InteractionRejected as rejected:
        return refuse(422, "no interaction was recorded", rejected.errors)
    # Encoded here, as BatchOut declares it: ninja would validate the thousand items against the
    # schema once more and encode them with json, a twentieth of the request.
    body = {"items": [_out(r) for r in results], "created": sum(r.created for r in results)}
    return HttpResponse(pydantic_core.to_json(body), content_type="application/json; charset=utf-8")


class InteractionDetailOut(Schema):
    id: int
    external_id: str
    occurred_at: datetime
    journey_id: str
    journey_type: str
    channel: str
    touchpoint: str | None
    employee: str | None
    invitation_status: str | None


@router.get(
    "/{external_id}",
    response={200: InteractionDetailOut, 404: ErrorOut},
    operation_id="interactions_read",
)
def get_interaction(request: HttpRequest, external_id: str):
    """One interaction of your organisation, with the status of its invitation."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]  # ninja sets it after authentication
    interaction = (
        Interaction.objects.select_related(
            "journey__journey_type", "channel", "touchpoint", "employee"
        )
        .prefetch_related("invitations")
        .filter(organisation=api_key.organisation, external_id=external_id)
        .first()
    )
    if interaction is None:
        return refuse(404, "no interaction with this external_id in your organisation")
    invitation = next(iter(interaction.invitations.all()), None)
    return Status(
        200,
        {
            "id": interaction.pk,
            "external_id": interaction.external_id,
            "occurred_at": interaction.occurred_at,
            "journey_id": interaction.journey.external_id,
            "journey_type": interaction.journey.journey_type.slug,
            "channel": interaction.channel.slug,
            "touchpoint": interaction.touchpoint.slug if interaction.touchpoint else None,
            "employee": interaction.employee.code if interaction.employee else None,
            "invitation_status": invitation.status if invitation else None,
        },
    )
