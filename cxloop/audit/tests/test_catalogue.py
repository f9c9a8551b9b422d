"""The list of audited actions is complete and true: every writer on it writes its entries, every
write service of the audited modules is on it (or says why not), and docs/audit.md names them all."""

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from cxloop.accounts import services as accounts
from cxloop.accounts.sso_config import RoleMapping
from cxloop.audit.catalogue import AUDITED, AUDITED_MODULES, NOT_AUDITED, all_actions
from cxloop.audit.models import AuditEntry
from cxloop.customers.models import Customer
from cxloop.customers.services import (
    opt_out_customer,
    record_contact_details,
    record_contact_details_in_bulk,
    set_contact_sharing,
    upsert_customer,
)
from cxloop.followup.models import CustomerMessageTemplate, FollowUpQueue, FollowUpRule, SlaPolicy
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.logins import current_code, logged_in
from cxloop.lib.testing.postdata import HOURS, RULE, rule_data
from cxloop.lib.testing.responses import make_response
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs import services as orgs
from cxloop.orgs import structure
from cxloop.orgs.models import ApiKey, Membership, Organisation, Role
from cxloop.surveys import authoring
from cxloop.surveys.models import InvitationRule
from cxloop.webhooks import services as webhooks

pytestmark = pytest.mark.django_db

WRITE_VERBS = (
    "create_",
    "update_",
    "save_",
    "delete_",
    "remove_",
    "set_",
    "grant_",
    "revoke_",
    "opt_out_",
    "add_",
    "move_",
    "publish_",
    "draft_",
    "erase_",
    "change_",
)


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_writer_on_the_list_exists():
    for audited in AUDITED:
        assert callable(_resolve(audited.writer)), audited.writer
        assert audited.kind in ("change", "view", "export")
        for action in audited.actions:
            noun, _, verb = action.partition(".")
            assert noun and verb and action == action.lower(), action


def test_every_write_service_of_the_audited_modules_is_on_the_list():
    listed = {a.writer for a in AUDITED} | set(NOT_AUDITED)
    missing = []
    for module_name in AUDITED_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            written_here = function.__module__ == module_name
            if written_here and name.startswith(WRITE_VERBS):
                if f"{module_name}.{name}" not in listed:
                    missing.append(f"{module_name}.{name}")
    assert missing == [], (
        "write services without audit entries (add them to cxloop/audit/catalogue.py)"
    )


def test_docs_name_every_audited_action():
    docs = (Path(settings.BASE_DIR).parent / "docs" / "audit.md").read_text()
    assert [action for action in sorted(all_actions()) if f"`{action}`" not in docs] == []


# --- walking the list: run each writer, as a person, and find its entries --------------------------------


class World:
    """The cast plus a superuser for the admin site; each runner acts as Olivia or as root."""

    def __init__(self, cast, capture):
        self.cast = cast
        self.capture = capture
        self.admin = cast.owner_admin
        root = get_user_model().objects.create_superuser(
            username="root", password="long-password-1"
        )
        self.root = Client()
        logged_in(root, self.root)
        self.olivia = cast.client_for(cast.owner_admin)

    def post(self, client: Client, url: str, data: dict | None = None) -> None:
        answer = client.post(url, data or {})
        assert answer.status_code == 302, (url, answer.content.decode()[:2000])

    def admin_cycle(
        self, model: str, add: dict | None, change: dict, pk: int | None = None
    ) -> None:
        """Add (unless pk is given), change and delete one object through the admin site."""
        base = f"/admin/orgs/{model}/"
        if add is not None:
            self.post(self.root, f"{base}add/", add)
            pk = _resolve(f"cxloop.orgs.models.{ADMIN_MODELS[model]}").objects.order_by("-pk")[0].pk
        self.post(self.root, f"{base}{pk}/change/", change)
        self.post(self.root, f"{base}{pk}/delete/", {"post": "yes"})


ADMIN_MODELS = {
    "organisation": "Organisation",
    "unit": "Unit",
    "employee": "Employee",
    "membership": "Membership",
    "apikey": "ApiKey",
}


def _organisation_admin(w: World) -> None:
    data = {
        "chain": w.cast.chain.pk,
        "name": "Garage Oost",
        "slug": "garage-oost",
        "sender_email": "",
        "reply_to_email": "",
    }
    w.admin_cycle("organisation", data, {**data, "name": "Garage Oost BV"})


def _unit_admin(w: World) -> None:
    data = {
        "organisation": w.cast.owner.pk,
        "parent": "",
        "name": "Backoffice",
        "slug": "backoffice",
        "kind": "team",
        "lead": "",
    }
    w.admin_cycle("unit", data, {**data, "name": "Back office"})


def _employee_admin(w: World) -> None:
    data = {
        "organisation": w.cast.owner.pk,
        "unit": w.cast.team.pk,
        "code": "Z9",
        "name": "Zoë",
        "email": "",
        "skills": "[]",
        "user": "",
    }
    w.admin_cycle("employee", data, {**data, "name": "Zoë de Vries"})


def _membership_admin(w: World) -> None:
    data = {
        "user": w.cast.agent.user.pk,
        "organisation": w.cast.owner.pk,
        "unit": "",
        "role": "analyst",
    }
    w.admin_cycle("membership", data, {**data, "role": "journey_owner"})


def _api_key_admin(w: World) -> None:
    key, _ = orgs.create_api_key(organisation=w.cast.owner, name="tijdelijk")
    change = {
        "organisation": w.cast.owner.pk,
        "name": "tijdelijk, weg",
        "scopes": "read",
        "expires_at_0": "",
        "expires_at_1": "",
        "revoked_at_0": "",
        "revoked_at_1": "",
    }
    w.admin_cycle("apikey", None, change, pk=key.pk)


def _opt_out(w: World) -> None:
    customer = Customer.objects.create(chain=w.cast.chain, key="K-77")
    opt_out_customer(
        customer=customer, actor=ApiKey.objects.filter(organisation=w.cast.owner).first()
    )


def _contact_details(w: World) -> None:
    customer = Customer.objects.create(chain=w.cast.chain, key="K-78")
    key = ApiKey.objects.filter(organisation=w.cast.partner).first()
    record_contact_details(
        customer=customer, organisation=w.cast.partner, actor=key, email="a@example.nl"
    )
    record_contact_details(
        customer=customer, organisation=w.cast.partner, actor=key, email="b@example.nl"
    )


def _contact_details_in_bulk(w: World) -> None:
    customer = Customer.objects.create(chain=w.cast.chain, key="K-79")
    key = ApiKey.objects.filter(organisation=w.cast.partner).first()
    record_contact_details_in_bulk(
        organisation=w.cast.partner,
        actor=key,
        supplied=[
            (customer.pk, {"email": "a@example.nl"}),
            (customer.pk, {"email": "b@example.nl"}),
        ],
    )


def _upsert_customer(w: World) -> None:
    key = ApiKey.objects.filter(organisation=w.cast.partner).first()
    upsert_customer(
        organisation=w.cast.partner, key="K-80", actor=key, details={"email": "a@example.nl"}
    )
    upsert_customer(
        organisation=w.cast.partner, key="K-80", actor=key, details={"email": "b@example.nl"}
    )


def _contact_sharing(w: World) -> None:
    set_contact_sharing(chain=w.cast.chain, partners_use_owner_details=True, actor=w.admin)


def _follow_up(w: World, what: str) -> None:
    base = "/cases/settings/leasewijs"
    if what == "rule":
        w.post(w.olivia, f"{base}/rules/new/", RULE)
        w.post(w.olivia, f"{base}/rules/{FollowUpRule.objects.get().pk}/", {**RULE, "position": 2})
    elif what == "queue":
        w.post(w.olivia, f"{base}/queues/new/", {"name": "Terugbellers"})
        w.post(w.olivia, f"{base}/queues/{FollowUpQueue.objects.get().pk}/", {"name": "Bellers"})
    elif what in ("sla", "sla_delete"):
        data = {
            "journey_type": "",
            "priority": "high",
            "first_contact_hours": "2",
            "resolution_hours": "8",
        }
        w.post(w.olivia, f"{base}/sla/new/", data)
        pk = SlaPolicy.objects.get().pk
        if what == "sla":
            w.post(w.olivia, f"{base}/sla/{pk}/", {**data, "resolution_hours": "9"})
        else:
            w.post(w.olivia, f"{base}/sla/{pk}/delete/")
    elif what == "hours":
        w.post(w.olivia, f"{base}/hours/", HOURS)
        w.post(w.olivia, f"{base}/hours/", {**HOURS, "remind_before_hours": "4"})
    elif what == "root_cause":
        w.post(w.olivia, f"{base}/root-causes/", {"new-name": "Verkeerde uitleg"})
        pk = w.cast.root_cause.pk
        w.post(w.olivia, f"{base}/root-causes/{pk}/", {f"rc{pk}-name": "Wachttijd aan de telefoon"})
    elif what == "root_cause_active":
        w.post(w.olivia, f"{base}/root-causes/{w.cast.root_cause.pk}/", {"action": "deactivate"})
    elif what in ("template", "template_delete"):
        data = {
            "name": "Kort",
            "subject_nl": "Bedankt",
            "body_nl": "Dank",
            "subject_en": "Thanks",
            "body_en": "Thanks",
        }
        w.post(w.olivia, f"{base}/templates/new/", data)
        pk = CustomerMessageTemplate.objects.get().pk
        if what == "template":
            w.post(w.olivia, f"{base}/templates/{pk}/", {**data, "body_nl": "Hartelijk dank"})
        else:
            w.post(w.olivia, f"{base}/templates/{pk}/delete/")


def _rule(w: World) -> None:
    w.post(w.olivia, "/rules/new/?organisation=leasewijs", rule_data(w.cast))
    rule = InvitationRule.objects.get(organisation=w.cast.owner, trigger="journey_end")
    w.post(w.olivia, f"/rules/{rule.pk}/", rule_data(w.cast, sampling_percent=20))


def _policy(w: World) -> None:
    data = {"quarantine_days": 30, "cap_count": 3, "cap_period_days": 90}
    w.post(w.olivia, "/contact-policy/", data)
    w.post(w.olivia, "/contact-policy/", {**data, "cap_count": 4})


def _survey(w: World, step: str) -> None:
    a = w.admin
    survey = authoring.create_survey(organisation=w.cast.owner, name="Proef", actor=a)
    first = authoring.add_question(
        survey=survey, kind="nps", text_nl="Aanbevelen?", text_en="Recommend?", actor=a
    )
    second = authoring.add_question(
        survey=survey, kind="open", text_nl="Waarom?", text_en="Why?", actor=a
    )
    if step == "update_survey":
        authoring.update_survey(survey=survey, name="Proef 2", actor=a)
    elif step == "update_question":
        authoring.update_question(
            question=first,
            kind="nps",
            text_nl="Zou u ons aanbevelen?",
            text_en="Recommend?",
            actor=a,
        )
    elif step == "delete_question":
        authoring.delete_question(question=second, actor=a)
    elif step == "move_question":
        authoring.move_question(question=second, up=True, actor=a)
    elif step in ("publish_survey", "draft_from"):
        authoring.publish_survey(survey=survey, actor=a)
        if step == "draft_from":
            authoring.draft_from(survey=survey, actor=a)


def _case_view(w: World) -> None:
    case = case_for(w.cast, employee=w.cast.agent)
    assert w.olivia.get(f"/cases/{case.pk}/").status_code == 200


def _customer_view(w: World) -> None:
    make_response(w.cast, nps=8, employee=w.cast.agent)
    customer = Customer.objects.first()
    assert w.olivia.get("/customers/", {"key": customer.key}).status_code == 200
    record_contact_details(
        customer=customer, organisation=w.cast.owner, actor=None, name="Fenna Jansen"
    )
    assert w.olivia.get("/customers/", {"q": "fenna"}).context["found"]


def _message_view(w: World) -> None:
    with w.capture(execute=True):
        case_for(w.cast, employee=w.cast.agent)
    message = OutboxMessage.objects.get()
    assert w.olivia.get(f"/outbox/{message.pk}/").status_code == 200


def _export(w: World) -> None:
    make_response(w.cast, nps=4, employee=w.cast.agent, comment="Te lang gewacht")
    lead = w.cast.client_for(w.cast.lead.user)
    assert (
        lead.get(f"/units/{w.cast.team.pk}/", {"format": "csv", "table": "verbatims"}).status_code
        == 200
    )


def _api_read(w: World) -> None:
    make_response(w.cast, employee=w.cast.agent, nps=6, comment="Matig")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {w.cast.owner_key}"}
    assert Client().get("/api/responses", **auth).status_code == 200


def _second_factor(w: World, step: str) -> None:
    user = w.cast.agent.user
    if step == "remove":
        accounts.remove_two_factor(user, actor=w.admin)
    elif step == "backup":
        accounts.replace_backup_codes(user)
    elif step == "password":
        accounts.record_password_change(user)
    else:
        device = accounts.start_authenticator(user)
        assert accounts.confirm_authenticator(user, current_code(device)) is not None


def _single_sign_on(w: World, step: str) -> None:
    analysts = [RoleMapping("cx-analysts", w.cast.owner.slug, Role.ANALYST)]
    if step == "create":
        claims = {"email": "nieuw@leasewijs.nl", "given_name": "Nina"}
        accounts.create_user_from_provider(claims=claims, mappings=analysts)
    else:
        accounts.grant_mapped_roles(user=w.cast.agent.user, mappings=analysts)


RUNNERS: dict[str, Callable[[World], None]] = {
    "cxloop.accounts.services.confirm_authenticator": lambda w: _second_factor(w, "confirm"),
    "cxloop.accounts.services.remove_two_factor": lambda w: _second_factor(w, "remove"),
    "cxloop.accounts.services.replace_backup_codes": lambda w: _second_factor(w, "backup"),
    "cxloop.accounts.services.record_password_change": lambda w: _second_factor(w, "password"),
    "cxloop.accounts.services.create_user_from_provider": lambda w: _single_sign_on(w, "create"),
    "cxloop.accounts.services.grant_mapped_roles": lambda w: _single_sign_on(w, "grant"),
    "cxloop.orgs.services.grant_role": lambda w: orgs.grant_role(
        user=w.cast.agent.user, organisation=w.cast.owner, role=Role.ANALYST, actor=w.admin
    ),
    "cxloop.orgs.services.revoke_role": lambda w: orgs.revoke_role(
        membership=Membership.objects.get(user=w.cast.lead.user, role=Role.TEAM_LEAD), actor=w.admin
    ),
    "cxloop.orgs.services.create_api_key": lambda w: orgs.create_api_key(
        organisation=w.cast.owner, name="bi", actor=w.admin
    ),
    "cxloop.orgs.services.revoke_api_key": lambda w: orgs.revoke_api_key(
        api_key=ApiKey.objects.filter(organisation=w.cast.owner).first(), actor=w.admin
    ),
    "cxloop.orgs.services.create_unit": lambda w: orgs.create_unit(
        organisation=w.cast.owner,
        name="Team Zuid",
        slug="team-zuid",
        parent=w.cast.department,
        actor=w.admin,
    ),
    "cxloop.orgs.services.set_unit_lead": lambda w: orgs.set_unit_lead(
        unit=w.cast.team, lead=w.cast.colleague, actor=w.admin
    ),
    "cxloop.orgs.services.create_employee": lambda w: orgs.create_employee(
        organisation=w.cast.owner, unit=w.cast.team, code="N1", name="Nina Nieuw", actor=w.admin
    ),
    "cxloop.orgs.structure.upsert_units": lambda w: structure.upsert_units(
        organisation=w.cast.owner,
        rows=[
            structure.UnitRow("team-zuid", "Team Zuid", parent="klantenservice"),
            structure.UnitRow("team-noord", "Team Noord (Groningen)", parent="klantenservice"),
        ],
        actor=w.admin,
    ),
    "cxloop.orgs.structure.upsert_employees": lambda w: structure.upsert_employees(
        organisation=w.cast.owner,
        rows=[
            structure.EmployeeRow("N1", "Nina Nieuw", unit="team-noord"),
            structure.EmployeeRow("A1", "Anouk de Agent", unit="team-noord"),
        ],
        actor=w.admin,
    ),
    "cxloop.orgs.structure.leave": lambda w: structure.leave(
        employee=w.cast.colleague, actor=w.admin
    ),
    "cxloop.orgs.structure.close_unit": lambda w: structure.close_unit(
        unit=orgs.create_unit(organisation=w.cast.owner, name="Team Oud", slug="team-oud"),
        actor=w.admin,
    ),
    "cxloop.webhooks.services.create_endpoint": lambda w: webhooks.create_endpoint(
        organisation=w.cast.owner,
        url="https://crm.example.nl/hook",
        events=["case.opened"],
        actor=w.admin,
    ),
    "cxloop.webhooks.services.delete_endpoint": lambda w: webhooks.delete_endpoint(
        endpoint=webhooks.create_endpoint(
            organisation=w.cast.owner, url="https://crm.example.nl/hook", events=["case.opened"]
        ),
        actor=w.admin,
    ),
    "cxloop.orgs.admin.OrganisationAdmin": _organisation_admin,
    "cxloop.orgs.admin.UnitAdmin": _unit_admin,
    "cxloop.orgs.admin.EmployeeAdmin": _employee_admin,
    "cxloop.orgs.admin.MembershipAdmin": _membership_admin,
    "cxloop.orgs.admin.ApiKeyAdmin": _api_key_admin,
    "cxloop.customers.services.opt_out_customer": _opt_out,
    "cxloop.customers.services.record_contact_details": _contact_details,
    "cxloop.customers.services.record_contact_details_in_bulk": _contact_details_in_bulk,
    "cxloop.customers.services.upsert_customer": _upsert_customer,
    "cxloop.customers.services.set_contact_sharing": _contact_sharing,
    "cxloop.surveys.rules.save_rule": _rule,
    "cxloop.surveys.rules.save_policy": _policy,
    "cxloop.followup.configuration.save_followup_rule": lambda w: _follow_up(w, "rule"),
    "cxloop.followup.configuration.save_queue": lambda w: _follow_up(w, "queue"),
    "cxloop.followup.configuration.save_sla_policy": lambda w: _follow_up(w, "sla"),
    "cxloop.followup.configuration.delete_sla_policy": lambda w: _follow_up(w, "sla_delete"),
    "cxloop.followup.configuration.save_business_hours": lambda w: _follow_up(w, "hours"),
    "cxloop.followup.configuration.save_root_cause": lambda w: _follow_up(w, "root_cause"),
    "cxloop.followup.configuration.set_root_cause_active": lambda w: _follow_up(
        w, "root_cause_active"
    ),
    "cxloop.followup.configuration.save_message_template": lambda w: _follow_up(w, "template"),
    "cxloop.followup.configuration.delete_message_template": lambda w: _follow_up(
        w, "template_delete"
    ),
    "cxloop.surveys.authoring.create_survey": lambda w: _survey(w, "create_survey"),
    "cxloop.surveys.authoring.update_survey": lambda w: _survey(w, "update_survey"),
    "cxloop.surveys.authoring.add_question": lambda w: _survey(w, "add_question"),
    "cxloop.surveys.authoring.update_question": lambda w: _survey(w, "update_question"),
    "cxloop.surveys.authoring.delete_question": lambda w: _survey(w, "delete_question"),
    "cxloop.surveys.authoring.move_question": lambda w: _survey(w, "move_question"),
    "cxloop.surveys.authoring.draft_from": lambda w: _survey(w, "draft_from"),
    "cxloop.surveys.authoring.publish_survey": lambda w: _survey(w, "publish_survey"),
    "cxloop.followup.views.case_detail": _case_view,
    "cxloop.customers.views.why_asked": _customer_view,
    "cxloop.messaging.views.outbox_message": _message_view,
    "cxloop.dashboards.exports.record_export": _export,
    "cxloop.responses.api.list_responses": _api_read,
}


def _people(w: World, step: str) -> None:
    anouk = w.cast.agent.user
    anouk.email = "anouk@leasewijs.nl"
    anouk.save()
    base = f"/people/leasewijs/{anouk.pk}"
    if step == "invite":
        w.post(
            w.olivia,
            "/people/leasewijs/invite/",
            {"email": "nina@leasewijs.nl", "role": "employee"},
        )
    elif step == "password":
        w.post(w.olivia, f"{base}/password/")
    else:
        w.post(w.olivia, f"{base}/deactivate/")
        if step == "reactivate":
            w.post(w.olivia, f"{base}/reactivate/")


def _chain(w: World, step: str) -> None:
    base = "/chain/leasewijs"
    if step == "journey_type":
        w.post(w.olivia, f"{base}/journey-types/new/", {"name": "Klacht", "slug": "klacht"})
        pk = w.cast.owner.owned_journey_types.get(slug="klacht").pk
        w.post(w.olivia, f"{base}/journey-types/{pk}/", {"name": "Klacht melden", "slug": "klacht"})
    elif step == "touchpoint":
        w.post(
            w.olivia,
            f"{base}/journey-types/{w.cast.journey_type.pk}/touchpoints/new/",
            {"name": "Eind", "slug": "eind", "position": 9},
        )
        w.post(
            w.olivia,
            f"{base}/touchpoints/{w.cast.touchpoint.pk}/",
            {"name": "Melding", "slug": "melding", "position": 1},
        )
    elif step == "channel":
        w.post(w.olivia, f"{base}/channels/new/", {"name": "Chat", "slug": "chat"})
        w.post(
            w.olivia, f"{base}/channels/{w.cast.phone.pk}/", {"name": "Bellen", "slug": "telefoon"}
        )
    elif step == "agreement":
        third = Organisation.objects.create(chain=w.cast.chain, name="Derde", slug="derde")
        for visibility in ("own", "totals"):
            data = {"organisation": third.pk, "visibility": visibility, "owner_case_access": "read"}
            w.post(w.olivia, f"{base}/journey-types/{w.cast.journey_type.pk}/agreements/", data)
    else:
        data = {"name": "Derde", "slug": "derde", "admin_email": "beheer@derde.nl"}
        w.post(w.olivia, f"{base}/partners/new/", data)


RUNNERS.update(
    {
        "cxloop.orgs.people.invite_person": lambda w: _people(w, "invite"),
        "cxloop.orgs.people.send_password_link": lambda w: _people(w, "password"),
        "cxloop.orgs.people.deactivate_user": lambda w: _people(w, "deactivate"),
        "cxloop.orgs.people.reactivate_user": lambda w: _people(w, "reactivate"),
        "cxloop.journeys.chain.save_journey_type": lambda w: _chain(w, "journey_type"),
        "cxloop.journeys.chain.save_touchpoint": lambda w: _chain(w, "touchpoint"),
        "cxloop.journeys.chain.save_channel": lambda w: _chain(w, "channel"),
        "cxloop.journeys.chain.set_agreement": lambda w: _chain(w, "agreement"),
        "cxloop.journeys.chain.add_partner": lambda w: _chain(w, "partner"),
    }
)


def test_every_writer_on_the_list_has_a_runner():
    assert sorted({a.writer for a in AUDITED} - set(RUNNERS)) == []


@pytest.mark.parametrize("audited", AUDITED, ids=lambda a: a.writer.removeprefix("cxloop."))
def test_each_writer_on_the_list_writes_its_entries(
    cast, audited, django_capture_on_commit_callbacks
):
    world = World(cast, django_capture_on_commit_callbacks)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    RUNNERS[audited.writer](world)
    written = AuditEntry.objects.filter(id__gt=last)
    for action in audited.actions:
        entries = [e for e in written if e.action == action]
        assert entries, (
            f"{audited.writer} wrote no {action} entry (it wrote {[e.action for e in written]})"
        )
        for entry in entries:
            assert entry.kind == audited.kind, (action, entry.kind)
            assert entry.user is not None or entry.api_key is not None, (action, "no actor")
            # (Deleting an organisation unlinks its entries: the runner deletes the one it made.)
            deleted_own = audited.writer.endswith("OrganisationAdmin")
            assert entry.organisation is not None or deleted_own, action
