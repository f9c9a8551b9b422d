"""The answer to "why was this customer (not) asked?", for the people allowed to see it."""

import pytest

from cxloop.conftest import interaction_payload

pytestmark = pytest.mark.django_db


def test_the_journey_owner_sees_every_decision_with_its_reason(cast, post_interaction):
    post_interaction(interaction_payload("bel-1", employee="P1"), key=cast.partner_key)
    post_interaction(interaction_payload("lw-1"))
    page = cast.client_for(cast.owner_admin).get("/customers/?key=K-1&lang=en")
    assert page.status_code == 200
    decisions = page.context["history"].decisions
    assert [d.reason for d in decisions] == ["journey_asked", "invited"]
    assert "Belcentrum" in page.content.decode()


def test_a_partner_sees_only_its_own_decisions(cast, post_interaction):
    post_interaction(interaction_payload("bel-1", employee="P1"), key=cast.partner_key)
    post_interaction(interaction_payload("lw-1"))
    page = cast.client_for(cast.partner_admin).get("/customers/?key=K-1")
    assert [d.organisation.slug for d in page.context["history"].decisions] == ["belcentrum"]


def test_outsiders_and_employees_see_nothing(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))
    assert cast.client_for(cast.outsider).get("/customers/?key=K-1").status_code == 404
    assert cast.client_for(cast.agent.user).get("/customers/?key=K-1").status_code == 404
    assert cast.client_for(cast.owner_admin).get("/customers/?key=K-unknown").status_code == 404
