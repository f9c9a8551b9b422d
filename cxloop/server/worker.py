"""The worker process: django-tasks-db's task loop made to outlive its database connection,
beside a lease keeper (heartbeats, recovery of dead workers' work) and the sweeper.

The stock loop (`django_tasks_db ... db_worker.Worker.run`) re-raises every database error but
"database is locked", which ends the process: a PostgreSQL restart or a terminated connection
stopped all background work. Here a database error closes the broken connection, is logged,
and the loop carries on after a short back-off that doubles up to 10 s. A task interrupted that
way, or failed on a connection error, is handed back to the queue by this worker itself once
the database answers again.
The subclass leans on the stock worker's attributes; pyproject pins django-tasks-db to 0.13.x.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import Error as DatabaseError
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as StockWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from cxloop.messaging import services as messaging
from cxloop.server import services

logger = logging.getLogger(__name__)
FIRST_BACKOFF, LAST_BACKOFF = 0.5, 10.0


def close_broken_connection() -> None:
    """Drop this thread's connection after a database error; the next query opens a fresh one."""
    try:
        connection.close()
    except DatabaseError:
        logger.debug("closing a broken connection failed", exc_info=True)


class Worker(StockWorker):
    """Runs queued tasks until stopped, whatever happens to the database in between."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._current: uuid.UUID | None = None
        self._interrupted: uuid.UUID | None = None

    def run(self) -> None:
        logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        backoff = FIRST_BACKOFF
        while self.running:
            try:
                self._give_back_interrupted()
                if self._step():
                    return
                backoff = FIRST_BACKOFF
            except DatabaseError as error:
                self._interrupted = self._interrupted or self._current
                self._current = None
                logger.warning("database error, reconnecting in %.1f s: %s", backoff, error)
                close_broken_connection()
                time.sleep(backoff)
                backoff = min(backoff * 2, LAST_BACKOFF)

    def _step(self) -> bool:
        """Claim and run one task, or wait; True when the worker is done (batch emptied, max tasks)."""
        close_old_connections()
        task_result, asked = self._claim()
        if task_result is not None:
            self._current = task_result.id
            self.run_task(task_result)  # records success or failure on the task row
            self._current = None
        if self.batch and asked and task_result is None:
            logger.info(
                "No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id
            )
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        close_old_connections()
        if self.running and task_result is None:
            time.sleep(self.interval)
        return False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """The stock run, then: a task that failed because the connection dropped is queued again."""
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.FAILED:
            services.retry_if_connection_lost(task_id=db_task_result.id)

    def _claim(self) -> tuple[DBTaskResult | None, bool]:
        """The stock claim, with this worker's heartbeat naming the task in the same transaction."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                    services.hold_task(worker_id=self.worker_id, task_id=task_result.id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return None, False  # SQLite is busy: try again on the next round
        return task_result, True

    def _give_back_interrupted(self) -> None:
        """A task cut off by a lost connection goes back to the queue (tasks are safe to run twice)."""
        if self._interrupted is not None:
            services.requeue_task(
                task_id=self._interrupted,
                why=f"worker {self.worker_id} lost its database connection",
            )
            self._interrupted = None


def _every(stop: threading.Event, seconds: float, name: str, step: Callable[[], object]) -> None:
    """Run `step` now and every `seconds` until stopped; a failure is logged and tried next round."""
    while True:
        try:
            close_old_connections()
            step()
        except DatabaseError as error:
            logger.warning("%s: database error, trying again in %.0f s: %s", name, seconds, error)
            close_broken_connection()
        except Exception:  # noqa: BLE001 - one bad round must not stop recovery or sweeping
            logger.exception("%s failed", name)
        if stop.wait(seconds):
            connection.close()
            return


class LeaseKeeper:
    """Beats for a worker, renews the process's message claims, and recovers dead workers' work."""

    def __init__(self, worker_id: str | None) -> None:
        self.worker_id = worker_id
        self._first = True

    def __call__(self) -> None:
        now = timezone.now()
        messaging.renew_claims(now=now)
        if self.worker_id is None:
            return  # `cxloop sweep`: it only keeps its own claims alive
        services.beat(worker_id=self.worker_id, now=now)
        if self._first:
            services.recover_orphaned_tasks(now=now)
            self._first = False
        services.recover_abandoned_tasks(now=now)
        messaging.release_stale_claims(now=now)


@contextmanager
def background(*steps: tuple[str, float, Callable[[], object]]) -> Iterator[None]:
    """Run each (name, every seconds, step) in its own thread while the block runs."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=_every, args=(stop, every, name, step), name=name, daemon=True)
        for name, every, step in steps
    ]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(
                timeout=5
            )  # a sweep still sending is cut off at exit; its steps are idempotent
