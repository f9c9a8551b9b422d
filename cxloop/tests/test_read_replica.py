"""Dashboards and the API's GETs read from a real PostgreSQL streaming replica; writes go to the primary.

The test sets up its own small primary and hot standby (cxloop.lib.testing.streaming_replica) and
runs cxloop against them in a process of its own, with CXLOOP_DATABASE_URL and
CXLOOP_DATABASE_REPLICA_URL set as an operator would; there replica_scenario.py makes the tables on
the primary and uses the pages and the API, recording which database ran each statement.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cxloop.lib.testing.streaming_replica import skip_or_fail_without_tools, streaming_replica

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict:
    skip_or_fail_without_tools()
    with streaming_replica() as pair:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CXLOOP_DATA_DIR": str(tmp_path_factory.mktemp("replica-data")),
            "CXLOOP_DATABASE_URL": pair.primary_url,
            "CXLOOP_DATABASE_REPLICA_URL": pair.replica_url,
            "CXLOOP_TESTING": "1",  # tasks run at once, counters in memory, fast password hashes
        }
        run = {"env": env, "cwd": ROOT, "capture_output": True, "text": True, "timeout": 120}
        scenario = subprocess.run([sys.executable, "-m", "cxloop.tests.replica_scenario"], **run)
        assert scenario.returncode == 0, scenario.stderr[-3000:]
        return json.loads(scenario.stdout)


def test_the_replica_alias_is_the_standby_and_default_the_primary(seen):
    assert seen["replica_in_recovery"] is True
    assert seen["default_in_recovery"] is False
    assert seen["replica_port"] != seen["default_port"]


def test_a_dashboard_page_reads_its_data_from_the_replica(seen):
    page = seen["dashboard"]
    assert page["status"] == 200
    assert page["replica"] >= 5  # the page's data
    # What is left on the primary: the session, the person and their second factor.
    assert page["default"] < page["replica"]


def test_an_api_get_reads_from_the_replica(seen):
    assert seen["api_get"]["status"] == 200
    assert seen["api_get"]["replica"] >= 1


def test_a_write_lands_on_the_primary_and_reaches_the_replica(seen):
    assert seen["api_post"]["status"] in (200, 201)
    assert seen["api_post"]["replica"] == 0
    assert seen["written_on_primary"] is True
    assert seen["replicated"] is True


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(seen):
    request = seen["read_after_write"]
    assert request["status"] == 200
    assert request["write_on"] == "default"
    assert request["replica_before_write"] >= 1  # it found the customer on the replica
    assert request["replica_after_write"] == 0
    assert request["primary_after_write"] >= 1  # and read the export from the primary


def test_the_page_after_a_browsers_write_reads_the_primary(seen):
    assert seen["export"] == {"status": 200, "pinned": True}
    page = seen["page_after_write"]
    assert page["status"] == 200
    assert page["replica"] == 0
