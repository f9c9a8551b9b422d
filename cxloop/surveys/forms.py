"""The survey pages' forms: the builder's survey and question forms (they translate the posted
strings into the services' arguments), the invitation rule and the chain's contact policy."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from cxloop.journeys.models import Touchpoint
from cxloop.orgs.models import Organisation
from cxloop.surveys import authoring
from cxloop.surveys.authoring import SurveyEditError
from cxloop.surveys.models import ContactPolicy, InvitationRule, Question, Survey


class SurveyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    intro_nl = forms.CharField(
        label=_("Introduction (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisations: list[Organisation] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
            if len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0]


class TouchpointField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Touchpoint) -> str:
        return f"{obj.journey_type.name}: {obj.name}"


class ConditionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        return f"{obj.position}. {obj.text_en} ({obj.get_kind_display()})"


@dataclass
class QuestionOptions:
    """What a question form offers: the organisation's touchpoints and the survey's scale questions."""

    touchpoints: list[Touchpoint]
    scales: list[Question]

    @classmethod
    def of(cls, survey: Survey) -> "QuestionOptions":
        touchpoints = authoring.usable_touchpoints(organisation_id=survey.organisation_id)
        scales = survey.questions.filter(kind__in=list(Question.SCALES))
        return cls(list(touchpoints), list(scales))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text_nl = forms.CharField(
        label=_("Question in Dutch"), widget=forms.Textarea(attrs={"rows": 2, "lang": "nl"})
    )
    text_en = forms.CharField(
        label=_("Question in English"), widget=forms.Textarea(attrs={"rows": 2, "lang": "en"})
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Single and multiple choice only: one per line as value | Dutch | English"),
    )
    touchpoint = TouchpointField(
        label=_("Touchpoint"),
        queryset=Touchpoint.objects.none(),
        required=False,
        help_text=_(
            "Optional: the answer is attributed to whoever handled this touchpoint in the customer's journey"
        ),
    )
    condition_question = ConditionField(
        label=_("Only ask when the score of"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("(always ask)"),
    )
    condition_min = forms.IntegerField(label=_("is at least"), required=False)
    condition_max = forms.IntegerField(label=_("and at most"), required=False)

    def __init__(
        self,
        *args,
        survey: Survey,
        question: Question | None = None,
        options: "QuestionOptions | None" = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        options = options or QuestionOptions.of(survey)
        self.fields["touchpoint"].queryset = authoring.usable_touchpoints(
            organisation_id=survey.organisation_id
        )
        self.fields["condition_question"].queryset = survey.questions.filter(
            kind__in=list(Question.SCALES)
        ).exclude(pk=question.pk if question else None)
        # Choices from lists read once per page, so a page with many questions reads them once.
        touchpoint_field, condition_field = (
            self.fields["touchpoint"],
            self.fields["condition_question"],
        )
        touchpoint_field.choices = [("", touchpoint_field.empty_label)] + [
            (t.pk, touchpoint_field.label_from_instance(t)) for t in options.touchpoints
        ]
        condition_field.choices = [("", condition_field.empty_label)] + [
            (q.pk, condition_field.label_from_instance(q))
            for q in options.scales
            if question is None or q.pk != question.pk
        ]

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "kind": question.kind,
            "text_nl": question.text_nl,
            "text_en": question.text_en,
            "required": question.required,
            "choices": authoring.format_choices(question.choices),
            "touchpoint": question.touchpoint_id,
            "condition_question": question.condition_question_id,
            "condition_min": question.condition_min,
            "condition_max": question.condition_max,
        }

    def clean_choices(self) -> list[dict[str, str]]:
        try:
            return authoring.parse_choices(self.cleaned_data.get("choices") or "")
        except SurveyEditError as error:
            raise forms.ValidationError(error.message) from error


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
