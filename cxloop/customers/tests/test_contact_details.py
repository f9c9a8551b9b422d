"""Contact details belong to the organisation that supplied them: no API key redirects another's messages."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from cxloop.audit.models import AuditEntry
from cxloop.conftest import interaction_payload
from cxloop.customers.models import Customer, CustomerContact
from cxloop.followup.models import FollowUpCase
from cxloop.journeys.models import Journey
from cxloop.lib.testing.smtp import smtp_server
from cxloop.messaging.models import OutboxMessage
from cxloop.surveys.models import ContactPolicy, Invitation, InvitationDecision
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db

ATTACKER = "aanvaller@example.org"


def partner_call(external_id: str, **overrides) -> dict:
    return interaction_payload(external_id, employee="P1", **overrides)


def test_a_partner_key_cannot_redirect_the_owners_customer_informed_message(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    post_interaction(interaction_payload("lw-1"))
    path = survey_path_from_outbox("klant@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {f"q{cast.nps_question.pk}": "3", "action": "submit"})
    case = FollowUpCase.objects.get()
    assert case.organisation == cast.owner

    # The attack: the partner posts into the same journey with its own address for the shared customer.
    attack = partner_call(
        "bel-1", customer={"key": "K-1", "email": ATTACKER, "phone": "+31600000000"}
    )
    assert post_interaction(attack, key=cast.partner_key).status_code == 201

    lead = cast.client_for(cast.lead.user)
    case_page = lead.get(f"/cases/{case.pk}/").content.decode()
    assert (
        "klant@example.nl" in case_page
        and ATTACKER not in case_page
        and "+31600000000" not in case_page
    )
    lead.post(
        f"/cases/{case.pk}/resolve/",
        {"root_cause": cast.root_cause.pk, "action_taken": "Wachtrij aangepast"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        informed = lead.post(
            f"/cases/{case.pk}/inform/", {"subject": "Wat we deden", "body": "Aangepast."}
        )
    assert informed.status_code == 302
    message = OutboxMessage.objects.get(purpose="customer_informed")
    assert message.recipient == "klant@example.nl"
    assert not OutboxMessage.objects.filter(recipient=ATTACKER).exists()

    # Each organisation keeps its own details; the chain's customer record is not rewritten.
    own = {c.organisation_id: c.email for c in CustomerContact.objects.all()}
    assert own == {cast.owner.pk: "klant@example.nl", cast.partner.pk: ATTACKER}
    assert Customer.objects.get().email == ""


def test_each_organisation_invites_at_its_own_address(cast, post_interaction):
    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0, one_request_per_journey=False)
    post_interaction(interaction_payload("lw-1"))
    post_interaction(
        partner_call(
            "bel-1", journey_id="claim-2", customer={"key": "K-1", "email": "partner@example.nl"}
        ),
        key=cast.partner_key,
    )
    post_interaction(interaction_payload("lw-2", journey_id="claim-3"))
    sent = list(
        Invitation.objects.order_by("pk").values_list(
            "organisation__slug", "interaction__external_id"
        )
    )
    assert sent == [("leasewijs", "lw-1"), ("belcentrum", "bel-1"), ("leasewijs", "lw-2")]
    recipients = list(
        OutboxMessage.objects.filter(purpose="invitation")
        .order_by("pk")
        .values_list("recipient", flat=True)
    )
    assert recipients == ["klant@example.nl", "partner@example.nl", "klant@example.nl"]


def test_contact_changes_are_in_the_audit_log_with_who_before_and_after(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))
    post_interaction(
        partner_call("bel-1", customer={"key": "K-1", "email": ATTACKER}), key=cast.partner_key
    )
    post_interaction(
        interaction_payload("lw-2", customer={"key": "K-1", "email": "nieuw@example.nl"})
    )
    post_interaction(
        interaction_payload("lw-3", customer={"key": "K-1", "email": "nieuw@example.nl"})
    )  # no change
    entries = list(AuditEntry.objects.filter(action__startswith="customer.contact").order_by("pk"))
    customer = Customer.objects.get()
    assert [(e.action, e.organisation_id, e.api_key.organisation_id) for e in entries] == [
        ("customer.contact_added", cast.owner.pk, cast.owner.pk),
        ("customer.contact_added", cast.partner.pk, cast.partner.pk),
        ("customer.contact_changed", cast.owner.pk, cast.owner.pk),
    ]
    assert all(
        e.customer_id == customer.pk and e.actor_label.startswith("API key ") for e in entries
    )
    assert entries[1].before == {} and entries[1].after["email"] == ATTACKER
    assert (entries[2].before["email"], entries[2].after["email"]) == (
        "klant@example.nl",
        "nieuw@example.nl",
    )
    assert ATTACKER not in entries[2].object_repr  # the entry names the record, not the address


def test_an_import_keeps_the_details_as_the_importing_organisations(cast, tmp_path):
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "external_id,occurred_at,customer_key,customer_email,journey_id,journey_type,channel\n"
        "imp-1,2026-11-20T10:15:00+01:00,K-7,zeven@example.nl,claim-7,schade-melden,telefoon\n"
    )
    call_command(
        "importinteractions", str(csv), organisation="belcentrum", stdout=open("/dev/null", "w")
    )
    contact = CustomerContact.objects.get(customer__key="K-7")
    assert (contact.organisation, contact.email, contact.source) == (
        cast.partner,
        "zeven@example.nl",
        "import",
    )
    entry = AuditEntry.objects.get(action="customer.contact_added")
    assert entry.actor_label == "cxloop" and entry.detail == "source: import"


def test_a_partner_uses_the_owners_details_only_when_the_chain_allows_it(cast, post_interaction):
    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0, one_request_per_journey=False)
    post_interaction(interaction_payload("lw-1"))
    no_details = {"key": "K-1"}
    post_interaction(
        partner_call("bel-1", journey_id="claim-2", customer=no_details), key=cast.partner_key
    )
    assert InvitationDecision.objects.get(interaction__external_id="bel-1").reason == "no_address"

    assert cast.client_for(cast.partner_admin).get("/customers/contact-sharing/").status_code == 404
    owner_admin = cast.client_for(cast.owner_admin)
    assert owner_admin.get("/customers/contact-sharing/").status_code == 200
    assert (
        owner_admin.post(
            "/customers/contact-sharing/", {"partners_use_owner_details": "on"}
        ).status_code
        == 302
    )
    # The rule binds the whole chain: each organisation's log holds it.
    entries = AuditEntry.objects.filter(action="chain.contact_sharing_changed")
    assert {e.organisation for e in entries} == {cast.owner, cast.partner}
    entry = entries.get(organisation=cast.owner)
    assert (entry.user, entry.before, entry.after) == (
        cast.owner_admin,
        {"partners_use_owner_details": False},
        {"partners_use_owner_details": True},
    )

    post_interaction(
        partner_call("bel-2", journey_id="claim-3", customer=no_details), key=cast.partner_key
    )
    invitation = Invitation.objects.get(interaction__external_id="bel-2")
    assert invitation.organisation == cast.partner
    assert (
        OutboxMessage.objects.get(subject_id=invitation.pk, purpose="invitation").recipient
        == "klant@example.nl"
    )


def test_a_bounce_marks_the_address_that_bounced_not_another_organisations(cast, post_interaction):
    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0, one_request_per_journey=False)
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
    }
    with (
        smtp_server(reject={"klant@example.nl"}) as mailbox,
        override_settings(EMAIL_PORT=mailbox.port, **smtp),
    ):
        post_interaction(interaction_payload("lw-1"))
        post_interaction(
            partner_call(
                "bel-1",
                journey_id="claim-2",
                customer={"key": "K-1", "email": "partner@example.nl"},
            ),
            key=cast.partner_key,
        )
        post_interaction(interaction_payload("lw-2", journey_id="claim-3", customer={"key": "K-1"}))
    contacts = {c.organisation_id: c for c in CustomerContact.objects.all()}
    assert contacts[cast.owner.pk].email_invalid_at is not None
    assert contacts[cast.partner.pk].email_invalid_at is None
    assert [m["To"] for m in mailbox.messages] == ["partner@example.nl"]
    # The owner's only address bounced: the partner's is not borrowed for the owner's invitation.
    assert InvitationDecision.objects.get(interaction__external_id="lw-2").reason == "no_address"
    # A new address from the owner starts without the mark.
    post_interaction(
        interaction_payload(
            "lw-3", journey_id="claim-4", customer={"key": "K-1", "email": "nieuw@example.nl"}
        )
    )
    assert CustomerContact.objects.get(organisation=cast.owner).email_invalid_at is None


def test_probing_journey_ids_reveals_nothing_about_other_customers(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))  # claim-123 is K-1's journey with the owner
    probe_existing = partner_call("p-1", customer={"key": "K-2"}, journey_id="claim-123")
    probe_new = partner_call("p-2", customer={"key": "K-2"}, journey_id="claim-never-used")
    answers = [post_interaction(p, key=cast.partner_key) for p in (probe_existing, probe_new)]
    assert [a.status_code for a in answers] == [201, 201]
    assert [sorted(a.json()) for a in answers] == [["created", "external_id", "id"]] * 2
    assert [a.json()["created"] for a in answers] == [True, True]
    # K-1's journey is untouched: the partner's call made a journey of K-2's own.
    owners_journey = Journey.objects.get(customer__key="K-1")
    assert list(owners_journey.interactions.values_list("external_id", flat=True)) == ["lw-1"]
    assert Journey.objects.filter(customer__key="K-2", external_id="claim-123").exists()

    # A refused item reads the same whether or not the id is in use elsewhere.
    bad = {"journey_type": "bestaat-niet", "customer": {"key": "K-3"}}
    refused = [
        post_interaction(partner_call(f"p-{n}", journey_id=journey_id, **bad), key=cast.partner_key)
        for n, journey_id in ((3, "claim-123"), (4, "claim-never-used-either"))
    ]
    assert [r.status_code for r in refused] == [422, 422]
    assert refused[0].json() == refused[1].json()
    assert "claim" not in str(refused[0].json()) and "belongs to" not in str(refused[0].json())


def test_a_batch_with_an_id_in_use_elsewhere_is_recorded_like_any_other(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))
    items = [
        partner_call("b-1", customer={"key": "K-9"}),
        partner_call("b-2", customer={"key": "K-9"}, journey_id="x"),
    ]
    response = Client().post(
        "/api/interactions/batch",
        data={"items": items},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}",
    )
    assert response.status_code == 200 and response.json()["created"] == 2
