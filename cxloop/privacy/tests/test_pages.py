"""The privacy pages: who gets them (privacy officers and admins of the organisation, nobody
else), finding a customer, the erasure's confirmation, retention, and the audit log's filters."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from cxloop.audit.models import AuditEntry
from cxloop.audit.services import record_change
from cxloop.conftest import PASSWORD
from cxloop.customers.models import Customer
from cxloop.lib.testing.logins import logged_in
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role
from cxloop.privacy.models import ErasureReceipt, RetentionPolicy
from cxloop.privacy.tests import loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, tmp_path, django_capture_on_commit_callbacks):
    return loop.push_through_loop(cast, tmp_path, django_capture_on_commit_callbacks)


def officer_of(organisation, username: str):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    grant_role(user=user, organisation=organisation, role=Role.PRIVACY_OFFICER)
    return user


def urls(customer: Customer, receipt: ErasureReceipt) -> list[str]:
    base = "/privacy/leasewijs"
    return [
        f"{base}/",
        f"{base}/?q={loop.KEY}",
        f"{base}/customers/{customer.pk}/",
        f"{base}/customers/{customer.pk}/export.json",
        f"{base}/customers/{customer.pk}/erase/",
        f"{base}/receipts/",
        f"{base}/receipts/{receipt.pk}/",
        f"{base}/retention/",
        f"{base}/audit/",
    ]


def test_privacy_officers_and_admins_of_the_organisation_get_the_pages_everyone_else_404(
    cast, world
):
    from cxloop.privacy import services

    gone = Customer.objects.create(chain=cast.chain, key="KLANT-WEG-1")
    receipt = services.erase_customer(organisation=cast.owner, customer=gone, actor=None)
    petra = get_user_model().objects.get(username="petra")  # the owner's privacy officer
    allowed = [petra, cast.owner_admin]
    refused = [
        cast.lead.user,
        cast.agent.user,
        cast.partner_admin,
        officer_of(cast.partner, "piet"),
        cast.outsider,
    ]
    for user in allowed:
        client = cast.client_for(user)
        for url in urls(world.customer, receipt):
            assert client.get(url).status_code == 200, (user, url)
    for user in refused:
        client = cast.client_for(user)
        for url in urls(world.customer, receipt):
            assert client.get(url).status_code == 404, (user, url)
        assert (
            client.post(
                f"/privacy/leasewijs/customers/{world.customer.pk}/erase/", {"confirm": "1"}
            ).status_code
            == 404
        )
    assert Client().get("/privacy/leasewijs/").status_code == 302  # to the login page
    assert Customer.objects.filter(pk=world.customer.pk).exists()


def test_the_navigation_leads_privacy_officers_to_their_page(cast, world):
    petra = cast.client_for(get_user_model().objects.get(username="petra"))
    assert petra.get("/privacy/").url == "/privacy/leasewijs/"
    assert 'href="/privacy/"' in petra.get("/privacy/leasewijs/").content.decode()
    lead_page = cast.client_for(cast.lead.user).get("/cases/").content.decode()
    assert 'href="/privacy/"' not in lead_page
    # Someone who answers for two organisations chooses.
    grant_role(user=cast.owner_admin, organisation=cast.partner, role=Role.PRIVACY_OFFICER)
    choice = cast.client_for(cast.owner_admin).get("/privacy/")
    assert choice.status_code == 200 and "/privacy/belcentrum/" in choice.content.decode()


@pytest.mark.parametrize(
    "query", [loop.KEY, loop.EMAIL.upper(), "0613579246", "+31613579246", loop.PHONE]
)
def test_a_customer_is_found_by_key_address_or_phone_in_any_spelling(cast, world, query):
    page = cast.client_for(cast.owner_admin).get("/privacy/leasewijs/", {"q": query})
    assert f"/privacy/leasewijs/customers/{world.customer.pk}/" in page.content.decode()
    found = AuditEntry.objects.get(action="customer.found", actor_label="olivia")
    assert found.customer_id == world.customer.pk and found.kind == "view"


def test_a_search_finds_only_whole_values_of_customers_the_organisation_holds(cast, world):
    partner = cast.client_for(cast.partner_admin)
    page = partner.get("/privacy/belcentrum/", {"q": "controle@example.nl"}).content.decode()
    assert "belcentrum/customers/" not in page and "No customer found" in page
    assert (
        "belcentrum/customers/"
        in partner.get("/privacy/belcentrum/", {"q": loop.KEY}).content.decode()
    )
    owner = cast.client_for(cast.owner_admin)
    assert (
        "leasewijs/customers/"
        not in owner.get("/privacy/leasewijs/", {"q": "zwartekoffie"}).content.decode()
    )
    assert owner.get(f"/privacy/belcentrum/customers/{world.other.pk}/").status_code == 404
    assert partner.get(f"/privacy/belcentrum/customers/{world.other.pk}/").status_code == 404


def test_erasing_on_the_page_needs_the_confirmation_and_a_csrf_token(cast, world):
    url = f"/privacy/leasewijs/customers/{world.customer.pk}/erase/"
    officer = cast.client_for(cast.owner_admin)
    page = officer.get(url).content.decode()
    assert "journeys_interaction" in page and "Belcentrum" in page
    unconfirmed = officer.post(url, {})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    strict = Client(enforce_csrf_checks=True)
    logged_in(cast.owner_admin, strict)
    assert strict.post(url, {"confirm": "1"}).status_code == 403
    assert Customer.objects.filter(pk=world.customer.pk).exists()
    erased = officer.post(url, {"confirm": "1"})
    assert erased.status_code == 302 and not Customer.objects.filter(pk=world.customer.pk).exists()
    # Afterwards the key is found only as erased, with its receipt.
    search = officer.get("/privacy/leasewijs/", {"q": loop.KEY}).content.decode()
    assert erased["Location"] in search
    assert officer.get(url).status_code == 404


def test_retention_is_edited_on_the_page_and_the_change_is_audited(cast):
    officer = cast.client_for(officer_of(cast.owner, "petra"))
    page = officer.get("/privacy/leasewijs/retention/").content.decode()
    assert 'value="12"' in page and 'value="24"' in page and 'value="30"' in page
    bad = officer.post(
        "/privacy/leasewijs/retention/",
        {"contact_months": "0", "free_text_months": "500", "message_body_days": "x"},
    )
    assert bad.status_code == 400 and not RetentionPolicy.objects.exists()
    saved = officer.post(
        "/privacy/leasewijs/retention/",
        {"contact_months": "6", "free_text_months": "18", "message_body_days": "14"},
    )
    assert saved.status_code == 302
    policy = RetentionPolicy.objects.get(organisation=cast.owner)
    assert (policy.contact_months, policy.free_text_months, policy.message_body_days) == (6, 18, 14)
    entry = AuditEntry.objects.get(action="privacy.retention_changed")
    assert entry.before == {"contact_months": 12, "free_text_months": 24, "message_body_days": 30}
    assert entry.after == {"contact_months": 6, "free_text_months": 18, "message_body_days": 14}
    assert (entry.actor_label, entry.organisation) == ("petra", cast.owner)
    assert RetentionPolicy.objects.filter(organisation=cast.partner).count() == 0


def test_the_audit_log_filters_by_kind_action_who_period_and_customer_and_pages(cast, world):
    officer = cast.client_for(cast.owner_admin)
    for number in range(60):
        record_change(
            actor=cast.lead.user,
            action="rule.changed",
            target=cast.team,
            organisation=cast.owner,
            detail=f"change {number}",
        )
    record_change(
        actor=cast.partner_admin,
        action="rule.changed",
        target=cast.team,
        organisation=cast.partner,
        detail="not ours",
    )
    audit = "/privacy/leasewijs/audit/"

    def shown(**filters) -> int:
        page = officer.get(audit, filters)
        assert page.status_code == 200, page.content
        return page.context["page"].paginator.count

    total = AuditEntry.objects.filter(organisation=cast.owner).count()
    assert shown() == total
    assert shown(actor="lotte") == 60 and shown(action="rule.") == 60
    assert (
        shown(kind="view")
        == AuditEntry.objects.filter(organisation=cast.owner, kind="view").count()
        >= 1
    )
    assert (
        shown(customer=loop.KEY)
        == AuditEntry.objects.filter(customer_id=world.customer.pk, organisation=cast.owner).count()
        >= 1
    )
    assert shown(customer="nobody") == 0
    today = timezone.localdate()
    assert shown(since=today.isoformat(), until=today.isoformat()) == total
    assert shown(until=(today - timedelta(days=1)).isoformat()) == 0
    assert (
        officer.get(
            audit, {"since": today.isoformat(), "until": (today - timedelta(days=3)).isoformat()}
        ).status_code
        == 400
    )
    assert officer.get(audit, {"since": "not a date"}).status_code == 400
    first = officer.get(audit, {"actor": "lotte"}).content.decode()
    assert "change 59" in first and "change 9<" not in first and "not ours" not in first
    second = officer.get(audit, {"actor": "lotte", "page": "2"}).content.decode()
    assert "change 9<" in second and "Page 2 of 2" in second


def test_the_audit_page_costs_the_same_number_of_queries_with_more_entries(cast):
    officer = cast.client_for(cast.owner_admin)
    record_change(
        actor=cast.lead.user, action="rule.changed", target=cast.team, organisation=cast.owner
    )
    with CaptureQueriesContext(connection) as few:
        officer.get("/privacy/leasewijs/audit/")
    for _ in range(40):
        record_change(
            actor=cast.lead.user, action="rule.changed", target=cast.team, organisation=cast.owner
        )
    with CaptureQueriesContext(connection) as many:
        officer.get("/privacy/leasewijs/audit/")
    assert len(many) == len(few)


def test_the_pages_speak_dutch_by_default(cast, settings):
    settings.LANGUAGE_CODE = "nl"
    with translation.override("nl"):
        page = (
            cast.client_for(cast.owner_admin).get("/privacy/leasewijs/retention/").content.decode()
        )
    assert "Bewaartermijnen" in page and "Contactgegevens" in page
