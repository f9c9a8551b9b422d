"""API: your webhook subscriptions — create, list, delete, and send a signed test delivery."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.access import api_key_of
from cxloop.orgs.models import ApiKey
from cxloop.webhooks import services
from cxloop.webhooks.models import EVENTS, WebhookEndpoint

router = Router()


class WebhookIn(Schema):
    url: str = Field(min_length=1, max_length=500, description="Where to POST; https in production")
    events: list[str] = Field(min_length=1, description=f"Any of: {', '.join(sorted(EVENTS))}")


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    is_active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="The signing secret, shown only now (X-Cxloop-Signature, docs/api.md)"
    )


class TestDeliveryOut(Schema):
    delivery: str = Field(description="The delivery's id (its X-Cxloop-Delivery header)")
    status: str = Field(description="delivered, or pending when it will be retried, or failed")
    status_code: int | None = Field(description="What your endpoint answered")
    error: str


def _out(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
    }


def _endpoint(api_key: ApiKey, webhook_id: int) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(organisation=api_key.organisation, pk=webhook_id).first()


@router.post("", response={201: WebhookCreatedOut, 422: ErrorOut}, operation_id="webhooks_create")
def create_webhook(request: HttpRequest, payload: WebhookIn):
    """Subscribe a URL to events; the answer holds the signing secret, once."""
    api_key = api_key_of(request)
    try:
        endpoint = services.create_endpoint(
            organisation=api_key.organisation, url=payload.url, events=payload.events, actor=api_key
        )
    except ValidationError as invalid:
        errors = {
            field: [str(m) for m in messages] for field, messages in invalid.message_dict.items()
        }
        return refuse(422, "the webhook was not created", errors)
    return Status(201, {**_out(endpoint), "secret": endpoint.secret})


@router.get("", response=list[WebhookOut], operation_id="webhooks_list")
def list_webhooks(request: HttpRequest):
    """Your organisation's webhook subscriptions (without their secrets)."""
    api_key = api_key_of(request)
    return [
        _out(e)
        for e in WebhookEndpoint.objects.filter(organisation=api_key.organisation).order_by("pk")
    ]


@router.delete("/{webhook_id}", response={204: None, 404: ErrorOut}, operation_id="webhooks_delete")
def delete_webhook(request: HttpRequest, webhook_id: int):
    """Remove a subscription; nothing more is sent to it."""
    api_key = api_key_of(request)
    endpoint = _endpoint(api_key, webhook_id)
    if endpoint is None:
        return refuse(404, "no webhook with this id in your organisation")
    services.delete_endpoint(endpoint=endpoint, actor=api_key)
    return Status(204, None)


@router.post(
    "/{webhook_id}/test",
    response={200: TestDeliveryOut, 404: ErrorOut},
    operation_id="webhooks_test",
)
def test_webhook(request: HttpRequest, webhook_id: int):
    """Send a signed `ping` now and say what your endpoint answered."""
    api_key = api_key_of(request)
    endpoint = _endpoint(api_key, webhook_id)
    if endpoint is None:
        return refuse(404, "no webhook with this id in your organisation")
    delivery = services.send_test(endpoint=endpoint)
    return Status(
        200,
        {
            "delivery": str(delivery.uuid),
            "status": delivery.status,
            "status_code": delivery.last_status_code,
            "error": delivery.last_error,
        },
    )
