"""A fast way to store a submitted response for these tests (the survey flow is tested elsewhere)."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from cxloop.responses.models import Response

_numbers = count(1)


def make_response(
    cast,
    *,
    employee,
    nps: int | None,
    comment: str = "",
    days_ago: float = 0,
    channel=None,
    touchpoint=None,
    csat: int | None = None,
) -> Response:
    """A submitted response about an interaction of `employee`, with a unique customer and journey."""
    from cxloop.customers.models import Customer
    from cxloop.journeys.models import Interaction, Journey

    number = next(_numbers)
    when = timezone.now() - timedelta(days=days_ago)
    customer = Customer.objects.create(chain=cast.chain, key=f"T-{number}")
    journey = Journey.objects.create(
        chain=cast.chain,
        journey_type=cast.journey_type,
        customer=customer,
        external_id=f"tj-{number}",
        started_at=when,
    )
    interaction = Interaction.objects.create(
        organisation=employee.organisation,
        external_id=f"ti-{number}",
        journey=journey,
        customer=customer,
        occurred_at=when,
        channel=channel or cast.phone,
        unit=employee.unit,
        employee=employee,
    )
    return Response.objects.create(
        survey=cast.survey,
        customer=customer,
        organisation=employee.organisation,
        interaction=interaction,
        journey=journey,
        journey_type=cast.journey_type,
        unit=employee.unit,
        unit_path=employee.unit.path,
        employee=employee,
        channel=channel or cast.phone,
        touchpoint=touchpoint,
        nps=nps,
        csat=csat,
        comment=comment,
        started_at=when,
        submitted_at=when,
    )
