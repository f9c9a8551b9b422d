"""With the database queue (the default outside tests), the worker does the sending."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from cxloop.conftest import interaction_payload
from cxloop.messaging.models import OutboxMessage
from cxloop.surveys.models import Invitation

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_plans_and_sends_queued_invitations_once(cast):
    with override_settings(TASKS=DB_TASKS):
        response = Client().post(
            "/api/interactions",
            data=interaction_payload(),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
        )
        assert response.status_code == 201
        # Nothing is sent by the web request itself: it is queued.
        assert not Invitation.objects.exists()
        call_command("worker", batch=True, verbosity=0)
        call_command("worker", batch=True, verbosity=0)
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.SENT
    assert OutboxMessage.objects.filter(recipient="klant@example.nl").count() == 1
