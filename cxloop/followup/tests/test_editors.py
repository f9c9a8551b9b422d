"""Editors of follow-up rules, queues, SLA policies, business hours, root causes and message templates."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from cxloop.followup import forms, services
from cxloop.followup.forms import ResolveForm
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.postdata import HOURS, RULE
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def journey_owner(cast):
    user = get_user_model().objects.create_user(username="jolanda")
    grant_role(user=user, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    return user


def errors(page) -> dict:
    form = page.context["form"] if "form" in page.context else page.context["add_form"]
    return form.errors


# --- access ----------------------------------------------------------------------------------------


EDITOR_PAGES = [
    "/cases/settings/leasewijs/",
    "/cases/settings/leasewijs/rules/new/",
    "/cases/settings/leasewijs/queues/new/",
    "/cases/settings/leasewijs/sla/new/",
    "/cases/settings/leasewijs/hours/",
    "/cases/settings/leasewijs/root-causes/",
    "/cases/settings/leasewijs/templates/new/",
]


def test_admins_and_journey_owners_edit_their_organisation(cast):
    for user in (cast.owner_admin, journey_owner(cast)):
        client = cast.client_for(user)
        for url in EDITOR_PAGES:
            assert client.get(url).status_code == 200, url
        assert client.get("/cases/settings/").status_code == 302


@pytest.mark.parametrize("who", ["lead", "agent", "partner_admin", "outsider"])
def test_everyone_else_gets_404(cast, who):
    user = getattr(cast, who).user if who in ("lead", "agent") else getattr(cast, who)
    client = cast.client_for(user)
    for url in EDITOR_PAGES:
        assert client.get(url).status_code == 404, url
    assert client.post("/cases/settings/leasewijs/rules/new/", RULE).status_code == 404
    assert client.post("/cases/settings/leasewijs/hours/", HOURS).status_code == 404
    assert not FollowUpRule.objects.exists() and not FollowUpSettings.objects.exists()


def test_leads_and_agents_have_no_settings_at_all(cast):
    assert cast.client_for(cast.lead.user).get("/cases/settings/").status_code == 404


def test_the_nav_links_to_the_settings_for_editors_only(cast):
    assert "/cases/settings/" in cast.client_for(cast.owner_admin).get("/cases/").content.decode()
    assert "/cases/settings/" not in cast.client_for(cast.lead.user).get("/cases/").content.decode()


def test_another_organisations_objects_are_404_under_your_own_slug(cast):
    partner_rule = FollowUpRule.objects.create(
        organisation=cast.partner, name="Partnerregel", nps_max=6
    )
    partner_root_cause = RootCause.objects.get(organisation=cast.partner)
    olivia = cast.client_for(cast.owner_admin)
    assert olivia.get(f"/cases/settings/leasewijs/rules/{partner_rule.pk}/").status_code == 404
    assert olivia.get(f"/cases/settings/belcentrum/rules/{partner_rule.pk}/").status_code == 404
    answer = olivia.post(
        f"/cases/settings/leasewijs/root-causes/{partner_root_cause.pk}/", {"action": "deactivate"}
    )
    assert answer.status_code == 404
    partner_root_cause.refresh_from_db()
    assert partner_root_cause.is_active


# --- rules -------------------------------------------------------------------------------------------


def test_a_valid_rule_is_saved_and_opens_cases(cast):
    olivia = cast.client_for(cast.owner_admin)
    assert olivia.post("/cases/settings/leasewijs/rules/new/", RULE).status_code == 302
    rule = FollowUpRule.objects.get()
    assert (rule.organisation, rule.keywords, rule.priority, rule.queue) == (
        cast.owner,
        "opzeggen\nklacht",
        "high",
        None,
    )
    case = case_for(cast, employee=cast.agent, nps=8, comment="Ik ga opzeggen")
    assert (case.rule, case.priority) == (rule, "high")
    assert (
        case_for(cast, employee=cast.agent, nps=2, comment="Traag") is None
    )  # the rule replaces the default
    edited = olivia.post(f"/cases/settings/leasewijs/rules/{rule.pk}/", {**RULE, "is_active": ""})
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nps_max": "11"}, "nps_max"),
        ({"csat_max": "0"}, "csat_max"),
        ({"ces_min": "8"}, "ces_min"),
        ({"nps_min": "9", "nps_max": "6"}, "nps_min"),
        ({"owner": "queue"}, "queue"),
        ({"priority": "urgent"}, "priority"),
        ({"action": "shout"}, "action"),
        ({"keywords": ""}, "__all__"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_rule_is_refused_with_its_errors(cast, change, field):
    page = cast.client_for(cast.owner_admin).post(
        "/cases/settings/leasewijs/rules/new/", {**RULE, **change}
    )
    assert page.status_code == 422
    assert field in errors(page)
    assert not FollowUpRule.objects.exists()


def test_a_rule_cannot_use_another_organisations_queue_or_another_chains_journey_type(cast):
    from cxloop.journeys.models import JourneyType

    partner_queue = FollowUpQueue.objects.create(organisation=cast.partner, name="Partnerwachtrij")
    foreign = JourneyType.objects.create(
        chain=cast.outsider_org.chain, owner=cast.outsider_org, name="Elders", slug="elders"
    )
    olivia = cast.client_for(cast.owner_admin)
    page = olivia.post(
        "/cases/settings/leasewijs/rules/new/",
        {**RULE, "owner": "queue", "queue": partner_queue.pk},
    )
    assert page.status_code == 422 and "queue" in errors(page)
    page = olivia.post("/cases/settings/leasewijs/rules/new/", {**RULE, "journey_type": foreign.pk})
    assert page.status_code == 422 and "journey_type" in errors(page)


def test_a_queue_rule_hands_cases_to_the_queue(cast):
    queue = FollowUpQueue.objects.create(
        organisation=cast.owner, name="Terugbellers", prefer_known_employee=False
    )
    queue.members.add(cast.colleague)
    olivia = cast.client_for(cast.owner_admin)
    assert (
        olivia.post(
            "/cases/settings/leasewijs/rules/new/", {**RULE, "owner": "queue", "queue": queue.pk}
        ).status_code
        == 302
    )
    case = case_for(cast, employee=cast.agent, nps=2, comment="Ik wil opzeggen")
    assert (case.queue, case.assignee) == (queue, cast.colleague)


# --- queues -------------------------------------------------------------------------------------------


def test_queues_take_members_of_the_organisation_only(cast):
    olivia = cast.client_for(cast.owner_admin)
    data = {
        "name": "Terugbellers",
        "members": [cast.agent.pk, cast.colleague.pk],
        "prefer_known_employee": "on",
    }
    assert olivia.post("/cases/settings/leasewijs/queues/new/", data).status_code == 302
    queue = FollowUpQueue.objects.get()
    assert set(queue.members.all()) == {cast.agent, cast.colleague}
    assert (queue.prefer_known_employee, queue.match_segment) == (True, False)
    outsider = olivia.post(
        "/cases/settings/leasewijs/queues/new/",
        {"name": "Anders", "members": [cast.partner_agent.pk]},
    )
    assert outsider.status_code == 422 and "members" in errors(outsider)
    duplicate = olivia.post("/cases/settings/leasewijs/queues/new/", {"name": "terugbellers"})
    assert duplicate.status_code == 422 and "name" in errors(duplicate)
    renamed = olivia.post(
        f"/cases/settings/leasewijs/queues/{queue.pk}/",
        {"name": "Terugbellers", "members": [cast.agent.pk]},
    )
    assert renamed.status_code == 302
    assert list(queue.members.all()) == [cast.agent]


# --- SLA policies ------------------------------------------------------------------------------------


def test_sla_policies_are_validated_and_used_for_new_cases(cast):
    olivia = cast.client_for(cast.owner_admin)
    data = {
        "journey_type": cast.journey_type.pk,
        "priority": "normal",
        "first_contact_hours": "4",
        "resolution_hours": "16",
    }
    assert olivia.post("/cases/settings/leasewijs/sla/new/", data).status_code == 302
    policy = SlaPolicy.objects.get()
    assert services.sla_hours(
        organisation=cast.owner, journey_type_id=cast.journey_type.pk, priority="normal"
    ) == (4, 16)
    for change, field in (
        ({"first_contact_hours": "0"}, "first_contact_hours"),
        ({"resolution_hours": "-2"}, "resolution_hours"),
        ({"first_contact_hours": "20"}, "resolution_hours"),
        ({"priority": "urgent"}, "priority"),
        ({}, "__all__"),  # the same journey type and priority again
    ):
        page = olivia.post("/cases/settings/leasewijs/sla/new/", {**data, **change})
        assert page.status_code == 422 and field in errors(page), change
    assert (
        olivia.post(
            f"/cases/settings/leasewijs/sla/{policy.pk}/", {**data, "resolution_hours": "24"}
        ).status_code
        == 302
    )
    policy.refresh_from_db()
    assert policy.resolution_hours == Decimal(24)
    assert olivia.post(f"/cases/settings/leasewijs/sla/{policy.pk}/delete/").status_code == 302
    assert not SlaPolicy.objects.exists()


# --- business hours ------------------------------------------------------------------------------------


def test_business_hours_are_stored_as_the_calendar_reads_them(cast):
    olivia = cast.client_for(cast.owner_admin)
    assert olivia.post("/cases/settings/leasewijs/hours/", HOURS).status_code == 302
    stored = FollowUpSettings.objects.get(organisation=cast.owner)
    assert stored.opening_hours == {
        "0": [["08:30", "12:00"], ["13:00", "17:30"]],
        "1": [["08:30", "17:30"]],
        "2": [["08:30", "17:30"]],
        "3": [["08:30", "17:30"]],
        "4": [["08:30", "16:00"]],
    }
    assert (
        stored.closed_on_public_holidays,
        stored.max_failed_attempts,
        stored.remind_before_hours,
    ) == (True, 2, 3)
    calendar = services.calendar_for(cast.owner)
    monday = datetime(2026, 11, 23, tzinfo=AMS).date()
    assert len(calendar.intervals_on(monday)) == 2
    form = olivia.get("/cases/settings/leasewijs/hours/").context["form"]
    assert form.initial["day_0"] == "08:30-12:00, 13:00-17:30" and form.initial["day_6"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day_0": "17:30-08:30"}, "day_0"),  # ends before it starts
        ({"day_1": "9 tot 5"}, "day_1"),
        ({"day_2": "08:00-10:00, 11:00-12:00, 13:00-14:00"}, "day_2"),  # three intervals
        ({"day_3": "08:00-12:00, 11:00-17:00"}, "day_3"),  # overlap
        ({"day_4": "25:00-26:00"}, "day_4"),
        ({"max_failed_attempts": "0"}, "max_failed_attempts"),
        ({"remind_before_hours": "-1"}, "remind_before_hours"),
        (
            {f"day_{d}": "" for d in range(7)},
            "__all__",
        ),  # never open: no due time could be computed
    ],
)
def test_bad_business_hours_are_refused_with_the_error_shown(cast, change, field):
    page = cast.client_for(cast.owner_admin).post(
        "/cases/settings/leasewijs/hours/", {**HOURS, **change}
    )
    assert page.status_code == 422
    assert field in errors(page)
    assert not FollowUpSettings.objects.exists()
    for message in errors(page)[field]:
        assert str(message) in page.content.decode().replace("&#x27;", "'")


def test_parse_day_reads_the_simple_notation():
    assert forms.parse_day("8:30-12:00; 13:00–17:30") == [
        ["08:30", "12:00"],
        ["13:00", "17:30"],
    ]
    assert forms.parse_day("  ") == []
    with pytest.raises(ValueError):
        forms.parse_day("morgens")


# --- root causes -------------------------------------------------------------------------------------------


def test_root_causes_are_added_renamed_and_deactivated(cast):
    olivia = cast.client_for(cast.owner_admin)
    assert (
        olivia.post(
            "/cases/settings/leasewijs/root-causes/", {"new-name": "Onduidelijke brief"}
        ).status_code
        == 302
    )
    added = RootCause.objects.get(organisation=cast.owner, name="Onduidelijke brief")
    duplicate = olivia.post(
        "/cases/settings/leasewijs/root-causes/", {"new-name": "onduidelijke BRIEF"}
    )
    assert duplicate.status_code == 422 and "name" in duplicate.context["add_form"].errors
    empty = olivia.post("/cases/settings/leasewijs/root-causes/", {"new-name": "  "})
    assert empty.status_code == 422
    renamed = olivia.post(
        f"/cases/settings/leasewijs/root-causes/{added.pk}/",
        {"action": "rename", f"rc{added.pk}-name": "Brief onduidelijk"},
    )
    assert renamed.status_code == 302
    added.refresh_from_db()
    assert added.name == "Brief onduidelijk"
    clash = olivia.post(
        f"/cases/settings/leasewijs/root-causes/{added.pk}/",
        {"action": "rename", f"rc{added.pk}-name": "Wachttijd telefoon"},
    )
    assert clash.status_code == 422
    assert (
        olivia.post(
            f"/cases/settings/leasewijs/root-causes/{added.pk}/", {"action": "deactivate"}
        ).status_code
        == 302
    )
    case = case_for(cast, employee=cast.agent)
    offered = ResolveForm(case=case).fields["root_cause"].queryset
    assert list(offered) == [cast.root_cause]
    assert (
        olivia.post(
            f"/cases/settings/leasewijs/root-causes/{added.pk}/", {"action": "activate"}
        ).status_code
        == 302
    )
    assert added in ResolveForm(case=case).fields["root_cause"].queryset


# --- customer message templates -------------------------------------------------------------------------------


TEMPLATE = {
    "name": "Standaard",
    "subject_nl": "Wat {organisation} deed",
    "body_nl": "Beste klant,\n\n{action}\n\n{employee}",
    "subject_en": "What {organisation} did",
    "body_en": "Dear customer,\n\n{action}\n\n{employee}",
}


def test_a_template_with_the_known_placeholders_is_saved(cast):
    olivia = cast.client_for(cast.owner_admin)
    assert olivia.post("/cases/settings/leasewijs/templates/new/", TEMPLATE).status_code == 302
    template = CustomerMessageTemplate.objects.get()
    assert template.organisation == cast.owner
    assert (
        olivia.post(
            f"/cases/settings/leasewijs/templates/{template.pk}/", {**TEMPLATE, "name": "Kort"}
        ).status_code
        == 302
    )
    template.refresh_from_db()
    assert template.name == "Kort"
    assert (
        olivia.post(f"/cases/settings/leasewijs/templates/{template.pk}/delete/").status_code == 302
    )
    assert not CustomerMessageTemplate.objects.exists()


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("body_nl", "Beste {klant}"),
        ("subject_en", "{organisation.__class__}"),
        ("body_en", "{action!r}"),
        ("subject_nl", "{employee:>30}"),
        ("body_nl", "Een {losse accolade"),
        ("body_en", "{}"),
        ("body_nl", "{0}"),
    ],
)
def test_a_template_with_other_placeholders_is_refused(cast, field, text):
    page = cast.client_for(cast.owner_admin).post(
        "/cases/settings/leasewijs/templates/new/", {**TEMPLATE, field: text}
    )
    assert page.status_code == 422
    assert field in errors(page)
    assert not CustomerMessageTemplate.objects.exists()


def test_unknown_placeholders_lists_what_is_wrong():
    assert forms.unknown_placeholders("{organisation} {action} {employee} {{literal}}") == []
    assert forms.unknown_placeholders("{klant} {organisation!s}") == [
        "{klant}",
        "{organisation!s}",
    ]
