"""The follow-up forms: the steps on the case page, the inbox's filters and bulk reassignment, and
the organisation's follow-up configuration (rules, queues, SLA policies, business hours, root
causes, customer message templates; their writes are in configuration.py)."""

import re
import string
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cxloop.followup import queries, sla
from cxloop.followup.models import (
    CONTACT_CHANNELS,
    CustomerMessageTemplate,
    FollowUpCase,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.followup.queries import CaseScope
from cxloop.journeys.models import Channel, JourneyType
from cxloop.lib.forms import form_field
from cxloop.orgs.models import Employee, Organisation

Status = FollowUpCase.Status
TAB_LABELS = {
    "mine": _("Mine"),
    "team": _("My team's"),
    "overdue": _("Overdue"),
    "open": _("Open"),
    "closed": _("Closed"),
    "all": _("All"),
}


# --- the inbox and the case page ------------------------------------------------------------------


class StepForm(forms.Form):
    """A form on the case page; ids carry a prefix because several forms there have a "note"."""

    id_prefix = "step"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ContactAttemptForm(StepForm):
    id_prefix = "contact"
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=list(CONTACT_CHANNELS.items()),
    )
    reached = forms.TypedChoiceField(
        label=_("Reached the customer?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(StepForm):
    id_prefix = "resolve"
    root_cause = forms.ModelChoiceField(label=_("Root cause"), queryset=RootCause.objects.none())
    action_taken = forms.CharField(
        label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: FollowUpCase, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "root_cause", forms.ModelChoiceField).queryset = RootCause.objects.filter(
            organisation=case.organisation, is_active=True
        )


class InformForm(StepForm):
    id_prefix = "inform"
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message to the customer"), widget=forms.Textarea(attrs={"rows": 8})
    )


class NoteForm(StepForm):
    id_prefix = "close"
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.unit.name}, {obj.organisation.name})"


class QueueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class ReassignForm(StepForm):
    """Give the case to an employee the user may assign to, or to a queue's next member."""

    id_prefix = "reassign"

    assignee = EmployeeChoiceField(label=_("Employee"), queryset=None, required=False)
    queue = QueueChoiceField(label=_("or a queue"), queryset=None, required=False)
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: FollowUpCase, case_scope: CaseScope, **kwargs):
        super().__init__(*args, **kwargs)
        form_field(self, "assignee", EmployeeChoiceField).queryset = queries.assignable_employees(
            case_scope
        )
        form_field(self, "queue", QueueChoiceField).queryset = queries.queues_for(
            case_scope, case=case
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee")) == bool(data.get("queue")):
            raise forms.ValidationError(_("Choose an employee or a queue (one of the two)."))
        return data


class BulkReassignForm(forms.Form):
    """Several open cases the user sees, to one employee the user may assign to."""

    cases = forms.ModelMultipleChoiceField(
        label=_("Cases"),
        queryset=FollowUpCase.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the cases to reassign.")},
    )
    assignee = EmployeeChoiceField(label=_("Reassign the ticked cases to"), queryset=None)
    note = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, *args, case_scope: CaseScope, **kwargs):
        # The filter form above it has an "assignee" too: ids must stay unique on the page.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        form_field(self, "cases", forms.ModelMultipleChoiceField).queryset = queries.workable_cases(
            case_scope
        )
        form_field(self, "assignee", EmployeeChoiceField).queryset = queries.assignable_employees(
            case_scope
        )


class InboxFilterForm(forms.Form):
    """The inbox's tab, filters and sort, read from the URL; an invalid value is ignored."""

    show = forms.ChoiceField(choices=list(TAB_LABELS.items()), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any"))] + Status.choices, required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("", _("any"))] + FollowUpCase.Priority.choices,
        required=False,
    )
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, empty_value=None, required=False)
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), coerce=int, empty_value=None, required=False
    )
    journey_type = forms.TypedChoiceField(
        label=_("Journey type"), coerce=int, empty_value=None, required=False
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, empty_value=None, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("due", _("most urgent first")),
            ("-due", _("due last first")),
            ("opened", _("newest first")),
            ("-opened", _("oldest first")),
            ("customer", _("customer")),
            ("-customer", _("customer, reversed")),
        ],
        required=False,
    )

    def __init__(self, *args, choices: queries.InboxChoices, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in (
            ("unit", choices.units),
            ("assignee", choices.assignees),
            ("journey_type", choices.journey_types),
            ("organisation", choices.organisations),
        ):
            form_field(self, name, forms.ChoiceField).choices = [("", _("any"))] + [
                (str(pk), label) for pk, label in options
            ]
        if len(choices.organisations) < 2:
            del self.fields["organisation"]

    def selection(self) -> tuple[str, queries.InboxFilters]:
        """The tab and the valid filters."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        filters = queries.InboxFilters(
            status=data.get("status") or "",
            priority=data.get("priority") or "",
            unit_id=data.get("unit"),
            assignee_id=data.get("assignee"),
            journey_type_id=data.get("journey_type"),
            organisation_id=data.get("organisation"),
            sort=data.get("sort") or "due",
        )
        return data.get("show") or "open", filters


# --- the follow-up configuration ------------------------------------------------------------------

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
