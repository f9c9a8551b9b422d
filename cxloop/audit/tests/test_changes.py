"""Changes made through the UI, the API, the admin site and the CLI each leave exactly their entry."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.customers.models import Customer
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpQueue,
    FollowUpRule,
    SlaPolicy,
)
from cxloop.lib.testing.logins import logged_in
from cxloop.lib.testing.postdata import HOURS, RULE, rule_data
from cxloop.orgs.models import ApiKey, Employee, Membership, Role
from cxloop.surveys.models import ContactPolicy, InvitationRule, Survey
from cxloop.surveys.services import opt_out_url

pytestmark = pytest.mark.django_db


def only(action: str, **filters) -> AuditEntry:
    """The one entry of an action (and its filters); fails when there are none or more."""
    entries = list(AuditEntry.objects.filter(action=action, **filters))
    assert len(entries) == 1, (action, [(e.actor_label, e.organisation_id) for e in entries])
    return entries[0]


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def superuser_client(cast) -> Client:
    root = get_user_model().objects.create_superuser(username="root", password="x-long-password")
    client = Client()
    logged_in(root, client)
    return client


# --- roles, keys, units and employees ---------------------------------------------------------------


def test_a_role_granted_and_revoked_in_the_admin_site_is_recorded(cast, superuser_client):
    page = superuser_client.post(
        "/admin/orgs/membership/add/",
        {"user": cast.agent.user.pk, "organisation": cast.owner.pk, "unit": "", "role": "analyst"},
    )
    assert page.status_code == 302
    membership = Membership.objects.get(user=cast.agent.user, role=Role.ANALYST)
    granted = only("role.granted", user__username="root")
    assert (granted.kind, granted.actor_label, granted.organisation) == (
        "change",
        "root",
        cast.owner,
    )
    assert granted.before is None
    assert granted.after == {
        "user": cast.agent.user.pk,
        "organisation": cast.owner.pk,
        "unit": None,
        "role": "analyst",
    }
    page = superuser_client.post(f"/admin/orgs/membership/{membership.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    revoked = only("role.revoked")
    assert (revoked.actor_label, revoked.before["role"], revoked.after) == ("root", "analyst", None)
    assert revoked.object_id == str(membership.pk)


def test_the_services_record_grants_and_keys_made_on_the_command_line(cast):
    # The cast was made through the services: its grants and keys are there, written by cxloop.
    granted = only("role.granted", user=None, object_repr__startswith="olivia")
    assert (granted.actor_label, granted.after["role"]) == ("cxloop", "org_admin")
    call_command(
        "apikey",
        "create",
        "--organisation",
        "belcentrum",
        "--name",
        "export",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    key = ApiKey.objects.get(name="export")
    created = only("api_key.created", object_id=str(key.pk))
    assert created.after == {
        "name": "export",
        "prefix": key.prefix,
        "organisation": cast.partner.pk,
        "scopes": "read,write",
        "expires_at": None,
    }
    assert created.organisation == cast.partner
    assert key.key_hash not in str(created.after)
    call_command("apikey", "revoke", key.prefix, stdout=StringIO())
    revoked = only("api_key.revoked", object_id=str(key.pk))
    key.refresh_from_db()
    assert revoked.before == {"revoked_at": None}
    assert revoked.after == {"revoked_at": key.revoked_at.isoformat()}
    call_command("apikey", "revoke", key.prefix, stdout=StringIO())  # nothing changes again
    assert AuditEntry.objects.filter(action="api_key.revoked").count() == 1


def test_a_key_revoked_in_the_admin_site_is_recorded_without_its_hash(cast, superuser_client):
    key = ApiKey.objects.get(organisation=cast.owner)
    page = superuser_client.post(
        f"/admin/orgs/apikey/{key.pk}/change/",
        {
            "organisation": cast.owner.pk,
            "name": "crm",
            "scopes": "read,write",
            "expires_at_0": "",
            "expires_at_1": "",
            "revoked_at_0": "2026-12-01",
            "revoked_at_1": "10:00:00",
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    changed = only("api_key.changed")
    assert changed.actor_label == "root" and changed.organisation == cast.owner
    assert changed.before["revoked_at"] is None and changed.after["revoked_at"].startswith(
        "2026-12-01"
    )
    assert "key_hash" not in changed.after and key.key_hash not in str(changed.after)


def test_units_and_employees_changed_in_the_admin_site_are_recorded(cast, superuser_client):
    page = superuser_client.post(
        f"/admin/orgs/unit/{cast.team.pk}/change/",
        {
            "organisation": cast.owner.pk,
            "parent": cast.department.pk,
            "name": "Team Noord-Oost",
            "slug": "team-noord",
            "kind": "team",
            "lead": cast.lead.pk,
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    renamed = only("unit.changed")
    assert (renamed.before["name"], renamed.after["name"]) == ("Team Noord", "Team Noord-Oost")
    assert renamed.before["path"] == renamed.after["path"] == cast.team.path
    page = superuser_client.post(
        "/admin/orgs/employee/add/",
        {
            "organisation": cast.owner.pk,
            "unit": cast.team.pk,
            "code": "C1",
            "name": "Cor Nieuw",
            "email": "cor@leasewijs.nl",
            "skills": "[]",
            "user": "",
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    employee = Employee.objects.get(code="C1")
    created = only("employee.created", user__username="root")
    assert created.object_id == str(employee.pk) and created.before is None
    assert (created.after["name"], created.after["unit"]) == ("Cor Nieuw", cast.team.pk)
    # Saving without a change writes nothing.
    page = superuser_client.post(
        f"/admin/orgs/employee/{employee.pk}/change/",
        {
            "organisation": cast.owner.pk,
            "unit": cast.team.pk,
            "code": "C1",
            "name": "Cor Nieuw",
            "email": "cor@leasewijs.nl",
            "skills": "[]",
            "user": "",
        },
    )
    assert page.status_code == 302
    assert not AuditEntry.objects.filter(action="employee.changed").exists()


def test_the_audit_log_itself_cannot_be_edited_in_the_admin_site(cast, superuser_client):
    entry = AuditEntry.objects.first()
    assert superuser_client.get("/admin/audit/auditentry/").status_code == 200
    change = superuser_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "x.y"})
    assert change.status_code == 403
    delete = superuser_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


# --- opt-outs --------------------------------------------------------------------------------------


def test_an_opt_out_by_api_key_is_recorded_for_every_organisation_of_the_chain(cast):
    customer = Customer.objects.create(chain=cast.chain, key="K-9", email="k9@example.nl")
    answer = Client().post(
        "/api/customers/K-9/opt-out", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}"
    )
    assert answer.status_code == 200
    customer.refresh_from_db()
    entries = AuditEntry.objects.filter(action="customer.opted_out").order_by("organisation_id")
    assert [e.organisation for e in entries] == [cast.owner, cast.partner]  # not Elders
    key = ApiKey.objects.get(organisation=cast.partner)
    for entry in entries:
        assert (entry.api_key, entry.actor_label) == (key, f"API key {key.prefix} (crm)")
        assert (entry.customer_id, entry.object_id) == (customer.pk, str(customer.pk))
        assert entry.before == {"opted_out_at": None}
        assert entry.after == {"opted_out_at": customer.opted_out_at.isoformat()}
    # Opting out again changes nothing and records nothing.
    Client().post("/api/customers/K-9/opt-out", HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}")
    assert entries.count() == 2


def test_an_opt_out_by_the_customers_link_is_recorded_as_theirs(cast):
    customer = Customer.objects.create(chain=cast.chain, key="K-10", email="k10@example.nl")
    path = opt_out_url(customer).split("127.0.0.1:8000")[-1]
    assert Client().get(path).status_code == 200
    assert not AuditEntry.objects.filter(action="customer.opted_out").exists()  # only asked
    assert Client().post(path).status_code == 200
    entry = only("customer.opted_out", organisation=cast.owner)
    assert (entry.actor_label, entry.user, entry.api_key) == ("cxloop", None, None)
    assert entry.detail == "by the customer's link" and entry.customer_id == customer.pk


# --- who is asked: rules and the contact policy ------------------------------------------------------


def test_an_invitation_rule_changed_in_the_ui_is_recorded_with_before_and_after(cast):
    rule = InvitationRule.objects.get(organisation=cast.owner)
    old_percent = rule.sampling_percent
    page = cast.client_for(cast.owner_admin).post(f"/rules/{rule.pk}/", rule_data(cast))
    assert page.status_code == 302
    entry = only("invitation_rule.changed")
    assert (entry.actor_label, entry.organisation, entry.object_id) == (
        "olivia",
        cast.owner,
        str(rule.pk),
    )
    assert (entry.before["sampling_percent"], entry.after["sampling_percent"]) == (old_percent, 50)
    assert (entry.before["channel"], entry.after["channel"]) == ("email", "sms")
    assert entry.after["quiet_start"] == "21:00:00"
    created = cast.client_for(cast.owner_admin).post(
        "/rules/new/?organisation=leasewijs", rule_data(cast, trigger="interaction")
    )
    assert created.status_code == 302
    new = only("invitation_rule.created")
    assert new.before is None and new.after["trigger"] == "interaction"


def test_the_contact_policy_is_recorded_for_every_organisation_of_the_chain(cast):
    admin = cast.client_for(cast.owner_admin)
    data = {"quarantine_days": 45, "cap_count": 2, "cap_period_days": 180}
    assert admin.post("/contact-policy/", data).status_code == 302
    policy = ContactPolicy.objects.get(chain=cast.chain)
    created = AuditEntry.objects.filter(action="contact_policy.created")
    assert {e.organisation for e in created} == {cast.owner, cast.partner}
    assert admin.post("/contact-policy/", {**data, "quarantine_days": 60}).status_code == 302
    changed = only("contact_policy.changed", organisation=cast.partner)
    assert changed.actor_label == "olivia" and changed.object_id == str(policy.pk)
    assert (changed.before["quarantine_days"], changed.after["quarantine_days"]) == (45, 60)


# --- follow-up configuration ------------------------------------------------------------------------


def test_follow_up_settings_changed_in_the_ui_are_recorded(cast):
    olivia = cast.client_for(cast.owner_admin)
    base = "/cases/settings/leasewijs"
    assert olivia.post(f"{base}/rules/new/", RULE).status_code == 302
    rule = FollowUpRule.objects.get()
    assert olivia.post(f"{base}/rules/{rule.pk}/", {**RULE, "is_active": ""}).status_code == 302
    changed = only("followup_rule.changed")
    assert (changed.before["is_active"], changed.after["is_active"]) == (True, False)
    assert only("followup_rule.created").after["keywords"] == "opzeggen\nklacht"

    queue = {"name": "Terugbellers", "members": [cast.agent.pk, cast.colleague.pk]}
    assert olivia.post(f"{base}/queues/new/", queue).status_code == 302
    queue_pk = FollowUpQueue.objects.get().pk
    assert (
        olivia.post(f"{base}/queues/{queue_pk}/", {**queue, "members": [cast.agent.pk]}).status_code
        == 302
    )
    members = only("queue.changed")
    assert members.before["members"] == sorted([cast.agent.pk, cast.colleague.pk])
    assert members.after["members"] == [cast.agent.pk]

    sla = {
        "journey_type": cast.journey_type.pk,
        "priority": "normal",
        "first_contact_hours": "4",
        "resolution_hours": "16",
    }
    assert olivia.post(f"{base}/sla/new/", sla).status_code == 302
    policy = SlaPolicy.objects.get()
    assert (
        olivia.post(f"{base}/sla/{policy.pk}/", {**sla, "resolution_hours": "24"}).status_code
        == 302
    )
    assert only("sla_policy.changed").after["resolution_hours"] == "24.00"
    assert olivia.post(f"{base}/sla/{policy.pk}/delete/").status_code == 302
    removed = only("sla_policy.deleted")
    assert (removed.object_id, removed.before["resolution_hours"], removed.after) == (
        str(policy.pk),
        "24.00",
        None,
    )

    assert olivia.post(f"{base}/hours/", HOURS).status_code == 302
    hours = only("business_hours.created")
    assert hours.after["max_failed_attempts"] == 2 and hours.after["opening_hours"]["0"] == [
        ["08:30", "12:00"],
        ["13:00", "17:30"],
    ]
    assert olivia.post(f"{base}/hours/", {**HOURS, "max_failed_attempts": "4"}).status_code == 302
    assert only("business_hours.changed").before["max_failed_attempts"] == 2

    root = cast.root_cause
    page = olivia.post(f"{base}/root-causes/{root.pk}/", {"action": "deactivate"})
    assert page.status_code == 302
    deactivated = only("root_cause.changed")
    assert (deactivated.before, deactivated.after) == ({"is_active": True}, {"is_active": False})

    template = {
        "name": "Excuses",
        "subject_nl": "Onze excuses",
        "body_nl": "Beste klant, {action}",
        "subject_en": "Sorry",
        "body_en": "Dear customer, {action}",
    }
    assert olivia.post(f"{base}/templates/new/", template).status_code == 302
    template_pk = CustomerMessageTemplate.objects.get(name="Excuses").pk
    assert olivia.post(f"{base}/templates/{template_pk}/delete/").status_code == 302
    assert only("message_template.created").after["subject_nl"] == "Onze excuses"
    assert only("message_template.deleted").before["name"] == "Excuses"

    mine = AuditEntry.objects.filter(user=cast.owner_admin)
    assert {e.organisation for e in mine} == {cast.owner}
    assert mine.count() == 12


# --- surveys ------------------------------------------------------------------------------------------


def test_building_and_publishing_a_survey_is_recorded(cast):
    admin = cast.client_for(cast.owner_admin)
    assert (
        admin.post(
            "/surveys/new/", {"organisation": cast.owner.pk, "name": "Na de reparatie"}
        ).status_code
        == 302
    )
    survey = Survey.objects.get(name="Na de reparatie")
    question = {
        "new-kind": "nps",
        "new-text_nl": "Aanbevelen?",
        "new-text_en": "Recommend?",
        "new-required": "on",
    }
    assert admin.post(f"/surveys/{survey.pk}/questions/", question).status_code == 302
    assert admin.post(f"/surveys/{survey.pk}/publish/").status_code == 302
    assert actions()[-3:] == ["survey.created", "question.added", "survey.published"]
    published = only("survey.published")
    assert (published.actor_label, published.organisation, published.object_id) == (
        "olivia",
        cast.owner,
        str(survey.pk),
    )
    assert published.before == {"status": "draft", "published_at": None}
    assert published.after["status"] == "published" and published.after["published_at"]
    assert only("question.added").after["text_nl"] == "Aanbevelen?"
    assert admin.post(f"/surveys/{survey.pk}/draft/").status_code == 302
    draft = Survey.objects.get(family=survey)
    started = only("survey.draft_started")
    assert started.object_id == str(draft.pk) and started.detail == "copied from version 1"
    assert admin.post(f"/surveys/{draft.pk}/publish/").status_code == 302
    assert only("survey.published", object_id=str(draft.pk)).detail == "archived version 1"
