"""Background steps of the invitation flow; each takes ids and is safe to run twice.

Deciding comes before sending: planning tasks have a higher priority, which the database queue
serves first (django-tasks-db orders ready tasks by priority, then by time). Sending a planned
batch is split into tasks of SEND_CHUNK invitations, so a decision waits for at most one chunk.
"""

from django_tasks import task

from cxloop.surveys import planning, services

PLANNING_PRIORITY = 10
SEND_CHUNK = 100


@task(priority=PLANNING_PRIORITY)
def plan_invitations_task(interaction_ids: list[int]) -> int:
    return len(planning.plan_invitations(interaction_ids=interaction_ids))


@task(priority=PLANNING_PRIORITY)
def check_inactivity_task(interaction_id: int) -> int:
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
    return services.send_reminder(invitation_id=invitation_id).status
