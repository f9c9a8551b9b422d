"""Reads about one customer: why they were or were not asked, as far as the reader may see."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.http import Http404

from cxloop.customers.models import Customer
from cxloop.orgs.access import scope_for
from cxloop.orgs.models import Organisation
from cxloop.surveys.models import Invitation, InvitationDecision


@dataclass(frozen=True)
class ContactHistory:
    customer: Customer
    decisions: list[InvitationDecision]
    invitations: list[Invitation]


def _visible(organisation_ids: set[int]) -> Q:
    # A partner sees its own decisions; the journey owner sees every decision in its journeys.
    return Q(organisation_id__in=organisation_ids) | Q(journey__journey_type__owner_id__in=organisation_ids)


def contact_history(*, user: AbstractBaseUser | AnonymousUser, key: str) -> ContactHistory:
    """A customer's invitation decisions and invitations visible to the user; 404 outside their chain."""
    organisation_ids = scope_for(user).organisations
    chain_ids = set(Organisation.objects.filter(pk__in=organisation_ids).values_list("chain_id", flat=True))
    customer = Customer.objects.filter(chain_id__in=chain_ids, key=key).first()
    if customer is None:
        raise Http404
    decisions = list(
        InvitationDecision.objects.filter(_visible(organisation_ids), customer=customer)
        .select_related("organisation", "interaction__channel", "interaction__touchpoint", "journey", "rule")
        .order_by("-decided_at", "-pk")[:200]
    )
    invitations = list(
        Invitation.objects.filter(_visible(organisation_ids), customer=customer)
        .select_related("organisation", "journey")
        .order_by("-created_at")[:50]
    )
    return ContactHistory(customer=customer, decisions=decisions, invitations=invitations)
