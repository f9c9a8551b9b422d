"""Workers' leases: heartbeats, and handing the work of a dead worker back to the queue.

Every `cxloop worker` writes a heartbeat row every lease/6 seconds, and names the task it takes
in the same transaction as it claims it. A worker silent for a whole lease
(CXLOOP_WORKER_LEASE_SECONDS, 30 s) is presumed dead: any other worker, or the sweeper, puts
its task back in the queue and deletes its row. A live worker's long task is never taken,
however long it runs, because its heartbeat keeps naming it. Tasks are idempotent, so a worker
that was only stalled for a lease costs a task run twice at worst, never lost work.
Message claims follow the same lease (messaging.services.renew_claims / release_stale_claims).
"""

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cxloop.server.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task whose worker died this many times is failed instead of queued again: it may be what kills them.
MAX_ATTEMPTS = 5


class WorkerLost(Exception):
    """Recorded on a task whose workers kept dying while running it."""


def lease() -> timedelta:
    """How long a worker may stay silent before its work is handed to others."""
    return timedelta(seconds=settings.CXLOOP_WORKER_LEASE_SECONDS)


def beat_interval() -> float:
    """Seconds between heartbeats: six beats per lease, so a busy database cannot miss a whole lease."""
    return settings.CXLOOP_WORKER_LEASE_SECONDS / 6


def new_worker_id() -> str:
    """A worker id that says where the worker runs: host, process id and a random part."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _identity(now: datetime) -> dict:
    return {
        "hostname": socket.gethostname()[:255],
        "pid": os.getpid(),
        "started_at": now,
        "seen_at": now,
    }


def beat(*, worker_id: str, now: datetime | None = None) -> None:
    """Record that a worker is alive; makes its row again if others presumed it dead meanwhile."""
    now = now or timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now):
        WorkerHeartbeat.objects.get_or_create(worker_id=worker_id, defaults=_identity(now))


def hold_task(*, worker_id: str, task_id: uuid.UUID | str, now: datetime | None = None) -> None:
    """Name the task a worker just claimed; call it inside the claim's transaction."""
    now = now or timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(task_id=task_id, seen_at=now):
        # Rare (first claim, or presumed dead meanwhile): may race the worker's own first beat.
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"task_id": task_id, "seen_at": now},
            create_defaults={**_identity(now), "task_id": task_id},
        )


def retire(*, worker_id: str) -> None:
    """A worker stops: its task, if it was stopped in the middle, goes back to the queue at once."""
    with transaction.atomic():
        row = WorkerHeartbeat.objects.select_for_update().filter(worker_id=worker_id).first()
        if row is None:
            return
        if row.task_id:
            requeue_task(task_id=row.task_id, why=f"worker {worker_id} stopped")
        row.delete()


def requeue_task(*, task_id: uuid.UUID | str, why: str, now: datetime | None = None) -> bool:
    """Put a task left RUNNING back in the queue (it is idempotent); True if it was queued again."""
    now = now or timezone.now()
    running = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING)
    attempts = running.values_list("worker_ids", flat=True).first()
    if attempts is None:
        return False  # finished, or queued again by another worker already
    if len(attempts) >= MAX_ATTEMPTS:
        running.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{why}; gave up after {len(attempts)} attempts whose workers all stopped",
        )
        logger.error("task %s failed for good: %s after %s attempts", task_id, why, len(attempts))
        return False
    queued = bool(running.update(status=TaskResultStatus.READY))
    if queued:
        logger.warning("task %s queued again: %s", task_id, why)
    return queued


# Failures that say "the database went away", not "the task is wrong": worth another attempt.
CONNECTION_ERRORS = {"django.db.utils.OperationalError", "django.db.utils.InterfaceError"}


def retry_if_connection_lost(*, task_id: uuid.UUID | str) -> bool:
    """Queue a task again that failed because its database connection was lost (up to MAX_ATTEMPTS)."""
    failed = DBTaskResult.objects.filter(
        pk=task_id, status=TaskResultStatus.FAILED, exception_class_path__in=CONNECTION_ERRORS
    )
    attempts = failed.values_list("worker_ids", flat=True).first()
    if attempts is None or len(attempts) >= MAX_ATTEMPTS:
        return False
    queued = bool(failed.update(status=TaskResultStatus.READY, finished_at=None))
    if queued:
        logger.warning(
            "task %s queued again: it failed on a database error (attempt %s)",
            task_id,
            len(attempts),
        )
    return queued


def recover_abandoned_tasks(*, now: datetime | None = None) -> int:
    """Queue again the tasks of workers silent for a lease, and forget those workers."""
    now = now or timezone.now()
    cutoff = now - lease()
    requeued = 0
    for worker_id, task_id in WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).values_list(
        "worker_id", "task_id"
    ):
        with transaction.atomic():
            # Compare-and-delete: a worker that beat in the meantime keeps its task.
            gone, _ = WorkerHeartbeat.objects.filter(
                worker_id=worker_id, seen_at__lt=cutoff
            ).delete()
            if gone and task_id:
                requeued += requeue_task(
                    task_id=task_id,
                    why=f"worker {worker_id} silent since before {cutoff:%H:%M:%S}",
                    now=now,
                )
    return requeued


def recover_orphaned_tasks(*, now: datetime | None = None) -> int:
    """Queue again RUNNING tasks older than a lease whose worker has no heartbeat row at all.

    Those were taken by a worker from before leases, or by a plain `db_worker`. This scans the
    running tasks, so workers do it once when they start, not at every beat.
    """
    now = now or timezone.now()
    known = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - lease()
    )
    requeued = 0
    for task_id, worker_ids in running.values_list("pk", "worker_ids"):
        if not worker_ids or worker_ids[-1] not in known:
            requeued += requeue_task(task_id=task_id, why="its worker left no heartbeat", now=now)
    return requeued
