"""Writes for invitation rules and the chain's contact policy, for journey owners and admins."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cxloop.audit.services import Actor, form_fields, record_chain_change, record_saved, stored
from cxloop.orgs.models import Organisation
from cxloop.surveys.models import ContactPolicy, InvitationRule, Survey


class RuleForm(forms.ModelForm):
    """The fields a journey owner sets on a rule; choices limited to the organisation's own."""

    class Meta:
        model = InvitationRule
        fields = [
            "journey_type",
            "touchpoint",
            "survey",
            "trigger",
            "inactivity_hours",
            "delay_minutes",
            "sampling_percent",
            "channel",
            "fallback_channel",
            "quiet_start",
            "quiet_end",
            "quiet_hours_for_email",
            "reminder_after_days",
            "valid_days",
            "is_active",
        ]
        labels = {
            "journey_type": _("Journey type"),
            "touchpoint": _("Touchpoint"),
            "survey": _("Survey"),
            "trigger": _("When"),
            "inactivity_hours": _("Hours without a new interaction"),
            "delay_minutes": _("Delay in minutes"),
            "sampling_percent": _("Sample (% of customers)"),
            "channel": _("Channel"),
            "fallback_channel": _("Fallback channel"),
            "quiet_start": _("Quiet hours from"),
            "quiet_end": _("Quiet hours until"),
            "quiet_hours_for_email": _("Quiet hours for e-mail too"),
            "reminder_after_days": _("Reminder after days"),
            "valid_days": _("Link valid for days"),
            "is_active": _("Active"),
        }
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        from cxloop.journeys.models import JourneyType, Touchpoint

        journey_types = JourneyType.objects.filter(chain_id=organisation.chain_id)
        self.fields["journey_type"].queryset = journey_types
        self.fields["touchpoint"].queryset = Touchpoint.objects.filter(
            journey_type__in=journey_types
        )
        # Rules point at a survey family's first version; the newest published version is sent.
        self.fields["survey"].queryset = Survey.objects.filter(
            organisation=organisation, family__isnull=True
        )

    def clean(self):
        data = super().clean()
        percent = data.get("sampling_percent")
        if percent is not None and not 0 <= percent <= 100:
            self.add_error("sampling_percent", _("A percentage lies between 0 and 100."))
        touchpoint, journey_type = data.get("touchpoint"), data.get("journey_type")
        if touchpoint and touchpoint.journey_type_id != getattr(journey_type, "pk", None):
            self.add_error("touchpoint", _("Choose a touchpoint of the rule's journey type."))
        if data.get("fallback_channel") and data.get("fallback_channel") == data.get("channel"):
            self.add_error("fallback_channel", _("The fallback must be another channel."))
        if data.get("valid_days") == 0:
            self.add_error("valid_days", _("An invitation must be valid for at least one day."))
        return data


class PolicyForm(forms.ModelForm):
    class Meta:
        model = ContactPolicy
        fields = [
            "quarantine_days",
            "cap_count",
            "cap_period_days",
            "one_request_per_journey",
            "suppress_during_open_complaint",
        ]
        labels = {
            "quarantine_days": _("Quarantine in days"),
            "cap_count": _("At most this many invitations"),
            "cap_period_days": _("Per this many days"),
            "one_request_per_journey": _("One request per journey"),
            "suppress_during_open_complaint": _("No request during an open complaint"),
        }

    def clean(self):
        data = super().clean()
        if data.get("cap_period_days") == 0 and data.get("cap_count"):
            self.add_error("cap_period_days", _("A cap needs a period of at least one day."))
        return data


@transaction.atomic
def save_rule(*, form: RuleForm, organisation: Organisation, actor: Actor = None) -> InvitationRule:
    """Save a validated rule for the organisation."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    rule = form.save(commit=False)
    rule.organisation = organisation
    rule.save()
    record_saved(
        actor=actor,
        noun="invitation_rule",
        target=rule,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return rule


@transaction.atomic
def save_policy(*, form: PolicyForm, chain_id: int, actor: Actor = None) -> ContactPolicy:
    """Save the chain's contact policy from a validated form."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    policy = form.save(commit=False)
    policy.chain_id = chain_id
    policy.save()
    after = stored(policy, fields)
    if after != before:  # the policy binds every partner: each one's audit log shows the change
        action = "contact_policy.created" if before is None else "contact_policy.changed"
        record_chain_change(
            chain_id=chain_id, actor=actor, action=action, target=policy, before=before, after=after
        )
    return policy
