"""Background upkeep of the dashboards' roll-ups."""

from django_tasks import task

from cxloop.dashboards import rollups


@task()
def add_to_rollup_task(response_id: int) -> bool:
    return rollups.add_response(response_id=response_id)
