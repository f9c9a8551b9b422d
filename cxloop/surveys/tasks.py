"""Background steps of the invitation flow; each takes ids and is safe to run twice."""

from django_tasks import task

from cxloop.surveys import planning, services


@task()
def plan_invitations_task(interaction_ids: list[int]) -> int:
    return len(planning.plan_invitations(interaction_ids=interaction_ids))


@task()
def check_inactivity_task(interaction_id: int) -> int:
    return len(planning.check_inactivity(interaction_id=interaction_id))


@task()
def send_invitation_task(invitation_id: int) -> str:
    return services.send_invitation(invitation_id=invitation_id).status


@task()
def send_invitations_task(invitation_ids: list[int]) -> int:
    return sum(services.send_invitation(invitation_id=pk).status == "sent" for pk in invitation_ids)


@task()
def send_reminder_task(invitation_id: int) -> str:
    return services.send_reminder(invitation_id=invitation_id).status
