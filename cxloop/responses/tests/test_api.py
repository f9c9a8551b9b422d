"""GET /api/responses: content, filters, cursor paging, incremental loads and isolation."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cxloop.lib.testing.responses import make_response, make_responses
from cxloop.responses.models import Response

pytestmark = pytest.mark.django_db


def listed(key: str, **params):
    return Client().get("/api/responses", params, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_every_response_that_counts_is_listed_once_over_the_pages(cast):
    made = make_responses(cast, [10, 9, 8, 3, 0, 7, 6], employee=cast.agent)
    seen, cursor = [], ""
    while True:
        page = listed(cast.owner_key, limit=3, cursor=cursor).json()
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == sorted(r.pk for r in made)
    first = listed(cast.owner_key, limit=1).json()["items"][0]
    assert set(first) >= {"nps", "csat", "ces", "comment", "channel", "journey_type", "updated_at"}
    assert "employee" not in first and "unit" not in first


def test_filters_select_by_score_channel_journey_type_and_day(cast):
    make_responses(cast, [10, 9, 2], employee=cast.agent)
    old = make_response(cast, nps=1, employee=cast.agent, days_ago=10)
    detractors = listed(cast.owner_key, nps_max=6).json()["items"]
    assert sorted(i["nps"] for i in detractors) == [1, 2]
    today = timezone.localdate()
    recent = listed(cast.owner_key, since=(today - timedelta(days=2)).isoformat()).json()["items"]
    assert old.pk not in [i["id"] for i in recent] and len(recent) == 3
    assert listed(cast.owner_key, channel="telefoon").json()["items"]
    assert listed(cast.owner_key, channel="postduif").json()["items"] == []
    assert len(listed(cast.owner_key, journey_type="schade-melden").json()["items"]) == 4
    assert listed(cast.owner_key, nps_min=11).status_code == 422


def test_a_unit_filter_needs_the_minimum_of_answers(cast):
    make_responses(cast, [10, 9], employee=cast.agent)
    refused = listed(cast.owner_key, unit="team-noord")
    assert refused.status_code == 422 and "unit" in refused.json()["errors"]
    make_responses(cast, [8, 7, 6], employee=cast.colleague)
    assert len(listed(cast.owner_key, unit="klantenservice").json()["items"]) == 5
    assert listed(cast.owner_key, unit="nowhere").status_code == 422


def test_updated_since_gives_what_changed_in_the_order_it_changed(cast):
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        first, second = make_responses(cast, [10, 3], employee=cast.agent)
    mark = timezone.now() - timedelta(hours=1)
    response = Response.objects.get(pk=first.pk)
    response.comment = "Toch nog gebeld, dank!"
    response.save()
    changed = listed(cast.owner_key, updated_since=mark.isoformat()).json()
    assert [i["id"] for i in changed["items"]] == [first.pk]
    assert changed["items"][0]["comment"] == "Toch nog gebeld, dank!"
    assert listed(cast.owner_key, cursor="not-a-cursor").status_code == 422


def test_another_organisation_lists_none_of_them(cast):
    make_responses(cast, [10, 9, 8, 7, 6], employee=cast.agent)
    assert listed(cast.partner_key).json()["items"] == []
