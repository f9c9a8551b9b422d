"""The answer to "why was this customer (not) asked?", for the people allowed to see it."""

import pytest

from cxloop.conftest import interaction_payload
from cxloop.surveys.models import InvitationRule

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


def test_a_partner_sees_the_decisions_about_its_own_contacts_also_when_the_owners_rule_decided(
    cast, post_interaction
):
    # Leasewijs's rule governs the journey type: at the journey's end it decides, in its own name,
    # also when the last contact was Belcentrum's.
    InvitationRule.objects.filter(organisation=cast.owner).update(
        journey_type=cast.journey_type, trigger=InvitationRule.Trigger.JOURNEY_END
    )
    post_interaction(interaction_payload("lw-1", occurred_at="2026-11-20T09:00:00+01:00"))
    for external_id, journey_id in (("bel-1", "claim-123"), ("bel-2", "claim-2")):
        call = interaction_payload(
            external_id, employee="P1", journey_id=journey_id, journey_ended=True
        )
        post_interaction(call, key=cast.partner_key)
    page = cast.client_for(cast.partner_admin).get("/customers/?key=K-1")
    assert page.status_code == 200
    decisions = page.context["history"].decisions
    rows = [(d.interaction.external_id, d.organisation.slug, d.reason) for d in decisions]
    # Leasewijs's own call (lw-1, waiting for the journey's end) stays Leasewijs's.
    assert rows == [("bel-2", "leasewijs", "quarantine"), ("bel-1", "leasewijs", "invited")]
    text = page.content.decode()
    assert "Geen beslissingen die je mag zien" not in text  # what Paula was told before
    assert "onlangs uitgenodigd door een partner in de keten" in text  # the reasons, in Dutch
    assert "alle regels staan het toe" in text
    invitations = page.context["history"].invitations
    assert [(i.organisation.slug, i.interaction.external_id) for i in invitations] == [
        ("leasewijs", "bel-1")
    ]
    # The contact details on the page stay the reader's own organisation's.
    assert [c.organisation.slug for c in page.context["history"].contacts] == ["belcentrum"]


def test_outsiders_and_employees_see_nothing(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))
    assert cast.client_for(cast.outsider).get("/customers/?key=K-1").status_code == 404
    assert cast.client_for(cast.agent.user).get("/customers/?key=K-1").status_code == 404
    assert cast.client_for(cast.owner_admin).get("/customers/?key=K-unknown").status_code == 404
