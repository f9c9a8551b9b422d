"""An organisation's follow-up configuration: the services that save it.

Rules, queues, SLA policies, business hours, root causes and customer message templates, edited
by the organisation's admins and journey owners (settings_views.py). The forms that validate
them are in forms.py. Changes apply to cases opened afterwards: due times of open cases are not
recomputed.
"""

from django.db import transaction

from cxloop.audit.services import (
    Actor,
    form_fields,
    record_change,
    record_saved,
    snapshot,
    stored,
)
from cxloop.followup import sla
from cxloop.followup.forms import (
    FollowUpRuleForm,
    MessageTemplateForm,
    QueueForm,
    RootCauseForm,
    SlaPolicyForm,
)
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.orgs.models import Organisation


@transaction.atomic
def save_followup_rule(
    *, organisation: Organisation, form: FollowUpRuleForm, actor: Actor = None
) -> FollowUpRule:
    """Save a validated follow-up rule of the organisation."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    rule = form.save(commit=False)
    rule.organisation = organisation
    if rule.owner != FollowUpRule.Owner.QUEUE:
        rule.queue = None
    rule.save()
    record_saved(
        actor=actor,
        noun="followup_rule",
        target=rule,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return rule


@transaction.atomic
def save_queue(
    *, organisation: Organisation, form: QueueForm, actor: Actor = None
) -> FollowUpQueue:
    """Save a validated queue and its members."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    queue = form.save(commit=False)
    queue.organisation = organisation
    queue.save()
    form.save_m2m()
    record_saved(
        actor=actor,
        noun="queue",
        target=queue,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return queue


@transaction.atomic
def save_sla_policy(
    *, organisation: Organisation, form: SlaPolicyForm, actor: Actor = None
) -> SlaPolicy:
    """Save a validated SLA policy; it applies to cases opened from now on."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    policy = form.save(commit=False)
    policy.organisation = organisation
    policy.save()
    record_saved(
        actor=actor,
        noun="sla_policy",
        target=policy,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return policy


SLA_POLICY_FIELDS = ["journey_type", "priority", "first_contact_hours", "resolution_hours"]


@transaction.atomic
def delete_sla_policy(*, policy: SlaPolicy, actor: Actor = None) -> None:
    """Remove an SLA policy; new cases fall back to a more general policy or the defaults."""
    record_change(
        actor=actor,
        action="sla_policy.deleted",
        target=policy,
        organisation=policy.organisation,
        before=snapshot(policy, SLA_POLICY_FIELDS),
    )
    policy.delete()


@transaction.atomic
def save_business_hours(
    *,
    organisation: Organisation,
    opening_hours: dict[str, list[list[str]]],
    closed_on_public_holidays: bool,
    max_failed_attempts: int,
    remind_before_hours: int,
    actor: Actor = None,
) -> FollowUpSettings:
    """Store the organisation's business hours and follow-up habits (validated with sla.parse_hours)."""
    sla.parse_hours(opening_hours)
    fields = [
        "opening_hours",
        "closed_on_public_holidays",
        "max_failed_attempts",
        "remind_before_hours",
    ]
    stored_settings = FollowUpSettings.objects.filter(organisation=organisation).first()
    before = snapshot(stored_settings, fields) if stored_settings else None
    settings, _created = FollowUpSettings.objects.update_or_create(
        organisation=organisation,
        defaults={
            "opening_hours": opening_hours,
            "closed_on_public_holidays": closed_on_public_holidays,
            "max_failed_attempts": max_failed_attempts,
            "remind_before_hours": remind_before_hours,
        },
    )
    record_saved(
        actor=actor,
        noun="business_hours",
        target=settings,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return settings


@transaction.atomic
def save_root_cause(
    *, organisation: Organisation, form: RootCauseForm, actor: Actor = None
) -> RootCause:
    """Add or rename a root cause; cases keep pointing at it, so a rename changes their history's label."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    root_cause = form.save(commit=False)
    root_cause.organisation = organisation
    root_cause.save()
    record_saved(
        actor=actor,
        noun="root_cause",
        target=root_cause,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return root_cause


@transaction.atomic
def set_root_cause_active(*, root_cause: RootCause, active: bool, actor: Actor = None) -> RootCause:
    """(De)activate a root cause: inactive ones are not offered when resolving, but stay in the KPIs."""
    before = stored(root_cause, ["is_active"])
    RootCause.objects.filter(pk=root_cause.pk).update(is_active=active)
    root_cause.is_active = active
    record_saved(
        actor=actor,
        noun="root_cause",
        target=root_cause,
        organisation=root_cause.organisation,
        before=before,
        fields=["is_active"],
    )
    return root_cause


@transaction.atomic
def save_message_template(
    *, organisation: Organisation, form: MessageTemplateForm, actor: Actor = None
) -> CustomerMessageTemplate:
    """Save a validated customer message template."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    template = form.save(commit=False)
    template.organisation = organisation
    template.save()
    record_saved(
        actor=actor,
        noun="message_template",
        target=template,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return template


@transaction.atomic
def delete_message_template(*, template: CustomerMessageTemplate, actor: Actor = None) -> None:
    """Remove a customer message template (messages already sent keep their text)."""
    record_change(
        actor=actor,
        action="message_template.deleted",
        target=template,
        organisation=template.organisation,
        before=snapshot(template, ["name", "subject_nl", "body_nl", "subject_en", "body_en"]),
    )
    template.delete()
