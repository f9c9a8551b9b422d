"""The analysis pages' forms: the query-string filters and the event log upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cxloop.orgs.models import Organisation
from cxloop.process.readers import Columns


class Filters(forms.Form):
    """The query-string filters every analysis page understands; bad values fall back to defaults."""

    since = forms.DateField(
        required=False,
        label=gettext_lazy("Started from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("up to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    organisation = forms.CharField(required=False, label=gettext_lazy("Organisation"))
    by = forms.CharField(required=False, label=gettext_lazy("Hand-overs between"))
    top = forms.IntegerField(
        required=False, min_value=1, max_value=500, label=gettext_lazy("Edges shown")
    )
    metric = forms.ChoiceField(
        required=False,
        label=gettext_lazy("On the edges"),
        choices=[
            ("frequency", gettext_lazy("frequency")),
            ("mean", gettext_lazy("mean time")),
            ("median", gettext_lazy("median time")),
        ],
    )
    days = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label=gettext_lazy("Idle for more than (days)")
    )
    window = forms.IntegerField(
        required=False, min_value=0, max_value=365, label=gettext_lazy("Again within (days)")
    )
    self_handover = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Resource to itself"),
        choices=[("no", gettext_lazy("left out")), ("yes", gettext_lazy("counted"))],
    )

    DEFAULTS = {"top": 20, "metric": "frequency", "days": 14, "window": 7, "self_handover": "no"}

    def value(self, name: str) -> object:
        data = (
            self.cleaned_data
            if self.is_valid()
            else {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        )
        found = data.get(name)
        return self.DEFAULTS.get(name) if found in (None, "") else found

    def number(self, name: str) -> int:
        """A whole-number filter (top, days, window): its valid value or its default."""
        value = self.value(name)
        if not isinstance(value, int):
            raise TypeError(f"the filter {name} is not a whole number")
        return value


class UploadForm(forms.Form):
    """An event log file and how to read it."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=gettext_lazy("Organisation")
    )
    name = forms.CharField(required=False, max_length=200, label=gettext_lazy("Name"))
    file = forms.FileField(label=gettext_lazy("Event log (.xes, .xes.gz, .csv, .csv.gz)"))
    case = forms.CharField(initial="case:concept:name", label=gettext_lazy("Case id column"))
    activity = forms.CharField(initial="concept:name", label=gettext_lazy("Activity column"))
    timestamp = forms.CharField(initial="time:timestamp", label=gettext_lazy("Timestamp column"))
    resource = forms.CharField(
        required=False, initial="org:resource", label=gettext_lazy("Resource column")
    )
    organisation_column = forms.CharField(
        required=False, label=gettext_lazy("Organisation column (optional)")
    )
    separator = forms.CharField(
        required=False,
        max_length=2,
        strip=False,
        label=gettext_lazy("CSV separator (empty: detect)"),
    )
    timestamp_format = forms.CharField(
        required=False,
        label=gettext_lazy("Timestamp format, e.g. %Y/%m/%d %H:%M:%S (empty: ISO 8601)"),
    )

    def columns(self) -> Columns:
        data = self.cleaned_data
        separator = data["separator"].replace("\\t", "\t") or None
        return Columns(
            case=data["case"],
            activity=data["activity"],
            timestamp=data["timestamp"],
            resource=data["resource"] or None,
            organisation=data["organisation_column"] or None,
            separator=separator,
            timestamp_format=data["timestamp_format"] or None,
        )
