"""The roll-ups follow a response that changes after it counted: another score, or no longer counting."""

import pytest

from cxloop.dashboards import rollups
from cxloop.dashboards.models import DailyScore
from cxloop.dashboards.tests.test_access import add_response
from cxloop.responses.models import Response

pytestmark = pytest.mark.django_db

COUNTS = ("promoters", "passives", "detractors", "csat_n", "csat_top2", "ces_n", "ces_sum")


def rows() -> dict[str, tuple[int, ...]]:
    """Every roll-up row that holds something, by key."""
    return {
        row["key"]: tuple(row[name] for name in COUNTS)
        for row in DailyScore.objects.values("key", *COUNTS)
        if any(row[name] for name in COUNTS)
    }


def change(response: Response, **fields) -> None:
    """What the response services do: mark it changed, change it, save, count it again."""
    response.refresh_from_db()
    rollups.mark_changed(response)
    for name, value in fields.items():
        setattr(response, name, value)
    response.save()
    assert rollups.add_response(response_id=response.pk)


def test_a_changed_score_moves_to_its_new_bucket_once(cast):
    response = add_response(cast, employee=cast.agent, nps=2)
    add_response(cast, employee=cast.agent, nps=9, comment="top")
    change(response, nps=9, ces=3)
    assert list(rows().values()) == [(2, 0, 0, 0, 0, 1, 3)]
    assert not rollups.add_response(response_id=response.pk)  # a second run changes nothing
    assert list(rows().values()) == [(2, 0, 0, 0, 0, 1, 3)]


def test_a_response_that_stops_counting_is_taken_out(cast):
    response = add_response(cast, employee=cast.agent, nps=2)
    change(response, nps=None, submitted_at=None)
    assert rows() == {}
    assert rollups.uncounted() == []


def test_a_response_counted_by_a_rebuild_is_taken_out_too(cast):
    response = add_response(cast, employee=cast.agent, nps=2)
    rollups.rebuild()
    assert Response.objects.get(pk=response.pk).counted_key == ""  # a rebuild keeps no keys
    change(response, nps=None, submitted_at=None)
    assert rows() == {}


def test_counting_changes_one_by_one_gives_what_a_rebuild_gives(cast):
    first = add_response(cast, employee=cast.agent, nps=2)
    second = add_response(cast, employee=cast.colleague, nps=7)
    add_response(cast, employee=cast.partner_agent, nps=10)
    change(first, nps=8, csat=5)
    change(second, nps=None, submitted_at=None)
    change(second, nps=0, submitted_at=first.submitted_at)
    one_by_one = rows()
    rollups.rebuild()
    assert rows() == one_by_one
