"""The chain's set-up in the app: journey types, touchpoints, channels, agreements and partners,
by the admin of the organisation that leads the chain; a partner's admin joins by the e-mail link."""

import re

import pytest
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
from cxloop.lib.testing.logins import login_through_pages
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent
from cxloop.orgs.models import Chain, Membership, Organisation, Role

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-42"


def test_a_journey_type_is_created_and_renamed_keeping_its_id(cast):
    olivia = cast.client_for(cast.owner_admin)
    assert olivia.get("/chain/").status_code == 302
    assert olivia.get("/chain/leasewijs/").status_code == 200
    created = olivia.post(
        "/chain/leasewijs/journey-types/new/", {"name": "Klacht", "slug": "klacht"}
    )
    assert created.status_code == 302
    complaint = JourneyType.objects.get(slug="klacht")
    assert complaint.owner == cast.owner and complaint.chain == cast.chain
    page = olivia.get(f"/chain/leasewijs/journey-types/{complaint.pk}/")
    assert page.status_code == 200 and "Klacht" in page.content.decode()
    renamed = olivia.post(
        f"/chain/leasewijs/journey-types/{complaint.pk}/",
        {"name": "Klacht melden", "slug": "klacht-melden"},
    )
    assert renamed.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.name, complaint.slug) == ("Klacht melden", "klacht-melden")
    entry = AuditEntry.objects.filter(action="journey_type.changed").get()
    assert entry.before == {"name": "Klacht", "slug": "klacht"} and entry.user == cast.owner_admin


def test_slugs_are_checked(cast):
    olivia = cast.client_for(cast.owner_admin)
    taken = olivia.post(
        "/chain/leasewijs/journey-types/new/", {"name": "Dubbel", "slug": "schade-melden"}
    )
    assert taken.status_code == 422 and "al in gebruik" in taken.content.decode()
    assert (
        olivia.post(
            "/chain/leasewijs/channels/new/", {"name": "Chat", "slug": "chat met spaties"}
        ).status_code
        == 422
    )
    assert (
        olivia.post(
            "/chain/leasewijs/channels/new/", {"name": "Tel", "slug": "telefoon"}
        ).status_code
        == 422
    )
    path = f"/chain/leasewijs/journey-types/{cast.journey_type.pk}/touchpoints/new/"
    assert olivia.post(path, {"name": "x", "slug": "melding", "position": 2}).status_code == 422
    assert JourneyType.objects.filter(chain=cast.chain).count() == 1


def test_touchpoints_and_channels(cast):
    olivia = cast.client_for(cast.owner_admin)
    path = f"/chain/leasewijs/journey-types/{cast.journey_type.pk}/touchpoints/new/"
    assert (
        olivia.post(path, {"name": "Afhandeling", "slug": "afhandeling", "position": 2}).status_code
        == 302
    )
    assert Touchpoint.objects.filter(journey_type=cast.journey_type, slug="afhandeling").exists()
    edit = olivia.post(
        f"/chain/leasewijs/touchpoints/{cast.touchpoint.pk}/",
        {"name": "Melding", "slug": "melding", "position": 1},
    )
    assert edit.status_code == 302
    assert (
        olivia.post(
            "/chain/leasewijs/channels/new/", {"name": "WhatsApp", "slug": "whatsapp"}
        ).status_code
        == 302
    )
    assert Channel.objects.filter(chain=cast.chain, slug="whatsapp").exists()
    assert (
        olivia.post(
            f"/chain/leasewijs/channels/{cast.phone.pk}/", {"name": "Bellen", "slug": "telefoon"}
        ).status_code
        == 302
    )
    cast.phone.refresh_from_db()
    assert cast.phone.name == "Bellen"
    assert {
        "touchpoint.created",
        "touchpoint.changed",
        "channel.created",
        "channel.changed",
    } <= set(AuditEntry.objects.values_list("action", flat=True))


def test_the_owner_sets_the_agreement_per_journey_type(cast):
    olivia = cast.client_for(cast.owner_admin)
    path = f"/chain/leasewijs/journey-types/{cast.journey_type.pk}/agreements/"
    answer = olivia.post(
        path, {"organisation": cast.partner.pk, "visibility": "totals", "owner_case_access": "none"}
    )
    assert answer.status_code == 302
    agreement = DataSharingAgreement.objects.get(
        journey_type=cast.journey_type, organisation=cast.partner
    )
    assert (agreement.visibility, agreement.owner_case_access) == ("totals", "none")
    assert AuditEntry.objects.filter(action="agreement.changed").exists()
    # Only partners in the chain: not the owner itself, not another chain's organisation.
    for organisation in (cast.owner, cast.outsider_org):
        refused = olivia.post(
            path,
            {"organisation": organisation.pk, "visibility": "all", "owner_case_access": "read"},
        )
        assert refused.status_code == 422
    assert not DataSharingAgreement.objects.filter(organisation=cast.outsider_org).exists()


def test_only_the_admin_of_the_organisation_that_leads_the_chain(cast):
    for user in (cast.lead.user, cast.agent.user, cast.partner_admin, cast.outsider):
        client = cast.client_for(user)
        assert client.get("/chain/leasewijs/").status_code == 404, user
        assert (
            client.post("/chain/leasewijs/channels/new/", {"name": "X", "slug": "x"}).status_code
            == 404
        )
        assert (
            client.get(f"/chain/leasewijs/journey-types/{cast.journey_type.pk}/").status_code == 404
        )
    # Belcentrum owns no journey type: its admin leads nothing, not even its own slug.
    assert cast.client_for(cast.partner_admin).get("/chain/belcentrum/").status_code == 404
    assert cast.client_for(cast.partner_admin).get("/chain/").status_code == 404
    # Leasewijs's admin cannot reach another chain's objects through its own slug.
    other_channel = Channel.objects.create(
        chain=cast.outsider_org.chain, name="Balie", slug="balie"
    )
    assert (
        cast.client_for(cast.owner_admin)
        .get(f"/chain/leasewijs/channels/{other_channel.pk}/")
        .status_code
        == 404
    )


def test_a_new_chain_s_first_organisation_creates_the_first_journey_type(cast):
    chain = Chain.objects.create(name="Nieuwe keten", slug="nieuw")
    first = Organisation.objects.create(chain=chain, name="Eerste", slug="eerste")
    second = Organisation.objects.create(chain=chain, name="Tweede", slug="tweede")
    admin = cast.owner_admin
    Membership.objects.create(user=admin, organisation=first, role=Role.ORG_ADMIN)
    Membership.objects.create(user=admin, organisation=second, role=Role.ORG_ADMIN)
    client = cast.client_for(admin)
    assert client.get("/chain/eerste/").status_code == 200
    assert client.get("/chain/tweede/").status_code == 404


def test_a_partner_is_invited_and_its_admin_joins_through_the_link(
    cast, django_capture_on_commit_callbacks
):
    olivia = cast.client_for(cast.owner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = olivia.post(
            "/chain/leasewijs/partners/new/",
            {
                "name": "Schadeherstel Zuid",
                "slug": "schadeherstel-zuid",
                "admin_email": "beheer@schadeherstel.nl",
            },
        )
    assert answer.status_code == 302
    partner = Organisation.objects.get(slug="schadeherstel-zuid")
    assert partner.chain == cast.chain
    assert (
        olivia.post(
            "/chain/leasewijs/partners/new/",
            {"name": "Dubbel", "slug": "schadeherstel-zuid", "admin_email": "a@b.nl"},
        ).status_code
        == 422
    )
    message = OutboxMessage.objects.get(recipient="beheer@schadeherstel.nl")
    assert "Schadeherstel Zuid" in message.subject
    path = re.search(r"http://\S+(/account/welcome/\S+/)", as_sent(message).text).group(1)
    assert (
        Client().post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD}).status_code
        == 302
    )

    browser = Client()
    answer = login_through_pages(
        browser, "beheer@schadeherstel.nl", PASSWORD
    )  # sets up two-step verification
    assert answer.status_code in (200, 302)
    # The partner's admin manages its own people, and nothing of Leasewijs's.
    assert browser.get("/people/").headers["Location"] == "/people/schadeherstel-zuid/"
    assert browser.get("/people/schadeherstel-zuid/").status_code == 200
    assert browser.get("/people/leasewijs/").status_code == 404
    assert browser.get("/chain/leasewijs/").status_code == 404
    # The owner then sets what the partner sees of its journey type.
    path = f"/chain/leasewijs/journey-types/{cast.journey_type.pk}/agreements/"
    olivia.post(
        path, {"organisation": partner.pk, "visibility": "own", "owner_case_access": "read"}
    )
    assert DataSharingAgreement.objects.filter(
        organisation=partner, journey_type=cast.journey_type
    ).exists()
    assert AuditEntry.objects.filter(action="partner.invited", organisation=cast.owner).exists()
