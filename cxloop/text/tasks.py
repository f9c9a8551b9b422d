"""Background analysis of answers."""

from django_tasks import task

from cxloop.text import services


@task()
def analyse_response_task(response_id: int) -> int:
    return len(services.analyse_response(response_id=response_id))
