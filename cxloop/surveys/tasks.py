"""Background steps of the invitation flow; each takes ids and is safe to run twice.

Deciding comes before sending: planning tasks have a higher priority, which the database queue
serves first (django-tasks-db orders ready tasks by priority, then by time). Sending a planned
batch is split into tasks of SEND_CHUNK invitations, so a decision waits for at most one chunk.
"""

from django.utils import timezone
from django_tasks import task

from cxloop.surveys import planning, services

PLANNING_PRIORITY = 10
SEND_CHUNK = 100


@task(priority=PLANNING_PRIORITY)
def plan_invitations_task(
    interaction_ids: list[int] | None = None, id_runs: list[list[int]] | None = None
) -> int:
    """Plan the interactions `interaction_ids` and those in `id_runs`, [first, last] both included.

    A batch's ids are mostly consecutive, so a batch queues a few runs instead of its thousands of
    ids: the queue's JSON encodes each id three times over, 3 ms of a 1,000-item request.
    """
    ids = [
        *(interaction_ids or ()),
        *(pk for first, last in id_runs or () for pk in range(first, last + 1)),
    ]
    return len(planning.plan_invitations(interaction_ids=ids))


def id_runs(ids: list[int]) -> list[list[int]]:
    """The ids as runs of consecutive numbers, [first, last] each (ids sorted first)."""
    runs: list[list[int]] = []
    for pk in sorted(set(ids)):
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


@task(priority=PLANNING_PRIORITY)
def check_inactivity_task(interaction_id: int) -> int:
    # No longer queued (the sweeper decides the inactivity waits in batches); kept for the tasks
    # that a database upgraded from an earlier version still holds.
    return len(planning.check_inactivity(interaction_id=interaction_id))


@task()
def send_invitation_task(invitation_id: int) -> str:
    return services.send_invitation(invitation_id=invitation_id).status


@task()
def send_invitations_task(invitation_ids: list[int]) -> int:
    """Send the first chunk; the rest is queued first, so another worker may take it meanwhile."""
    chunk, rest = invitation_ids[:SEND_CHUNK], invitation_ids[SEND_CHUNK:]
    if rest:
        send_invitations_task.enqueue(rest)
    return services.send_invitations(invitation_ids=chunk)


@task()
def send_reminder_task(invitation_id: int) -> str:
    # No longer queued (send_reminders_task takes a minute's reminders); kept for the tasks that a
    # database upgraded from an earlier version still holds.
    return services.send_reminder(invitation_id=invitation_id).status


@task()
def send_reminders_task(invitation_ids: list[int]) -> int:
    """Remind each invitation that is due and unanswered; how many were reminded now."""
    now = timezone.now()
    return sum(
        services.send_reminder(invitation_id=pk, now=now).reminded_at == now
        for pk in invitation_ids
    )
