"""The privacy pages' forms: retention periods, the audit log's filters, the erasure confirmation."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxloop.audit.models import AuditEntry
from cxloop.privacy.models import RetentionPolicy


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["contact_months", "free_text_months", "message_body_days"]
        help_texts = {
            "contact_months": _(
                "E-mail address and phone number are blanked this long after the last contact."
            ),
            "free_text_months": _(
                "Comments, open answers, text analyses and case notes are blanked after this."
            ),
            "message_body_days": _(
                "The text of e-mails, text messages and webhook payloads is blanked after this."
            ),
        }


# The audit log's kinds as this page names them.
KIND_LABELS = {
    AuditEntry.Kind.CHANGE: _("change"),
    AuditEntry.Kind.VIEW: _("view of personal data"),
    AuditEntry.Kind.EXPORT: _("export of personal data"),
}
# What a purge run counts, as the retention page names it.
PURGE_LABELS = {
    "contact_details": _("contact details"),
    "message_bodies": _("message bodies"),
    "message_recipients": _("message recipients"),
    "comments": _("comments"),
    "open_answers": _("open answers"),
    "text_analyses": _("text analyses"),
    "case_notes": _("case notes"),
    "case_texts": _("case texts"),
    "webhook_payloads": _("webhook payloads"),
}


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *KIND_LABELS.items()]
    )
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=60)
    actor = forms.CharField(label=_("Who"), required=False, max_length=200)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    customer = forms.CharField(label=_("Customer key"), required=False, max_length=128)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def period(self) -> tuple[datetime | None, datetime | None]:
        """The chosen days as aware datetimes: from the start of `since` to the end of `until`."""
        zone = timezone.get_current_timezone()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        return (
            datetime.combine(since, time.min, zone) if since else None,
            datetime.combine(until + timedelta(days=1), time.min, zone) if until else None,
        )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
