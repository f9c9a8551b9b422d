"""A rebuild while workers count responses that change: neither waits forever nor aborts, and
the roll-ups end up as the responses say (PostgreSQL: real row and table locks, two connections)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from cxloop.dashboards import rollups
from cxloop.dashboards.tests.test_rollup_changes import (
    assert_compacts_in_step,
    from_responses,
    rows,
)
from cxloop.lib.testing.postgres import require_postgres
from cxloop.lib.testing.responses import make_response
from cxloop.responses.models import Response


def count_changes(ids: list[int], rounds: int, failures: list[BaseException]) -> None:
    """A worker: change each response's score and day, and count it again, one transaction each."""
    try:
        for round_number in range(rounds):
            for position, pk in enumerate(ids):
                response = Response.objects.get(pk=pk)
                rollups.mark_changed(response)
                response.nps = (response.nps + 3) % 11
                days = (position * 7 + round_number * 31) % 120
                response.submitted_at = response.started_at - timedelta(days=days)
                response.save()
                rollups.add_response(response_id=pk)
    except BaseException as failure:  # reported to the test thread
        failures.append(failure)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_runs_while_workers_count(cast):
    require_postgres("row and table locks taken by two connections at once")
    ids = [
        make_response(cast, employee=employee, nps=n).pk
        for n in range(11)
        for employee in (cast.agent, cast.colleague)
    ]
    failures: list[BaseException] = []
    workers = [
        threading.Thread(target=count_changes, args=(ids[part::2], 4, failures)) for part in (0, 1)
    ]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        rollups.rebuild()
    for worker in workers:
        worker.join()
    assert failures == []
    for pk in rollups.uncounted():  # what the sweeper does next
        rollups.add_response(response_id=pk)
    assert rows() == from_responses()
    assert_compacts_in_step()
