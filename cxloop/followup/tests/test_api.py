"""Cases through the API: the rules of the case page, with the organisation's key as the actor."""

import pytest
from django.test import Client

from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.lib.testing.cases import case_for

pytestmark = pytest.mark.django_db


def call(key: str, method: str, path: str, body: dict | None = None, **params):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    if method == "get":
        return client.get(path, params)
    return client.post(path, body or {}, content_type="application/json")


def test_a_case_is_worked_from_open_to_closed_through_the_api(cast):
    case = case_for(cast, employee=cast.agent, comment="Niemand belde terug")
    key = cast.owner_key
    listed = call(key, "get", "/api/cases", open="true").json()["items"]
    assert [c["id"] for c in listed] == [case.pk]
    assert listed[0]["comment"] == "Niemand belde terug" and listed[0]["assignee"] == cast.lead.code
    early = call(key, "post", f"/api/cases/{case.pk}/status", {"status": "closed"})
    assert early.status_code == 409 and "resolve" in early.json()["detail"]
    started = call(
        key, "post", f"/api/cases/{case.pk}/status", {"status": "in_progress", "note": "Gebeld"}
    )
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    unknown = call(
        key, "post", f"/api/cases/{case.pk}/status", {"status": "resolved", "root_cause": "Weer"}
    )
    assert unknown.status_code == 422 and "root_cause" in unknown.json()["errors"]
    resolved = call(
        key,
        "post",
        f"/api/cases/{case.pk}/status",
        {
            "status": "resolved",
            "root_cause": cast.root_cause.name,
            "action_taken": "Teruggebeld en excuses",
        },
    )
    assert resolved.json()["root_cause"] == cast.root_cause.name
    noted = call(key, "post", f"/api/cases/{case.pk}/notes", {"note": "Klant tevreden"})
    assert noted.json()["events"][-1] == {
        **noted.json()["events"][-1],
        "kind": "note",
        "by": "API",
        "note": "Klant tevreden",
    }
    closed = call(key, "post", f"/api/cases/{case.pk}/status", {"status": "closed"})
    assert closed.json()["status"] == "closed"
    assert CaseEvent.objects.filter(case=case, api_key__isnull=False).count() == 4
    assert call(key, "get", "/api/cases", open="true").json()["items"] == []
    reopened = call(
        key,
        "post",
        f"/api/cases/{case.pk}/status",
        {"status": "in_progress", "note": "Belde opnieuw"},
    )
    assert reopened.json()["status"] == "in_progress"


def test_a_case_is_reassigned_to_an_employee_and_the_step_is_recorded(cast):
    case = case_for(cast, employee=cast.agent)
    answer = call(
        cast.owner_key, "post", f"/api/cases/{case.pk}/assignee", {"employee": cast.colleague.code}
    )
    assert answer.status_code == 200 and answer.json()["assignee"] == cast.colleague.code
    nobody = call(cast.owner_key, "post", f"/api/cases/{case.pk}/assignee", {"employee": "X9"})
    assert nobody.status_code == 422 and "employee" in nobody.json()["errors"]
    assert FollowUpCase.objects.get(pk=case.pk).assignee == cast.colleague


def test_another_organisation_neither_sees_nor_changes_the_case(cast):
    case = case_for(cast, employee=cast.agent)
    assert call(cast.partner_key, "get", "/api/cases").json()["items"] == []
    assert call(cast.partner_key, "get", f"/api/cases/{case.pk}").status_code == 404
    changed = call(cast.partner_key, "post", f"/api/cases/{case.pk}/notes", {"note": "x"})
    assert changed.status_code == 404
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_updated_since_lists_only_cases_with_a_step_since_then(cast):
    first, second = case_for(cast, employee=cast.agent), case_for(cast, employee=cast.colleague)
    listed = call(cast.owner_key, "get", "/api/cases").json()["items"]
    mark = max(c["updated_at"] for c in listed)
    call(cast.owner_key, "post", f"/api/cases/{second.pk}/notes", {"note": "later"})
    since = call(cast.owner_key, "get", "/api/cases", updated_since=mark).json()["items"]
    assert second.pk in [c["id"] for c in since]
    paged = call(cast.owner_key, "get", "/api/cases", limit=1).json()
    assert paged["next_after_id"] == first.pk and len(paged["items"]) == 1
