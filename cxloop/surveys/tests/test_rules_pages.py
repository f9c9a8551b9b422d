"""Journey owners set invitation rules and the chain's contact policy in the UI."""

import pytest

from cxloop.lib.testing.postdata import rule_data
from cxloop.surveys.models import ContactPolicy, InvitationRule

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_rule_and_sees_it_listed(cast):
    admin = cast.client_for(cast.owner_admin)
    response = admin.post("/rules/new/?organisation=leasewijs", rule_data(cast))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = InvitationRule.objects.get(trigger="journey_end")
    assert (rule.organisation, rule.sampling_percent, rule.channel, rule.fallback_channel) == (
        cast.owner,
        50,
        "sms",
        "email",
    )
    assert "Schade melden" in admin.get("/rules/").content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"sampling_percent": 150},
        {"fallback_channel": "sms"},
        {"valid_days": 0},
        {"quiet_start": "25:00"},
        {"survey": 999999},
    ],
)
def test_bad_rules_are_refused_with_the_form_again(cast, change):
    response = cast.client_for(cast.owner_admin).post(
        "/rules/new/?organisation=leasewijs", rule_data(cast, **change)
    )
    assert response.status_code == 422
    assert not InvitationRule.objects.filter(trigger="journey_end").exists()


def test_a_rule_cannot_use_another_organisations_survey(cast):
    partner_survey = InvitationRule.objects.get(organisation=cast.partner).survey
    response = cast.client_for(cast.owner_admin).post(
        "/rules/new/?organisation=leasewijs", rule_data(cast, survey=partner_survey.pk)
    )
    assert response.status_code == 422


def test_others_cannot_see_or_edit_the_rules(cast):
    owner_rule = InvitationRule.objects.get(organisation=cast.owner)
    assert cast.client_for(cast.partner_admin).get(f"/rules/{owner_rule.pk}/").status_code == 404
    assert cast.client_for(cast.outsider).get(f"/rules/{owner_rule.pk}/").status_code == 404
    assert cast.client_for(cast.agent.user).get("/rules/").status_code == 404
    assert cast.client_for(cast.lead.user).get("/rules/").status_code == 404


def test_the_journey_owner_sets_the_chains_contact_policy(cast):
    admin = cast.client_for(cast.owner_admin)
    data = {
        "quarantine_days": 45,
        "cap_count": 2,
        "cap_period_days": 180,
        "one_request_per_journey": "on",
    }
    assert admin.post("/contact-policy/", data).status_code == 302
    policy = ContactPolicy.objects.get(chain=cast.chain)
    assert (policy.quarantine_days, policy.cap_count, policy.suppress_during_open_complaint) == (
        45,
        2,
        False,
    )
    assert admin.post("/contact-policy/", {**data, "quarantine_days": -1}).status_code == 422
    # A partner that owns no journeys does not set the chain's policy.
    assert cast.client_for(cast.partner_admin).get("/contact-policy/").status_code == 404
