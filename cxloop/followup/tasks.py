"""Background steps of follow-up; each takes ids and is safe to run twice."""

from django_tasks import task

from cxloop.followup import services


@task()
def apply_followup_rules_task(response_id: int) -> int | None:
    case = services.apply_followup_rules(response_id=response_id)
    return case.pk if case else None


@task()
def notify_assignee_task(case_id: int) -> None:
    services.notify_assignee(case_id=case_id)
