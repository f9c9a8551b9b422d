"""Posting interactions through the API: auth, validation, idempotency, all-or-nothing batches."""

import json

import pytest
from django.test import Client

from cxloop.conftest import interaction_payload
from cxloop.customers.models import Customer
from cxloop.journeys.models import Interaction, Journey
from cxloop.orgs.models import ApiKey
from cxloop.orgs.services import revoke_api_key
from cxloop.surveys.models import Invitation

pytestmark = pytest.mark.django_db


def post_batch(key: str, items: list[dict], capture) -> object:
    with capture(execute=True):
        return Client().post(
            "/api/interactions/batch",
            data={"items": items},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )


def test_a_retried_interaction_is_recorded_once(cast, post_interaction):
    first = post_interaction(interaction_payload())
    again = post_interaction(interaction_payload())
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["created"] is False
    assert Interaction.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_the_x_api_key_header_works_too(cast, post_interaction):
    response = Client().post(
        "/api/interactions",
        data=interaction_payload(),
        content_type="application/json",
        HTTP_X_API_KEY=cast.owner_key,
    )
    assert response.status_code == 201


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer cxl_00000000_forged"])
def test_without_a_valid_key_nothing_is_recorded(cast, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = Client().post(
        "/api/interactions", data=interaction_payload(), content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert not Interaction.objects.exists()


def test_a_revoked_key_is_refused(cast, post_interaction):
    for key in ApiKey.objects.filter(organisation=cast.owner):
        revoke_api_key(api_key=key)
    assert post_interaction(interaction_payload()).status_code == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "postduif"}, "channel 'postduif' is unknown"),
        ({"journey_type": "hypotheek"}, "journey_type 'hypotheek' is unknown"),
        ({"employee": "X9"}, "employee 'X9' is unknown"),
        ({"touchpoint": "nergens"}, "touchpoint 'nergens' is not a touchpoint"),
    ],
)
def test_unknown_references_get_a_clear_422(cast, post_interaction, change, message):
    response = post_interaction(interaction_payload(**change))
    assert response.status_code == 422
    assert message in json.dumps(response.json())
    assert not Interaction.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"external_id": "x"},
        interaction_payload(occurred_at="yesterday"),
        interaction_payload(occurred_at="2026-11-20T10:15:00"),
        interaction_payload(customer={"key": "K-1", "email": "not-an-address"}),
        interaction_payload(customer={"key": "K-1", "language": "fr"}),
        interaction_payload(external_id=""),
    ],
)
def test_malformed_payloads_get_422_with_a_message(cast, post_interaction, payload):
    response = post_interaction(payload)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Interaction.objects.exists()


def test_broken_json_is_a_4xx_not_a_500(cast):
    response = Client().post(
        "/api/interactions",
        data="{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
    )
    assert 400 <= response.status_code < 500


def test_an_organisation_outside_the_chain_cannot_post_into_its_journeys(cast, post_interaction):
    response = post_interaction(interaction_payload(employee=None), key=cast.outsider_key)
    assert response.status_code == 422
    assert not Journey.objects.exists()


def test_a_batch_is_all_or_nothing_and_names_the_bad_item(cast, django_capture_on_commit_callbacks):
    items = [
        interaction_payload("a"),
        interaction_payload("b", channel="postduif"),
        interaction_payload("c"),
    ]
    response = post_batch(cast.owner_key, items, django_capture_on_commit_callbacks)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["1"]
    assert not Interaction.objects.exists() and not Invitation.objects.exists()


def test_a_retried_batch_duplicates_nothing(cast, django_capture_on_commit_callbacks):
    items = [
        interaction_payload("a"),
        interaction_payload(
            "b", customer={"key": "K-2", "email": "twee@example.nl"}, journey_id="claim-2"
        ),
    ]
    first = post_batch(cast.owner_key, items, django_capture_on_commit_callbacks)
    assert first.status_code == 200 and first.json()["created"] == 2
    assert first["Content-Type"] == "application/json; charset=utf-8"
    items.append(interaction_payload("c", occurred_at="2026-11-21T09:00:00+01:00"))
    retry = post_batch(cast.owner_key, items, django_capture_on_commit_callbacks)
    assert retry.status_code == 200
    assert [item["created"] for item in retry.json()["items"]] == [False, False, True]
    assert Interaction.objects.count() == 3
    assert Customer.objects.count() == 2
    assert Journey.objects.count() == 2
    # The third interaction is in a journey whose customer was just asked: one request per journey.
    assert Invitation.objects.count() == 2


@pytest.mark.parametrize("body", [[], None, "items"])
def test_a_batch_that_is_not_an_object_is_told_its_items_are_missing(cast, body):
    response = Client().post(
        "/api/interactions/batch",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
    )
    assert response.status_code == 422
    assert "items" in json.dumps(response.json()) and "BatchIn" not in json.dumps(response.json())


def test_a_batch_repeating_an_external_id_is_refused(cast, django_capture_on_commit_callbacks):
    response = post_batch(
        cast.owner_key,
        [interaction_payload("a"), interaction_payload("a")],
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 422
    assert "repeats item 0" in json.dumps(response.json())


def test_a_journey_id_is_per_customer_so_another_customers_journey_is_left_alone(
    cast, post_interaction
):
    post_interaction(interaction_payload("a"))
    response = post_interaction(interaction_payload("b", customer={"key": "K-other"}))
    assert response.status_code == 201
    first, second = Journey.objects.order_by("pk")
    assert (first.external_id, second.external_id) == ("claim-123", "claim-123")
    assert list(first.interactions.values_list("external_id", flat=True)) == ["a"]
    assert list(second.interactions.values_list("external_id", flat=True)) == ["b"]


def test_partners_post_into_one_shared_journey(cast, post_interaction):
    post_interaction(interaction_payload("owner-call"))
    partner = post_interaction(
        interaction_payload("partner-call", employee="P1"), key=cast.partner_key
    )
    assert partner.status_code == 201
    journey = Journey.objects.get()
    assert set(journey.interactions.values_list("organisation__slug", flat=True)) == {
        "leasewijs",
        "belcentrum",
    }


def test_an_organisation_reads_only_its_own_interactions(cast, post_interaction):
    post_interaction(interaction_payload("mine"))
    own = Client().get("/api/interactions/mine", HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}")
    assert own.status_code == 200 and own.json()["invitation_status"] == "sent"
    other = Client().get("/api/interactions/mine", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}")
    assert other.status_code == 404


def test_openapi_document_and_docs_are_served(db):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/interactions/batch" in schema.json()["paths"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    # Served from the installed package, never from a CDN.
    assert (
        "https://" not in docs.content.decode()
        and "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    )


def test_a_full_batch_at_its_longest_is_read_and_one_item_more_is_refused(cast, settings):
    limit = settings.CXLOOP_API_BATCH_LIMIT
    assert limit >= 5000  # a bulk load's batch (docs/api.md)

    def longest(n: int) -> dict:
        # Every field at the longest the schema takes; the journey type is unknown, so the batch
        # is read and checked in full and then refused without writing anything.
        return {
            "external_id": str(n).rjust(128, "x"),
            "occurred_at": "2026-11-20T10:15:00.123456+01:00",
            "customer": {
                "key": str(n).rjust(128, "k"),
                "email": "e" * 240 + "@example.nl",
                "phone": "+" + "3" * 31,
                "language": "en",
                "name": "N" * 200,
                "licence_plate": "P" * 16,
            },
            "journey_id": "j" * 128,
            "journey_type": "t" * 50,
            "channel": "c" * 50,
            "touchpoint": "p" * 50,
            "employee": "e" * 64,
            "unit": "u" * 50,
            "journey_ended": False,
            "wait_seconds": 60 * 60 * 24 * 60,
        }

    def post(items: list[dict]):
        return Client().post(
            "/api/interactions/batch",
            data=json.dumps({"items": items}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
        )

    full = post([longest(n) for n in range(limit)])
    assert full.status_code == 422, full.content[:300]
    assert len(full.json()["errors"]) == limit
    too_many = post([interaction_payload(f"call-{n}") for n in range(limit + 1)])
    assert too_many.status_code == 413
    assert f"at most {limit} items per batch, got {limit + 1}" in too_many.json()["detail"]
    assert not Interaction.objects.exists()
