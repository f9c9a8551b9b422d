"""Forms of the structure pages (a unit, an employee, the HR import file) and the people pages
(inviting a person, granting a role: only this organisation's units)."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cxloop.lib.forms import form_field
from cxloop.orgs.models import Employee, Organisation, Role, Unit

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def open_units(organisation: Organisation, *, outside: Unit | None = None):
    """The organisation's open units by path (the tree's order), without `outside`'s subtree."""
    units = Unit.objects.filter(organisation=organisation, closed_at__isnull=True).order_by("path")
    if outside is not None:
        units = units.exclude(path__startswith=outside.path)
    return units


class UnitChoiceField(forms.ModelChoiceField):
    """A choice of unit, indented by its depth so that the list reads as the tree."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=50,
        required=False,
        help_text=_("The code HR uses for this unit; empty: made from the name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices, initial=Unit.Kind.TEAM)
    parent = UnitChoiceField(
        label=_("Part of"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("(top of the organisation)"),
    )

    def __init__(self, *args, organisation: Organisation, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.unit = organisation, unit
        form_field(self, "parent", UnitChoiceField).queryset = open_units(
            organisation, outside=unit
        )
        if unit is not None:
            del self.fields["code"]  # the code is HR's key: it stays

    def clean_code(self) -> str:
        code = slugify(self.cleaned_data["code"] or self.cleaned_data.get("name", ""))
        if not code:
            raise forms.ValidationError(_("Give a code of letters and digits."))
        if Unit.objects.filter(organisation=self.organisation, slug=code).exists():
            raise forms.ValidationError(_("Another unit already has this code."))
        return code


class EmployeeForm(forms.Form):
    code = forms.CharField(
        label=_("Employee number"),
        max_length=64,
        help_text=_("The organisation's own number or id, as HR knows it."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(
        self, *args, organisation: Organisation, employee: Employee | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        form_field(self, "unit", UnitChoiceField).queryset = open_units(organisation)
        if employee is not None:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if Employee.objects.filter(organisation=self.organisation, code=code).exists():
            raise forms.ValidationError(_("Another employee already has this number."))
        return code


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Units: code, name, parent, kind. Employees: code, name, unit, email."),
    )
    leave_missing = forms.BooleanField(
        label=_("Mark employees missing from the file as left"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


# --- the people pages -----------------------------------------------------------------------------


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
