"""The roll-ups follow a response that changes after it counted: another score, or no longer counting."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.db.models import Sum

from cxloop.dashboards import rollups
from cxloop.dashboards.models import DailyScore
from cxloop.lib.testing.responses import make_response
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
    response = make_response(cast, employee=cast.agent, nps=2)
    make_response(cast, employee=cast.agent, nps=9, comment="top")
    change(response, nps=9, ces=3)
    assert list(rows().values()) == [(2, 0, 0, 0, 0, 1, 3)]
    assert not rollups.add_response(response_id=response.pk)  # a second run changes nothing
    assert list(rows().values()) == [(2, 0, 0, 0, 0, 1, 3)]


def test_a_response_that_stops_counting_is_taken_out(cast):
    response = make_response(cast, employee=cast.agent, nps=2)
    change(response, nps=None, submitted_at=None)
    assert rows() == {}
    assert rollups.uncounted() == []


def test_a_response_counted_by_a_rebuild_is_taken_out_too(cast):
    response = make_response(cast, employee=cast.agent, nps=2)
    rollups.rebuild()
    assert Response.objects.get(pk=response.pk).counted_key == ""  # a rebuild keeps no keys
    change(response, nps=None, submitted_at=None)
    assert rows() == {}


def test_counting_changes_one_by_one_gives_what_a_rebuild_gives(cast):
    first = make_response(cast, employee=cast.agent, nps=2)
    second = make_response(cast, employee=cast.colleague, nps=7)
    make_response(cast, employee=cast.partner_agent, nps=10)
    change(first, nps=8, csat=5)
    change(second, nps=None, submitted_at=None)
    change(second, nps=0, submitted_at=first.submitted_at)
    one_by_one = rows()
    rollups.rebuild()
    assert rows() == one_by_one


def compact_rows() -> dict[str, dict[tuple, tuple[int, ...]]]:
    """The compact roll-ups as they are, and as the day rows sum up to (rows holding something)."""
    found: dict[str, dict[tuple, tuple[int, ...]]] = {}
    for compact in rollups.COMPACTS:
        fields = ("day", *compact.dimensions)
        for label, source in (("stored", compact.model.objects), ("summed", compact.sources())):
            grouped = (
                source.values(*fields).annotate(**{name: Sum(name) for name in COUNTS}).order_by()
            )
            found[f"{compact.model.__name__} {label}"] = {
                tuple(row[name] for name in fields): tuple(row[name] for name in COUNTS)
                for row in grouped
                if any(row[name] for name in COUNTS)
            }
    return found


def assert_compacts_in_step() -> None:
    found = compact_rows()
    for compact in rollups.COMPACTS:
        name = compact.model.__name__
        assert found[f"{name} stored"] == found[f"{name} summed"], name
        assert found[f"{name} stored"], name  # the scenario gives every roll-up something


def test_the_compact_roll_ups_follow_every_change_and_a_rebuild(cast):
    first = make_response(cast, employee=cast.agent, nps=2)
    second = make_response(cast, employee=cast.colleague, nps=7)
    make_response(cast, employee=cast.partner_agent, nps=10)
    change(first, nps=8, csat=5)
    change(second, nps=None, submitted_at=None)
    assert_compacts_in_step()
    one_by_one = compact_rows()
    rollups.rebuild()
    assert_compacts_in_step()
    assert compact_rows() == one_by_one


def from_responses() -> dict[str, tuple[int, ...]]:
    """The day rows worked out in Python from the responses that count, as rows() shows them."""
    counted: dict[str, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
    for response in Response.objects.filter(submitted_at__isnull=False).select_related("customer"):
        nps, csat, ces = response.nps, response.csat, response.ces
        flags = (
            nps is not None and nps >= 9,
            nps is not None and 7 <= nps <= 8,
            nps is not None and nps <= 6,
            csat is not None,
            csat is not None and csat >= 4,
            ces is not None,
        )
        row = counted[rollups.key_of(response)]
        for index, flag in enumerate(flags):
            row[index] += int(flag)
        row[6] += ces or 0
    return {key: tuple(values) for key, values in counted.items() if any(values)}


def test_a_rebuild_over_many_months_gives_what_the_responses_give(cast):
    """A rebuild works a slice of days at a time: responses months apart, one moved to another
    slice after it was counted, one taken out, and one moved but not counted again yet."""
    responses = [make_response(cast, employee=cast.agent, nps=n) for n in (1, 5, 8, 9, 10)]
    now = responses[0].submitted_at
    for days_ago, response in zip((40, 100, 250, 300), responses[1:], strict=True):
        change(response, submitted_at=now - timedelta(days=days_ago))
    change(responses[1], submitted_at=now - timedelta(days=200))
    change(responses[2], nps=None, submitted_at=None)
    pending = Response.objects.get(pk=responses[4].pk)
    rollups.mark_changed(pending)
    pending.nps, pending.submitted_at = 0, now - timedelta(days=5)
    pending.save()
    rollups.rebuild()
    assert rows() == from_responses()
    assert_compacts_in_step()
    # Counted in a row of another slice than its own now: left for live counting, which agrees.
    assert rollups.uncounted() == [pending.pk]
    assert rollups.add_response(response_id=pending.pk)
    assert rows() == from_responses()
    change(responses[3], nps=6)  # counting goes on from what the rebuild left
    assert rows() == from_responses()
    assert_compacts_in_step()


def test_a_rebuild_corrects_rows_that_are_wrong_and_removes_rows_no_response_makes(cast):
    """A rebuild keeps the rows it finds where they are right, and rewrites or deletes the rest."""
    kept = make_response(cast, employee=cast.agent, nps=9)
    make_response(cast, employee=cast.colleague, nps=3, ces=4)
    rollups.rebuild()
    wrong = DailyScore.objects.get(key=rollups.key_of(kept))
    DailyScore.objects.filter(pk=wrong.pk).update(promoters=5, ces_sum=12)
    DailyScore.objects.create(
        key=f"{wrong.day.isoformat()}|stray", day=wrong.day, organisation=cast.owner, detractors=2
    )
    DailyScore.objects.create(
        key=f"{wrong.day.isoformat()}|empty", day=wrong.day, organisation=cast.owner
    )
    rollups.rebuild()
    assert rows() == from_responses()
    assert set(DailyScore.objects.values_list("key", flat=True)) == set(from_responses())
    assert_compacts_in_step()


def test_a_rebuild_inside_a_transaction_leaves_its_query_settings_as_they_were(cast):
    """A slice hashes its groups with sorting off; the queries after it in the same transaction
    (here: the test's) must plan as before, or every sort-needing read after a rebuild crawls."""
    from django.db import connection

    from cxloop.lib.testing.postgres import require_postgres

    require_postgres("the planner settings a rebuild's slices change")
    make_response(cast, employee=cast.agent, nps=9)

    def settings_now() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_sort'), current_setting('work_mem')")
            return cursor.fetchone()

    before = settings_now()
    rollups.rebuild()
    assert settings_now() == before == ("on", before[1])
