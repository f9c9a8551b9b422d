"""Metrics through the API: the dashboards' numbers, grouped, with the minimum-n rule held."""

import pytest
from django.test import Client

from cxloop import stats
from cxloop.lib.testing.responses import make_responses

pytestmark = pytest.mark.django_db


def metrics(key: str, **params):
    return Client().get("/api/metrics", params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_organisations_nps_with_n_and_interval_equals_the_formula(cast):
    scores = [10, 9, 9, 8, 7, 6, 3, 0, 10, 9]
    make_responses(cast, scores, employee=cast.agent)
    answer = metrics(cast.owner_key, days=30)
    assert answer.status_code == 200
    (item,) = answer.json()["items"]
    expected = stats.nps_from_scores(scores)
    assert item["nps"]["n"] == 10 and item["nps"]["value"] == pytest.approx(
        expected.score, abs=0.01
    )
    assert item["nps"]["low"] == pytest.approx(expected.low, abs=0.01)
    assert item["nps"]["high"] == pytest.approx(expected.high, abs=0.01)
    assert item["csat"] == {
        "value": None,
        "n": 0,
        "low": None,
        "high": None,
        "hidden": False,
        "reason": "",
    }


def test_an_employee_below_the_minimum_comes_without_a_score(cast):
    make_responses(cast, [10] * 6, employee=cast.agent)
    make_responses(cast, [10] * 6, employee=cast.lead)
    make_responses(cast, [0, 0], employee=cast.colleague)  # 2 answers: below the minimum of 5
    items = {
        i["key"]: i for i in metrics(cast.owner_key, group_by="employee", days=30).json()["items"]
    }
    assert items["B1"]["nps"]["value"] is None and items["B1"]["nps"]["hidden"]
    assert items["B1"]["nps"]["reason"] == "minimum"
    # What is shown never gives the colleague's two answers away: the team's total minus the
    # employees shown must not leave them alone.
    units = {i["key"]: i for i in metrics(cast.owner_key, group_by="unit", days=30).json()["items"]}
    shown = [items[code]["nps"] for code in ("A1", "L1") if items[code]["nps"]["value"] is not None]
    team_shown = units["team-noord"]["nps"]["value"] is not None
    assert not (team_shown and len(shown) == 2)


def test_units_and_employees_need_a_preset_period(cast):
    refused = metrics(cast.owner_key, group_by="unit", since="2026-01-01", until="2026-03-31")
    assert refused.status_code == 422 and "group_by" in refused.json()["errors"]
    assert metrics(cast.owner_key, days=12).status_code == 422
    assert metrics(cast.owner_key, group_by="nonsense").status_code == 422


def test_groups_by_channel_and_period_add_up_to_the_whole(cast):
    make_responses(cast, [10, 9, 3, 8, 10, 2], employee=cast.agent)
    make_responses(cast, [9, 9, 9, 9, 1], employee=cast.agent, days_ago=40)
    whole = metrics(cast.owner_key, days=90).json()["items"][0]["nps"]["n"]
    by_channel = metrics(cast.owner_key, group_by="channel", days=90).json()["items"]
    assert sum(i["nps"]["n"] or 0 for i in by_channel) == whole == 11
    by_month = metrics(cast.owner_key, group_by="month", days=90).json()["items"]
    assert sum(i["nps"]["n"] or 0 for i in by_month) == 11


def test_another_organisation_reads_only_its_own(cast):
    make_responses(cast, [10] * 6, employee=cast.agent)
    (item,) = metrics(cast.partner_key, days=30).json()["items"]
    assert item["key"] == cast.partner.slug and item["nps"]["n"] == 0
