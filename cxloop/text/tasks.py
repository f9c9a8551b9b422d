"""Background analysis of answers."""

from django_tasks import task

from cxloop.text import services


@task()
def analyse_response_task(response_id: int) -> int:
    return len(services.analyse_response(response_id=response_id))


@task()
def analyse_organisation_task(organisation_id: int) -> int:
    """Every answer of the organisation with text and no analysis yet (e.g. a freshly loaded demo)."""
    from cxloop.orgs.models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    analysed = services.analyse_pending(organisation=organisation, limit=None)
    # Store the answers' vectors too, so that the topics page's emerging topics need no model.
    services.embed_recent(organisation=organisation, limit=None)
    return analysed
