"""Reads about a chain's set-up."""

from cxloop.journeys.models import JourneyType
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
