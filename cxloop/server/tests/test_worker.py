"""With the database queue (the default outside tests), the worker does the sending."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from cxloop.conftest import interaction_payload
from cxloop.messaging.models import OutboxMessage
from cxloop.surveys.models import Invitation, InvitationDecision

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


def _run_one_task() -> None:
    """The real worker loop, stopped after one task."""
    from cxloop.server import services
    from cxloop.server.worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id=services.new_worker_id(),
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_a_worker_decides_for_new_interactions_before_it_sends_planned_invitations(cast):
    """Planning waits behind no sending task that was queued before it."""
    from django_tasks_db.models import DBTaskResult

    def post(external_id: str, number: int) -> None:
        customer = {"key": f"K-{number}", "email": f"klant{number}@example.nl", "language": "nl"}
        response = Client().post(
            "/api/interactions",
            data=interaction_payload(external_id, journey_id=f"claim-{number}", customer=customer),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {cast.owner_key}",
        )
        assert response.status_code == 201

    with override_settings(TASKS=DB_TASKS):
        post("lw-1", 1)
        _run_one_task()  # plans lw-1 and queues the sending of its invitation
        first = Invitation.objects.get()
        assert first.status == Invitation.Status.SCHEDULED
        assert DBTaskResult.objects.ready().filter(task_path__endswith="send_invitations_task")
        post("lw-2", 2)  # its planning task is queued after the sending task
        _run_one_task()
        assert InvitationDecision.objects.filter(interaction__external_id="lw-2").exists()
        first.refresh_from_db()
        assert first.status == Invitation.Status.SCHEDULED  # not sent yet: planning went first
        call_command("worker", batch=True, verbosity=0)
    assert Invitation.objects.filter(status=Invitation.Status.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_queues_its_planning_task_with_its_interactions_or_not_at_all(cast):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from cxloop.journeys.models import Interaction
    from cxloop.journeys.services import InteractionInput, record_interactions

    item = InteractionInput(
        external_id="call-1",
        occurred_at=timezone.now(),
        customer_key="K-1",
        journey_id="claim-1",
        journey_type="schade-melden",
        channel="telefoon",
    )
    with override_settings(TASKS=DB_TASKS):
        with pytest.raises(RuntimeError), transaction.atomic():
            record_interactions(organisation=cast.owner, items=[item])
            assert DBTaskResult.objects.count() == 1  # written in the batch's transaction
            raise RuntimeError("the request fails after recording")
        assert not Interaction.objects.exists() and not DBTaskResult.objects.exists()

        recorded = record_interactions(organisation=cast.owner, items=[item])
        task = DBTaskResult.objects.get()
        assert task.task_path.endswith("plan_invitations_task")
        assert task.args_kwargs["kwargs"] == {"id_runs": [[recorded[0].id, recorded[0].id]]}
        call_command("worker", batch=True, verbosity=0)
    assert InvitationDecision.objects.filter(interaction_id=recorded[0].id).exists()


def test_a_batch_queues_its_ids_as_runs_of_consecutive_ids():
    from cxloop.surveys.tasks import id_runs

    assert id_runs([12, 3, 5, 4, 9, 10, 4]) == [[3, 5], [9, 10], [12, 12]]
    assert id_runs([]) == []
