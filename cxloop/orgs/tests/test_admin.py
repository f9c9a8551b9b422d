"""The Django admin opens the list, add and change page of every model."""

import pytest
from django.contrib import admin
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
