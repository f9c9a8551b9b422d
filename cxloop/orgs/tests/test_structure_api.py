"""Keeping an organisation's structure in step with HR through the API: idempotent upserts by
the organisation's own codes, all or nothing with a report per row, dry runs, moves that keep
history, and leaving."""

import pytest
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.dashboards.models import DailyScore
from cxloop.lib.testing.responses import make_responses
from cxloop.orgs.models import Employee, Unit
from cxloop.responses.models import Response

pytestmark = pytest.mark.django_db


def put(key: str, path: str, body: dict):
    return Client().put(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def post(key: str, path: str):
    return Client().post(path, HTTP_AUTHORIZATION=f"Bearer {key}")


def get(key: str, path: str, **params):
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")


UNITS = [
    {"code": "wagenpark", "name": "Wagenparkbeheer", "kind": "department"},
    {"code": "team-inname", "name": "Team Inname", "parent": "wagenpark"},
    {"code": "team-verlenging", "name": "Team Verlenging", "parent": "wagenpark"},
]


def test_units_are_upserted_by_code_and_a_second_run_changes_nothing(cast):
    created = put(cast.owner_key, "/api/units", {"items": UNITS})
    assert created.status_code == 200, created.json()
    assert sorted(created.json()["created"]) == ["team-inname", "team-verlenging", "wagenpark"]
    team = Unit.objects.get(organisation=cast.owner, slug="team-inname")
    assert team.parent.slug == "wagenpark" and team.path == f"{team.parent.path}{team.pk}/"
    again = put(cast.owner_key, "/api/units", {"items": UNITS}).json()
    assert again["created"] == again["updated"] == again["moved"] == []
    assert sorted(again["unchanged"]) == sorted(u["code"] for u in UNITS)
    listed = get(cast.owner_key, "/api/units").json()
    assert {
        "code": "team-inname",
        "name": "Team Inname",
        "parent": "wagenpark",
        "kind": "team",
        "closed": False,
    } in listed
    assert not any(u["code"] == "team-inname" for u in get(cast.partner_key, "/api/units").json())


def test_a_unit_moved_under_another_parent_takes_its_history_along(cast):
    make_responses(
        cast, [9, 10, 3], employee=cast.agent
    )  # answers in Team Noord, under Klantenservice
    put(cast.owner_key, "/api/units", {"items": UNITS[:1]})
    moved = put(
        cast.owner_key,
        "/api/units",
        {"items": [{"code": "team-noord", "name": "Team Noord", "parent": "wagenpark"}]},
    )
    assert moved.json()["moved"] == ["team-noord"]
    department = Unit.objects.get(organisation=cast.owner, slug="wagenpark")
    team = Unit.objects.get(pk=cast.team.pk)
    assert team.path == f"{department.path}{team.pk}/"
    assert Response.objects.filter(unit_path__startswith=department.path).count() == 3
    assert DailyScore.objects.filter(unit_path__startswith=cast.department.path).count() == 0
    rolled = sum(
        r.promoters + r.passives + r.detractors
        for r in DailyScore.objects.filter(unit_path__startswith=department.path)
    )
    assert rolled == 3
    assert AuditEntry.objects.filter(action="unit.changed", api_key__isnull=False).exists()


@pytest.mark.parametrize(
    ("items", "index", "message"),
    [
        ([{"code": "Team Zuid", "name": "x"}], "0", "lower-case"),
        ([{"code": "a", "name": "A", "parent": "nowhere"}], "0", "neither a unit"),
        ([{"code": "a", "name": "A"}, {"code": "a", "name": "B"}], "1", "more than once"),
        (
            [{"code": "a", "name": "A", "parent": "b"}, {"code": "b", "name": "B", "parent": "a"}],
            "0",
            "cycle",
        ),
    ],
)
def test_bad_unit_rows_are_reported_by_row_and_nothing_is_written(cast, items, index, message):
    before = Unit.objects.count()
    refused = put(cast.owner_key, "/api/units", {"items": UNITS + items if index != "0" else items})
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert any(message in text for texts in errors.values() for text in texts), errors
    assert Unit.objects.count() == before


def test_a_unit_cannot_move_under_its_own_subtree(cast):
    refused = put(
        cast.owner_key,
        "/api/units",
        {
            "items": [
                {
                    "code": "klantenservice",
                    "name": "Klantenservice",
                    "parent": "team-noord",
                    "kind": "department",
                }
            ]
        },
    )
    assert refused.status_code == 422
    assert Unit.objects.get(pk=cast.department.pk).parent is None


def test_a_dry_run_reports_and_writes_nothing(cast):
    before = (Unit.objects.count(), AuditEntry.objects.count())
    report = put(cast.owner_key, "/api/units", {"items": UNITS, "dry_run": True}).json()
    assert report["dry_run"] and len(report["created"]) == 3
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_employees_are_upserted_moved_and_the_missing_ones_leave(cast):
    make_responses(cast, [9, 2], employee=cast.agent)
    put(cast.owner_key, "/api/units", {"items": UNITS})
    items = [
        {"code": "A1", "name": "Anouk Agent", "unit": "team-inname", "email": "anouk@leasewijs.nl"},
        {"code": "N1", "name": "Nina Nieuw", "unit": "team-inname"},
        {
            "code": "L1",
            "name": "Lotte de Lead",
            "unit": "team-noord",
            "email": "lotte@leasewijs.nl",
        },
    ]
    dry = put(
        cast.owner_key, "/api/employees", {"items": items, "dry_run": True, "leave_missing": True}
    ).json()
    assert dry["created"] == ["N1"] and dry["moved"] == ["A1"] and dry["left"] == ["B1"]
    assert not Employee.objects.filter(code="N1").exists()
    done = put(cast.owner_key, "/api/employees", {"items": items, "leave_missing": True}).json()
    assert done == {**dry, "dry_run": False}
    agent = Employee.objects.get(pk=cast.agent.pk)
    assert agent.unit.slug == "team-inname"
    # The answers about Anouk while she was in Team Noord stay there.
    assert set(Response.objects.filter(employee=agent).values_list("unit__slug", flat=True)) == {
        "team-noord"
    }
    colleague = Employee.objects.get(pk=cast.colleague.pk)
    assert colleague.left_at is not None and not colleague.user.is_active
    listed = get(cast.owner_key, "/api/employees").json()["items"]
    assert [e["code"] for e in listed] == ["A1", "L1", "N1"]
    assert "B1" in [
        e["code"] for e in get(cast.owner_key, "/api/employees", include_left=True).json()["items"]
    ]
    again = put(cast.owner_key, "/api/employees", {"items": items, "leave_missing": True}).json()
    assert sorted(again["unchanged"]) == ["A1", "L1", "N1"] and again["left"] == []


def test_a_bad_employee_row_is_named_and_nothing_is_written(cast):
    refused = put(
        cast.owner_key,
        "/api/employees",
        {
            "items": [
                {"code": "N1", "name": "Nina", "unit": "team-noord"},
                {"code": "N2", "name": "Nico", "unit": "nowhere"},
            ]
        },
    )
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["1"]
    assert not Employee.objects.filter(code__in=["N1", "N2"]).exists()


def test_leaving_keeps_history_ends_login_and_leadership(cast):
    make_responses(cast, [9, 9, 2], employee=cast.lead)
    left = post(cast.owner_key, f"/api/employees/{cast.lead.code}/leave")
    assert left.status_code == 200 and left.json()["left_at"]
    lead = Employee.objects.get(pk=cast.lead.pk)
    assert not lead.user.is_active and not Unit.objects.filter(lead=lead).exists()
    assert Response.objects.filter(employee=lead).count() == 3
    assert post(cast.partner_key, f"/api/employees/{cast.agent.code}/leave").status_code == 404
    assert Employee.objects.get(pk=cast.agent.pk).left_at is None


def test_a_read_key_may_list_but_not_upsert(cast):
    from cxloop.orgs.services import create_api_key

    _, raw = create_api_key(organisation=cast.owner, name="bi", scopes=frozenset({"read"}))
    assert get(raw, "/api/employees").status_code == 200
    assert put(raw, "/api/units", {"items": UNITS}).status_code == 403
