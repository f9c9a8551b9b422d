"""Webhook subscriptions through the API: create (secret once), list, test delivery, delete."""

import pytest
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.lib.testing.webhooks import http_receiver
from cxloop.webhooks.models import WebhookEndpoint
from cxloop.webhooks.services import verify_signature

pytestmark = pytest.mark.django_db


def call(key: str, method: str, path: str, body: dict | None = None):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    return client.post(path, body or {}, content_type="application/json")


def test_a_subscription_is_made_tested_listed_and_deleted(cast):
    with http_receiver() as receiver:
        made = call(
            cast.owner_key,
            "post",
            "/api/webhooks",
            {"url": receiver.url("/crm"), "events": ["case.opened"]},
        )
        assert made.status_code == 201
        secret, webhook = made.json()["secret"], made.json()["id"]
        assert secret.startswith("whsec_")
        listed = call(cast.owner_key, "get", "/api/webhooks").json()
        assert [w["id"] for w in listed] == [webhook] and "secret" not in listed[0]
        tested = call(cast.owner_key, "post", f"/api/webhooks/{webhook}/test").json()
        assert tested["status"] == "delivered" and tested["status_code"] == 200
        [request] = receiver.requests
        assert request.headers["X-Cxloop-Event"] == "ping"
        assert verify_signature(
            secret=secret,
            timestamp=request.headers["X-Cxloop-Timestamp"],
            body=request.body,
            signature=request.headers["X-Cxloop-Signature"],
        )
    assert call(cast.partner_key, "delete", f"/api/webhooks/{webhook}").status_code == 404
    assert call(cast.owner_key, "delete", f"/api/webhooks/{webhook}").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    actions = list(
        AuditEntry.objects.filter(api_key__isnull=False).values_list("action", flat=True)
    )
    assert "webhook.created" in actions and "webhook.deleted" in actions


def test_a_bad_url_or_event_is_refused_by_field(cast):
    refused = call(
        cast.owner_key, "post", "/api/webhooks", {"url": "ftp://x", "events": ["case.lost"]}
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"url", "events"}
    assert not WebhookEndpoint.objects.exists()


def test_a_failing_endpoint_says_what_it_answered(cast):
    with http_receiver() as receiver:
        receiver.statuses = [500]
        made = call(
            cast.owner_key,
            "post",
            "/api/webhooks",
            {"url": receiver.url(), "events": ["case.closed"]},
        )
        tested = call(cast.owner_key, "post", f"/api/webhooks/{made.json()['id']}/test").json()
    assert tested["status"] == "pending" and tested["status_code"] == 500  # retried later
