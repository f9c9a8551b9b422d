"""Every audited action: its name in the log, its kind, and the code that writes it.

docs/audit.md lists the same actions for readers; the tests walk this list, run each writer and
fail when one writes no entry, and fail when a write service is neither here nor in NOT_AUDITED.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Audited:
    """One writer of audit entries and the actions it records."""

    writer: str  # dotted path of the service, view or admin that writes the entry
    actions: tuple[str, ...]
    kind: str = "change"  # change, view or export


AUDITED: list[Audited] = [
    # People, roles and keys (orgs.services; the admin site records its own edits below).
    Audited("cxloop.orgs.services.grant_role", ("role.granted",)),
    Audited("cxloop.orgs.services.revoke_role", ("role.revoked",)),
    Audited("cxloop.orgs.services.create_api_key", ("api_key.created",)),
    Audited("cxloop.orgs.services.revoke_api_key", ("api_key.revoked",)),
    Audited("cxloop.orgs.services.create_unit", ("unit.created",)),
    Audited("cxloop.orgs.services.set_unit_lead", ("unit.lead_changed",)),
    Audited("cxloop.orgs.services.create_employee", ("employee.created",)),
    # People who log in, managed by their organisation's admin (orgs.people).
    Audited(
        "cxloop.orgs.people.invite_person",
        ("user.invited", "role.granted", "user.password_link_sent"),
    ),
    Audited("cxloop.orgs.people.send_password_link", ("user.password_link_sent",)),
    Audited("cxloop.orgs.people.deactivate_user", ("user.deactivated",)),
    Audited("cxloop.orgs.people.reactivate_user", ("user.reactivated",)),
    # The chain's set-up by the admin of the organisation that leads it (journeys.chain).
    Audited(
        "cxloop.journeys.chain.save_journey_type", ("journey_type.created", "journey_type.changed")
    ),
    Audited("cxloop.journeys.chain.save_touchpoint", ("touchpoint.created", "touchpoint.changed")),
    Audited("cxloop.journeys.chain.save_channel", ("channel.created", "channel.changed")),
    Audited("cxloop.journeys.chain.set_agreement", ("agreement.created", "agreement.changed")),
    Audited(
        "cxloop.journeys.chain.add_partner",
        (
            "organisation.created",
            "partner.invited",
            "user.invited",
            "role.granted",
            "user.password_link_sent",
        ),
    ),
    # The structure kept in step with HR (orgs.structure: API and HR import).
    Audited("cxloop.orgs.structure.upsert_units", ("unit.created", "unit.changed")),
    Audited("cxloop.orgs.structure.upsert_employees", ("employee.created", "employee.changed")),
    Audited("cxloop.orgs.structure.leave", ("employee.left",)),
    Audited("cxloop.orgs.structure.close_unit", ("unit.closed",)),
    Audited(
        "cxloop.orgs.admin.OrganisationAdmin",
        ("organisation.created", "organisation.changed", "organisation.deleted"),
    ),
    Audited("cxloop.orgs.admin.UnitAdmin", ("unit.created", "unit.changed", "unit.deleted")),
    Audited(
        "cxloop.orgs.admin.EmployeeAdmin",
        ("employee.created", "employee.changed", "employee.deleted"),
    ),
    Audited("cxloop.orgs.admin.MembershipAdmin", ("role.granted", "role.changed", "role.revoked")),
    Audited("cxloop.orgs.admin.ApiKeyAdmin", ("api_key.changed", "api_key.deleted")),
    # Webhooks: where case data is sent.
    Audited("cxloop.webhooks.services.create_endpoint", ("webhook.created",)),
    Audited("cxloop.webhooks.services.delete_endpoint", ("webhook.deleted",)),
    # Logging in: second factor and password (cxloop.accounts).
    Audited("cxloop.accounts.services.confirm_authenticator", ("user.two_factor_enabled",)),
    Audited("cxloop.accounts.services.remove_two_factor", ("user.two_factor_removed",)),
    Audited("cxloop.accounts.services.replace_backup_codes", ("user.backup_codes_replaced",)),
    Audited("cxloop.accounts.services.record_password_change", ("user.password_changed",)),
    Audited(
        "cxloop.accounts.services.create_user_from_provider",
        ("user.created_by_sign_in", "role.granted"),
    ),
    Audited("cxloop.accounts.services.grant_mapped_roles", ("role.granted",)),
    # Customers.
    Audited("cxloop.customers.services.opt_out_customer", ("customer.opted_out",)),
    Audited(
        "cxloop.customers.services.record_contact_details",
        ("customer.contact_added", "customer.contact_changed"),
    ),
    Audited(
        "cxloop.customers.services.record_contact_details_in_bulk",
        ("customer.contact_added", "customer.contact_changed"),
    ),
    Audited(
        "cxloop.customers.services.upsert_customer",
        ("customer.contact_added", "customer.contact_changed"),
    ),
    Audited("cxloop.customers.services.set_contact_sharing", ("chain.contact_sharing_changed",)),
    # Who is asked: invitation rules and the chain's contact policy.
    Audited(
        "cxloop.surveys.rules.save_rule", ("invitation_rule.created", "invitation_rule.changed")
    ),
    Audited(
        "cxloop.surveys.rules.save_policy", ("contact_policy.created", "contact_policy.changed")
    ),
    # Follow-up configuration.
    Audited(
        "cxloop.followup.configuration.save_followup_rule",
        ("followup_rule.created", "followup_rule.changed"),
    ),
    Audited("cxloop.followup.configuration.save_queue", ("queue.created", "queue.changed")),
    Audited(
        "cxloop.followup.configuration.save_sla_policy",
        ("sla_policy.created", "sla_policy.changed"),
    ),
    Audited("cxloop.followup.configuration.delete_sla_policy", ("sla_policy.deleted",)),
    Audited(
        "cxloop.followup.configuration.save_business_hours",
        ("business_hours.created", "business_hours.changed"),
    ),
    Audited(
        "cxloop.followup.configuration.save_root_cause",
        ("root_cause.created", "root_cause.changed"),
    ),
    Audited("cxloop.followup.configuration.set_root_cause_active", ("root_cause.changed",)),
    Audited(
        "cxloop.followup.configuration.save_message_template",
        ("message_template.created", "message_template.changed"),
    ),
    Audited("cxloop.followup.configuration.delete_message_template", ("message_template.deleted",)),
    # Surveys: drafts, their questions, publishing.
    Audited("cxloop.surveys.authoring.create_survey", ("survey.created",)),
    Audited("cxloop.surveys.authoring.update_survey", ("survey.changed",)),
    Audited("cxloop.surveys.authoring.add_question", ("question.added",)),
    Audited("cxloop.surveys.authoring.update_question", ("question.changed",)),
    Audited("cxloop.surveys.authoring.delete_question", ("question.removed",)),
    Audited("cxloop.surveys.authoring.move_question", ("question.moved",)),
    Audited("cxloop.surveys.authoring.draft_from", ("survey.draft_started",)),
    Audited("cxloop.surveys.authoring.publish_survey", ("survey.published",)),
    # Views and exports of personal data.
    Audited("cxloop.followup.views.case_detail", ("case.viewed",), kind="view"),
    Audited("cxloop.customers.views.why_asked", ("customer.viewed", "customer.found"), kind="view"),
    Audited("cxloop.messaging.views.outbox_message", ("message.viewed",), kind="view"),
    Audited("cxloop.dashboards.exports.record_export", ("dashboard.exported",), kind="export"),
    Audited("cxloop.responses.api.list_responses", ("response.listed",), kind="export"),
]

# Write services of the audited modules that write no entry, and why.
NOT_AUDITED: dict[str, str] = {
    "cxloop.orgs.services.authenticate_api_key": "stamps last_used_at on each call; not a change by a person",
    "cxloop.accounts.services.start_authenticator": "an unconfirmed secret; confirming it is the audited change",
}

# The modules whose every public function is a write that must be in AUDITED or NOT_AUDITED.
AUDITED_MODULES = [
    "cxloop.orgs.services",
    "cxloop.orgs.structure",
    "cxloop.orgs.people",
    "cxloop.journeys.chain",
    "cxloop.customers.services",
    "cxloop.surveys.rules",
    "cxloop.followup.configuration",
    "cxloop.surveys.authoring",
    "cxloop.accounts.services",
]


def all_actions() -> set[str]:
    """Every action name the log can hold."""
    return {action for audited in AUDITED for action in audited.actions}
