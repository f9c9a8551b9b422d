"""Background steps of journey analysis; each takes ids and is safe to run twice."""

from django_tasks import task

from cxloop.process import services


@task()
def import_event_log_task(log_id: int) -> str:
    return services.import_uploaded_log(log_id=log_id).status
