"""Customers through the API: read and upsert an organisation's own contact details."""

import pytest
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.customers.models import Customer, CustomerContact

pytestmark = pytest.mark.django_db


def call(key: str, method: str, path: str, body: dict | None = None):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if method == "get":
        return client.get(path)
    return client.put(path, body or {}, content_type="application/json")


def test_a_new_customer_is_made_and_the_details_are_the_organisations_own(cast):
    made = call(
        cast.owner_key,
        "put",
        "/api/customers/K-77",
        {"email": "klant@example.nl", "licence_plate": "AB-12-CD"},
    )
    assert made.status_code == 201, made.json()
    assert made.json()["contact"]["email"] == "klant@example.nl"
    again = call(cast.owner_key, "put", "/api/customers/K-77", {"phone": "0612345678"})
    assert again.status_code == 200
    assert again.json()["contact"] | {} == {
        **again.json()["contact"],
        "email": "klant@example.nl",
        "phone": "0612345678",
    }
    read = call(cast.owner_key, "get", "/api/customers/K-77").json()
    assert read["key"] == "K-77" and read["contact"]["licence_plate"] == "AB-12-CD"
    # The partner supplies its own details; they never change the owner's.
    call(cast.partner_key, "put", "/api/customers/K-77", {"email": "ander@example.nl"})
    assert (
        call(cast.owner_key, "get", "/api/customers/K-77").json()["contact"]["email"]
        == "klant@example.nl"
    )
    assert CustomerContact.objects.filter(customer__key="K-77").count() == 2
    assert Customer.objects.filter(key="K-77").count() == 1
    assert (
        AuditEntry.objects.filter(
            action__startswith="customer.contact", api_key__isnull=False
        ).count()
        >= 3
    )


def test_an_unknown_customer_is_404_and_bad_details_are_422(cast):
    assert call(cast.owner_key, "get", "/api/customers/nobody").status_code == 404
    refused = call(cast.owner_key, "put", "/api/customers/K-78", {"email": "not-an-address"})
    assert refused.status_code == 422 and "email" in refused.json()["errors"]
    assert not Customer.objects.filter(key="K-78").exists()
