"""The Django admin opens the list, add and change page of every model."""

import pytest
from django.contrib import admin
from django.contrib.admin import widgets
from django.forms import ModelChoiceField
from django.urls import reverse

from cxloop.conftest import interaction_payload

pytestmark = pytest.mark.django_db


def test_every_model_has_a_working_admin(cast, post_interaction, admin_client):
    post_interaction(interaction_payload())  # so that there are invitations, outbox rows, ...
    cxloop_models = [
        m for m in admin.site._registry if m._meta.app_config.name.startswith("cxloop.")
    ]
    assert len(cxloop_models) >= 20
    for model in cxloop_models:
        opts = model._meta
        changelist = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )
        assert changelist.status_code == 200, opts.label
        instance = model.objects.first()
        if instance is not None:
            change = admin_client.get(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
            )
            assert change.status_code == 200, opts.label


# Tables that stay small whatever the volume: a chain's configuration, not its traffic.
SMALL_TABLES = {
    "auth.Group",
    "auth.Permission",
    "contenttypes.ContentType",
    "orgs.Chain",
    "orgs.Organisation",
    "orgs.ApiKey",
    "journeys.Channel",
    "journeys.JourneyType",
    "journeys.Touchpoint",
    "surveys.Survey",
    "surveys.Question",
    "surveys.InvitationRule",
    "followup.RootCause",
    "followup.FollowUpRule",
    "followup.FollowUpQueue",
    "drivers.EmployeeSurveyImport",
    "text.Topic",
    "webhooks.WebhookEndpoint",
}
SEARCHING_WIDGETS = (
    widgets.ForeignKeyRawIdWidget,
    widgets.ManyToManyRawIdWidget,
    widgets.AutocompleteSelect,
    widgets.AutocompleteSelectMultiple,
)


def _plain_selects(form_class, shown_as_text=(), parent_key="") -> list[str]:
    """The form's relation fields that would list every row of a table that can grow large."""
    found = []
    for name, field in form_class.base_fields.items():
        if name in shown_as_text or name == parent_key:
            continue
        if not isinstance(field, ModelChoiceField):
            continue
        widget = field.widget
        if isinstance(widget, widgets.RelatedFieldWidgetWrapper):
            widget = widget.widget
        if isinstance(widget, SEARCHING_WIDGETS):
            continue
        if field.queryset.model._meta.label not in SMALL_TABLES:
            found.append(f"{name} → {field.queryset.model._meta.label}")
    return found


def test_no_admin_page_lists_a_large_table_in_a_select(admin_user, rf):
    """A select of every response or customer makes a change page take half a minute at volume."""
    request = rf.get("/admin/")
    request.user = admin_user
    offenders = {}
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(request) and not model_admin.has_add_permission(
            request
        ):
            continue  # a read-only admin shows its relations as text
        plain = _plain_selects(
            model_admin.get_form(request), model_admin.get_readonly_fields(request)
        )
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            plain += _plain_selects(
                formset.form, inline.get_readonly_fields(request), formset.fk.name
            )
        if plain:
            offenders[model._meta.label] = plain
    assert offenders == {}, "\n".join(f"{k}: {v}" for k, v in offenders.items())
