"""An organisation's follow-up configuration: the forms that validate it and the services that save it.

Rules, queues, SLA policies, business hours, root causes and customer message templates, edited
by the organisation's admins and journey owners (settings_views.py). The forms only validate;
the writes are the small services at the bottom. Changes apply to cases opened afterwards:
due times of open cases are not recomputed.
"""

import re
import string
from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cxloop.audit.services import (
    Actor,
    form_fields,
    record_change,
    record_saved,
    snapshot,
    stored,
)
from cxloop.followup import sla
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpCase,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.journeys.models import Channel, JourneyType
from cxloop.lib.forms import form_field
from cxloop.orgs.models import Employee, Organisation

PLACEHOLDERS = frozenset({"organisation", "action", "employee"})
WEEKDAYS = (
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
)
MAX_INTERVALS_PER_DAY = 2
INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
SCALES = {"nps_max": (0, 10), "nps_min": (0, 10), "csat_max": (1, 5), "ces_min": (1, 7)}


class FollowUpRuleForm(forms.ModelForm):
    """When a response opens a case, and who gets it; choices limited to the organisation and its chain."""

    priority = forms.ChoiceField(label=_("Priority"), choices=FollowUpCase.Priority.choices)

    class Meta:
        model = FollowUpRule
        fields = [
            "name",
            "position",
            "is_active",
            "nps_max",
            "nps_min",
            "csat_max",
            "ces_min",
            "keywords",
            "journey_type",
            "channel",
            "segment",
            "require_comment",
            "action",
            "priority",
            "owner",
            "queue",
        ]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "name": _("Name"),
            "action": _("Action"),
            "position": _("Order (lowest first)"),
            "is_active": _("Active"),
            "nps_max": _("NPS at most"),
            "nps_min": _("NPS at least"),
            "csat_max": _("CSAT at most (1–5)"),
            "ces_min": _("CES at least (1–7)"),
            "keywords": _("Keywords"),
            "journey_type": _("Only for journey type"),
            "channel": _("Only for channel"),
            "segment": _("Only for customer segment"),
            "require_comment": _("Only when the customer wrote a comment"),
            "owner": _("Who gets the case"),
            "queue": _("Queue"),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(
            self, "journey_type", forms.ModelChoiceField
        ).queryset = JourneyType.objects.filter(chain_id=organisation.chain_id).order_by("name")
        form_field(self, "channel", forms.ModelChoiceField).queryset = Channel.objects.filter(
            chain_id=organisation.chain_id
        ).order_by("name")
        form_field(self, "queue", forms.ModelChoiceField).queryset = FollowUpQueue.objects.filter(
            organisation=organisation
        ).order_by("name")

    def clean(self):
        data = super().clean()
        for name, (low, high) in SCALES.items():
            value = data.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(
                    name, _("Give a value from %(low)s to %(high)s.") % {"low": low, "high": high}
                )
        if (
            data.get("nps_min") is not None
            and data.get("nps_max") is not None
            and data["nps_min"] > data["nps_max"]
        ):
            self.add_error(
                "nps_min", _("The lowest NPS is above the highest; no response would match.")
            )
        if data.get("owner") == FollowUpRule.Owner.QUEUE and not data.get("queue"):
            self.add_error("queue", _("Choose the queue that gets the cases."))
        conditions = (
            "nps_max",
            "nps_min",
            "csat_max",
            "ces_min",
            "keywords",
            "journey_type",
            "channel",
            "segment",
        )
        if not any(data.get(name) not in (None, "") for name in conditions) and not data.get(
            "require_comment"
        ):
            self.add_error(
                None, _("Give at least one condition, or the rule matches every response.")
            )
        return data

    def clean_keywords(self) -> str:
        lines = (line.strip() for line in self.cleaned_data.get("keywords", "").splitlines())
        return "\n".join(line for line in lines if line)


class QueueForm(forms.ModelForm):
    """A queue's name and members (employees of the organisation)."""

    class Meta:
        model = FollowUpQueue
        fields = ["name", "members", "prefer_known_employee", "match_segment"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        labels = {
            "name": _("Name"),
            "members": _("Members"),
            "prefer_known_employee": _("Prefer a member who already handled this customer"),
            "match_segment": _("Prefer a member whose skills include the customer's segment"),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        form_field(self, "members", forms.ModelChoiceField).queryset = Employee.objects.filter(
            organisation=organisation
        ).order_by("name")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = FollowUpQueue.objects.filter(
            organisation=self.organisation, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a queue with this name."))
        return name


class SlaPolicyForm(forms.ModelForm):
    """Working hours to first contact and to resolution, for a journey type (or any) and a priority."""

    priority = forms.ChoiceField(label=_("Priority"), choices=FollowUpCase.Priority.choices)

    class Meta:
        model = SlaPolicy
        fields = ["journey_type", "priority", "first_contact_hours", "resolution_hours"]
        labels = {
            "journey_type": _("Journey type"),
            "first_contact_hours": _("Working hours to the first contact"),
            "resolution_hours": _("Working hours to resolution"),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        form_field(
            self, "journey_type", forms.ModelChoiceField
        ).queryset = JourneyType.objects.filter(chain_id=organisation.chain_id).order_by("name")
        form_field(self, "journey_type", forms.ModelChoiceField).empty_label = _(
            "every journey type"
        )

    def clean(self):
        data = super().clean()
        first, resolution = data.get("first_contact_hours"), data.get("resolution_hours")
        for name, value in (("first_contact_hours", first), ("resolution_hours", resolution)):
            if value is not None and value <= Decimal(0):
                self.add_error(name, _("Give a number of working hours above zero."))
        if first is not None and resolution is not None and first > resolution:
            self.add_error(
                "resolution_hours", _("Resolution cannot be due before the first contact.")
            )
        same = SlaPolicy.objects.filter(
            organisation=self.organisation,
            journey_type=data.get("journey_type"),
            priority=data.get("priority"),
        ).exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error(None, _("There is already a policy for this journey type and priority."))
        return data


def parse_day(text: str) -> list[list[str]]:
    """ "08:30-12:00, 13:00-17:30" → [["08:30", "12:00"], ["13:00", "17:30"]]; empty is closed; raises ValueError."""
    intervals = []
    for part in (p for p in re.split(r"[,;]", text) if p.strip()):
        match = INTERVAL.match(part)
        if match is None:
            raise ValueError(_("Write opening hours as 08:30-12:00, 13:00-17:30."))
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59:
            raise ValueError(_("%(part)s is not a time of day.") % {"part": part.strip()})
        intervals.append([f"{start_h:02d}:{start_m:02d}", f"{end_h:02d}:{end_m:02d}"])
    if len(intervals) > MAX_INTERVALS_PER_DAY:
        raise ValueError(_("At most two intervals a day."))
    return intervals


def format_day(intervals: list[list[str]]) -> str:
    """The inverse of parse_day."""
    return ", ".join(f"{start}-{end}" for start, end in intervals)


class BusinessHoursForm(forms.Form):
    """Opening hours per weekday (Europe/Amsterdam) and the organisation's follow-up habits."""

    closed_on_public_holidays = forms.BooleanField(
        label=_("Closed on Dutch public holidays"), required=False
    )
    max_failed_attempts = forms.IntegerField(
        label=_("Failed contact attempts before a case closes as unreachable"),
        min_value=1,
        max_value=20,
    )
    remind_before_hours = forms.IntegerField(
        label=_("Remind the assignee this many hours before due"), min_value=0, max_value=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=40,
                help_text=_("e.g. 08:30-12:00, 13:00-17:30; empty when closed"),
            )

    @classmethod
    def initial_for(cls, settings: FollowUpSettings) -> dict[str, object]:
        initial: dict[str, object] = {
            f"day_{day}": format_day(settings.opening_hours.get(day, []))
            for day, _label in WEEKDAYS
        }
        initial.update(
            closed_on_public_holidays=settings.closed_on_public_holidays,
            max_failed_attempts=settings.max_failed_attempts,
            remind_before_hours=settings.remind_before_hours,
        )
        return initial

    def clean(self):
        data = super().clean()
        opening_hours = {}
        for day, _label in WEEKDAYS:
            field = f"day_{day}"
            if field not in data:
                continue
            try:
                intervals = parse_day(data[field])
                if (
                    intervals
                ):  # sla.parse_hours refuses an empty day (zip strict); a closed day is left out
                    sla.parse_hours({day: intervals})
            except ValueError as error:
                self.add_error(field, str(error))
                continue
            if intervals:
                opening_hours[day] = intervals
        if not self.errors and not opening_hours:
            self.add_error(
                None, _("Give opening hours on at least one day; due times are counted in them.")
            )
        data["opening_hours"] = opening_hours
        return data


class RootCauseForm(forms.ModelForm):
    """A root cause's name, unique in the organisation."""

    class Meta:
        model = RootCause
        fields = ["name"]
        labels = {"name": _("Name")}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the root cause a name."))
        others = RootCause.objects.filter(
            organisation=self.organisation, name__iexact=name
        ).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("There is already a root cause with this name."))
        return name


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders other than {organisation}, {action} and {employee}; raises ValueError on a stray brace."""
    unknown = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            unknown.append(
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
    return unknown


class MessageTemplateForm(forms.ModelForm):
    """The message back to the customer in Dutch and English, with only the known placeholders."""

    class Meta:
        model = CustomerMessageTemplate
        fields = ["name", "subject_nl", "body_nl", "subject_en", "body_en"]
        labels = {
            "name": _("Name"),
            "subject_nl": _("Subject (Dutch)"),
            "body_nl": _("Message (Dutch)"),
            "subject_en": _("Subject (English)"),
            "body_en": _("Message (English)"),
        }
        help_texts = {
            name: _("Placeholders: {organisation}, {action}, {employee}")
            for name in ("subject_nl", "body_nl", "subject_en", "body_en")
        }
        widgets = {
            "body_nl": forms.Textarea(attrs={"rows": 6}),
            "body_en": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean(self):
        data = super().clean()
        for name in ("subject_nl", "body_nl", "subject_en", "body_en"):
            if name not in data:
                continue
            try:
                unknown = unknown_placeholders(data[name])
            except ValueError:
                self.add_error(
                    name, _("A brace is not closed; write {organisation}, {action} or {employee}.")
                )
                continue
            if unknown:
                self.add_error(
                    name,
                    _("Unknown placeholder %(names)s; use {organisation}, {action} or {employee}.")
                    % {"names": ", ".join(unknown)},
                )
        return data


# --- services ---------------------------------------------------------------------------------------


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
