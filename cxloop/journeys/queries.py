"""Reads about a chain's set-up."""

from django.db.models import QuerySet

from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
from cxloop.orgs.models import Organisation


def leads_chain(organisation: Organisation) -> bool:
    """Whether the organisation sets up its chain: it owns a journey type, or the chain has none yet
    and it is the chain's first organisation (so a new chain's owner can create the first one)."""
    if JourneyType.objects.filter(owner=organisation).exists():
        return True
    if JourneyType.objects.filter(chain_id=organisation.chain_id).exists():
        return False
    first = (
        Organisation.objects.filter(chain_id=organisation.chain_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first == organisation.pk


def partners_of(organisation: Organisation):
    """The other organisations of the chain, by name."""
    return (
        Organisation.objects.filter(chain_id=organisation.chain_id)
        .exclude(pk=organisation.pk)
        .order_by("name")
    )


def organisation_with_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).select_related("chain").first()


def owned_journey_types(organisation: Organisation) -> QuerySet[JourneyType]:
    """The journey types the organisation owns (the ones its chain pages may change)."""
    return JourneyType.objects.filter(owner=organisation)


def owned_touchpoints(organisation: Organisation) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(journey_type__owner=organisation)


def chain_channels(organisation: Organisation) -> QuerySet[Channel]:
    return Channel.objects.filter(chain_id=organisation.chain_id)


def chain_overview(organisation: Organisation) -> dict[str, object]:
    """The chain page: the organisation's journey types with their touchpoints, channels, partners."""
    return {
        "journey_types": owned_journey_types(organisation)
        .prefetch_related("touchpoints")
        .order_by("name"),
        "channels": chain_channels(organisation).order_by("name"),
        "partners": partners_of(organisation),
    }


def partners_with_agreements(
    organisation: Organisation, journey_type: JourneyType
) -> list[tuple[Organisation, DataSharingAgreement | None]]:
    """Every partner of the chain with its agreement on the journey type, if any."""
    agreements = {
        a.organisation_id: a for a in DataSharingAgreement.objects.filter(journey_type=journey_type)
    }
    return [(partner, agreements.get(partner.pk)) for partner in partners_of(organisation)]
