"""Background steps of responses; each takes ids and is safe to run twice."""

from django_tasks import task

from cxloop.responses import services


@task()
def apply_due_rules_task(response_id: int) -> bool:
    return services.apply_due_rules(response_id=response_id)
