"""Background steps of the invitation flow; each takes ids and is safe to run twice."""

from django_tasks import task

from cxloop.surveys import services


@task()
def plan_invitation_task(interaction_id: int) -> int | None:
    invitation = services.plan_invitation(interaction_id=interaction_id)
    return invitation.pk if invitation else None


@task()
def send_invitation_task(invitation_id: int) -> str:
    return services.send_invitation(invitation_id=invitation_id).status
