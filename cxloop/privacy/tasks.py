"""Background work of privacy: the daily purge, run by the sweeper once a day (and safe to run twice)."""

from datetime import datetime

from django_tasks import task

from cxloop.privacy import services


def daily_purge(*, now: datetime | None = None) -> int:
    """The sweeper's step: apply retention once a day; returns the number of runs it made."""
    return len(services.daily_purge(now=now))


@task()
def daily_purge_task() -> int:
    """The same as a task, for an operator who wants to queue it by hand."""
    return daily_purge()
