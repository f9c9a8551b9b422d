"""Reads about customers: whose contact details a message uses, why a customer was or was not
asked, and finding a customer by e-mail, phone, name or licence plate."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cxloop.customers import contacts
from cxloop.customers.models import ContactSharing, Customer, CustomerContact
from cxloop.customers.normalise import phone_key, plate_key
from cxloop.journeys.models import Interaction
from cxloop.orgs.access import Scope, scope_for
from cxloop.orgs.capabilities import Capability
from cxloop.orgs.models import Organisation
from cxloop.surveys.models import Invitation, InvitationDecision

SEARCH_LIMIT = 50


class ContactBook:
    """The contact details of a set of customers, read in two queries at most, for many messages at once."""

    def __init__(self, customers: Iterable[Customer]):
        self.customers = {c.pk: c for c in customers}
        self.rows = {
            (row.customer_id, row.organisation_id): row
            for row in CustomerContact.objects.filter(customer_id__in=list(self.customers))
        }
        self._sharing_chains: set[int] | None = None

    def _partners_use_owner_details(self, customer: Customer) -> bool:
        # Read once, at the first message of a partner: a batch of the owner's needs no query.
        if self._sharing_chains is None:
            chain_ids = {c.chain_id for c in self.customers.values()}
            self._sharing_chains = set(
                ContactSharing.objects.filter(
                    chain_id__in=chain_ids, partners_use_owner_details=True
                ).values_list("chain_id", flat=True)
            )
        return customer.chain_id in self._sharing_chains

    def details(
        self, customer: Customer, *, organisation_id: int, owner_id: int | None
    ) -> contacts.Details:
        """What a message of `organisation_id` to the customer uses, in a journey owned by `owner_id`."""
        customer = self.customers.get(customer.pk, customer)
        ordered = contacts.candidates(
            own=self.rows.get((customer.pk, organisation_id)),
            owner=self.rows.get((customer.pk, owner_id)) if owner_id else None,
            unattributed=customer,
            is_owner=owner_id == organisation_id,
            partners_use_owner_details=(
                owner_id != organisation_id and self._partners_use_owner_details(customer)
            ),
        )
        return contacts.resolve(ordered, default_language=customer.language or "nl")


def contact_details(
    *, customer: Customer, organisation_id: int, owner_id: int | None
) -> contacts.Details:
    """The details one message of an organisation uses (see customers/contacts.py for the rule).

    One query for the sender's (and the owner's) record; the chain's sharing rule only for a partner.
    """
    wanted = {organisation_id} | ({owner_id} if owner_id else set())
    rows = {
        row.organisation_id: row
        for row in CustomerContact.objects.filter(customer=customer, organisation_id__in=wanted)
    }
    is_owner = owner_id == organisation_id
    sharing = (
        not is_owner
        and ContactSharing.objects.filter(
            chain_id=customer.chain_id, partners_use_owner_details=True
        ).exists()
    )
    ordered = contacts.candidates(
        own=rows.get(organisation_id),
        owner=rows.get(owner_id) if owner_id else None,
        unattributed=customer,
        is_owner=is_owner,
        partners_use_owner_details=sharing,
    )
    return contacts.resolve(ordered, default_language=customer.language or "nl")


def contact_rows(*, customer: Customer) -> list[CustomerContact]:
    """Every organisation's contact details of a customer (for an access request or erasure)."""
    return list(customer.contacts.select_related("organisation").order_by("organisation__name"))


@dataclass(frozen=True)
class ContactHistory:
    customer: Customer
    decisions: list[InvitationDecision]
    invitations: list[Invitation]
    contacts: list[CustomerContact]  # the details the reader's own organisations supplied


def _visible(organisation_ids: set[int]) -> Q:
    # An organisation sees the decisions (and invitations) it made, those about its own contacts
    # with the customer (also when the journey owner's rule decided), and the journey owner every
    # one in its journeys.
    return (
        Q(organisation_id__in=organisation_ids)
        | Q(interaction__organisation_id__in=organisation_ids)
        | Q(journey__journey_type__owner_id__in=organisation_ids)
    )


def contact_history(*, user: AbstractBaseUser | AnonymousUser, key: str) -> ContactHistory:
    """A customer's invitation decisions and invitations visible to the user; 404 outside their chain."""
    organisation_ids = scope_for(user).organisations
    chain_ids = set(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("chain_id", flat=True)
    )
    customer = Customer.objects.filter(chain_id__in=chain_ids, key=key).first()
    if customer is None:
        raise Http404
    decisions = list(
        InvitationDecision.objects.filter(_visible(organisation_ids), customer=customer)
        .select_related(
            "organisation", "interaction__channel", "interaction__touchpoint", "journey", "rule"
        )
        .order_by("-decided_at", "-pk")[:200]
    )
    invitations = list(
        Invitation.objects.filter(_visible(organisation_ids), customer=customer)
        .select_related("organisation", "journey")
        .order_by("-created_at")[:50]
    )
    contacts = list(
        CustomerContact.objects.filter(customer=customer, organisation_id__in=organisation_ids)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return ContactHistory(
        customer=customer, decisions=decisions, invitations=invitations, contacts=contacts
    )


# --- finding a customer ---------------------------------------------------------------------------


def may_search_customers(scope: Scope) -> bool:
    """Whoever reads an organisation, or manages the cases of a unit, may look customers up."""
    return bool(scope.organisations or scope.grants.unit_paths(Capability.MANAGE_CASES))


def searchable_contacts(user: AbstractBaseUser | AnonymousUser) -> QuerySet[CustomerContact]:
    """The contact details a user may find customers by.

    - An organisation's readers (VIEW_ORGANISATION): every record their organisation supplied; and,
      where the chain lets partners use the journey owner's details (customers/contacts.py), the
      owner's records of customers in the owner's journeys that their organisation had contact in.
    - A unit's case managers (a team lead: MANAGE_CASES in a unit): their organisation's records of
      customers who had contact with the unit or a unit below it.
    Unattributed details (Customer.email and .phone) have no supplier and are not searched.
    """
    scope = scope_for(user)
    readers = scope.organisations
    visible = Q(organisation_id__in=readers)
    if readers:
        visible |= Q(
            Exists(
                Interaction.objects.filter(
                    customer=OuterRef("customer_id"),
                    organisation_id__in=readers,
                    journey__journey_type__owner_id=OuterRef("organisation_id"),
                )
            ),
            customer__chain__contact_sharing__partners_use_owner_details=True,
        )
    for path in scope.grants.unit_paths(Capability.MANAGE_CASES):
        visible |= Q(
            Exists(
                Interaction.objects.filter(
                    customer=OuterRef("customer_id"),
                    organisation_id=OuterRef("organisation_id"),
                    unit__path__startswith=path,
                )
            )
        )
    return CustomerContact.objects.filter(visible)


def _matching(query: str) -> Q:
    """Records whose e-mail, phone number, licence plate or customer key is the query, or whose
    name contains it; phone numbers and plates compared however they were typed."""
    matches = Q(customer__key=query)
    if "@" in query:
        return matches | Q(email__iexact=query)
    written_as_number = re.fullmatch(r"[\d\s()+./-]+", query)
    if written_as_number and (number := phone_key(query)):
        matches |= Q(phone_key=number)
    plate = plate_key(query)
    if 4 <= len(plate) <= 8 and re.search(r"\d", plate) and re.search(r"[A-Z]", plate):
        matches |= Q(plate_key=plate)
    if len(query) >= 2 and re.search(r"[^\W\d_]", query):
        matches |= Q(name__icontains=query)
    return matches


def find_customers(*, user: AbstractBaseUser | AnonymousUser, query: str) -> list[CustomerContact]:
    """The contact records matching the query among those the user may search, one per customer
    (the first by name), at most SEARCH_LIMIT."""
    query = query.strip().replace("\x00", "")[:254]
    if not query:
        return []
    rows = (
        searchable_contacts(user)
        .filter(_matching(query))
        .select_related("customer", "organisation")
        .order_by("name", "customer__key", "organisation__name")
    )
    found: dict[int, CustomerContact] = {}
    for row in rows[: SEARCH_LIMIT * 2]:
        found.setdefault(row.customer_id, row)
    return list(found.values())[:SEARCH_LIMIT]
