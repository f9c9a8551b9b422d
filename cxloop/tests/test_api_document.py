"""The OpenAPI document is exact: stable readable operation ids, one error shape for every
refusal, the key schemes declared once, and what the API answers matches what it declares."""

import re

import pytest
from django.test import Client

from cxloop.conftest import interaction_payload

pytestmark = pytest.mark.django_db

OPERATIONS = {
    "interactions_create",
    "interactions_create_batch",
    "interactions_read",
    "responses_list",
    "customers_opt_out",
    "customers_export",
    "customers_erase",
    "customers_read",
    "customers_upsert",
    "units_list",
    "units_upsert",
    "employees_list",
    "employees_upsert",
    "employees_leave",
    "cases_list",
    "cases_read",
    "cases_change_status",
    "cases_add_note",
    "cases_reassign",
    "metrics_read",
    "surveys_list",
    "surveys_read",
    "invitations_list",
    "webhooks_create",
    "webhooks_list",
    "webhooks_delete",
    "webhooks_test",
    "event_logs_import",
    "event_logs_list",
    "event_logs_read",
    "event_logs_analysis",
}


def _document() -> dict:
    return Client().get("/api/openapi.json").json()


def test_operation_ids_are_stable_and_readable():
    document = _document()
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert OPERATIONS <= set(ids)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)+", i) for i in ids), ids


def test_the_key_schemes_are_declared_once_for_the_whole_api():
    document = _document()
    assert set(document["components"]["securitySchemes"]) == {"BearerKey", "HeaderKey"}
    assert document["security"] == [{"BearerKey": []}, {"HeaderKey": []}]
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert all("security" not in op for op in operations)


def test_a_validation_error_has_the_declared_shape(cast):
    answer = Client().post(
        "/api/interactions",
        interaction_payload(customer={"key": "K-1", "email": "not-an-address"}, occurred_at="x"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
    )
    assert answer.status_code == 422
    body = answer.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {"occurred_at", "customer.email"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    assert "customer.email" in body["detail"]


def test_broken_json_and_a_body_too_large_are_declared_refusals(cast, settings):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.owner_key}"}
    broken = Client().post(
        "/api/interactions", data="{not json", content_type="application/json", **headers
    )
    assert broken.status_code == 400 and set(broken.json()) == {"detail", "errors"}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    large = Client().post(
        "/api/interactions", interaction_payload(), content_type="application/json", **headers
    )
    assert large.status_code == 413 and "at most 100 bytes" in large.json()["detail"]
    declared = _document()["paths"]["/api/interactions"]["post"]["responses"]
    assert {"400", "401", "403", "413", "422", "429"} <= set(declared)
