from django.db import models


class WorkerHeartbeat(models.Model):
    """A running `cxloop worker`: when it last beat and which task it took last (its lease)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    # Written in the same transaction as the task's claim, so a dead worker's task is always known.
    task_id = models.UUIDField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
