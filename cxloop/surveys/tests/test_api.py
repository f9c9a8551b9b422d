"""Surveys and the decisions who was (not) asked, through the API."""

import pytest
from django.test import Client

from cxloop.conftest import interaction_payload

pytestmark = pytest.mark.django_db


def get(key: str, path: str, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")


def post(key: str, payload: dict):
    return Client().post(
        "/api/interactions",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_surveys_are_listed_and_read_with_their_questions(cast):
    listed = get(cast.owner_key, "/api/surveys").json()
    assert [s["name"] for s in listed] == [cast.survey.name]
    survey = get(cast.owner_key, f"/api/surveys/{cast.survey.pk}").json()
    assert survey["questions"] and survey["questions"][0]["kind"] == "nps"
    assert [q["position"] for q in survey["questions"]] == sorted(
        q["position"] for q in survey["questions"]
    )
    assert get(cast.partner_key, f"/api/surveys/{cast.survey.pk}").status_code == 404


def test_every_decision_comes_with_its_reason_and_the_invitation(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(cast.owner_key, interaction_payload("call-1"))
    with django_capture_on_commit_callbacks(execute=True):
        post(cast.owner_key, interaction_payload("call-2", occurred_at="2026-11-20T11:15:00+01:00"))
    items = get(cast.owner_key, "/api/invitations", customer="K-1").json()["items"]
    first, second = items
    assert first["interaction"] == "call-1" and first["outcome"] == "invited"
    assert first["invitation"]["channel"] == "email"
    assert second["interaction"] == "call-2" and second["outcome"] == "not_invited"
    assert second["reason"] == "journey_asked" and second["reason_text"]
    assert second["invitation"] is None
    only = get(cast.owner_key, "/api/invitations", interaction="call-2").json()["items"]
    assert [d["id"] for d in only] == [second["id"]]
    assert get(cast.partner_key, "/api/invitations").json()["items"] == []
