"""Forms of the people pages: inviting a person and granting a role (only this organisation's units)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cxloop.lib.forms import form_field
from cxloop.orgs.models import Organisation, Role, Unit


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Only in unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("the whole organisation"),
        help_text=_("A role narrowed to a unit applies to that unit and everything below it."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organisation's open units: a role can never reach into another organisation.
        form_field(self, "unit", forms.ModelChoiceField).queryset = Unit.objects.filter(
            organisation=organisation, closed_at=None
        ).order_by("path")


class InviteForm(RoleForm):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("First name"), max_length=150, required=False)
    field_order = ["email", "name", "role", "unit"]
