"""Setting up a chain: journey types, their touchpoints, channels, partners and data-sharing agreements.

Done by the admin of the organisation that leads the chain (journeys.queries.leads_chain); every
write is audited. A rename keeps the object's id, so journeys, interactions and responses stay
attached and the history reads the same; the audit entry keeps the old name and slug.
"""

from django import forms
from django.db import transaction

from cxloop.audit.services import Actor, record_change, snapshot
from cxloop.journeys.forms import ChannelForm, JourneyTypeForm, TouchpointForm
from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
from cxloop.orgs.models import Organisation, Role
from cxloop.orgs.people import invite_person

NAMED = ["name", "slug"]


def _save(
    form: forms.ModelForm,
    noun: str,
    fields: list[str],
    organisation: Organisation,
    actor: Actor,
    **fixed,
):
    # As stored: validating the form has already put the new values on form.instance.
    stored = (
        type(form.instance)._default_manager.filter(pk=form.instance.pk).first()
        if form.instance.pk
        else None
    )
    before = snapshot(stored, fields) if stored else None
    item = form.save(commit=False)
    for name, value in fixed.items():
        setattr(item, name, value)
    item.save()
    record_change(
        actor=actor,
        action=f"{noun}.{'changed' if before else 'created'}",
        target=item,
        organisation=organisation,
        before=before,
        after=snapshot(item, fields),
    )
    return item


@transaction.atomic
def save_journey_type(
    *, organisation: Organisation, form: JourneyTypeForm, actor: Actor = None
) -> JourneyType:
    """Create a journey type owned by the organisation, or rename one (its id stays)."""
    return _save(
        form,
        "journey_type",
        NAMED,
        organisation,
        actor,
        chain_id=organisation.chain_id,
        owner=organisation,
    )


@transaction.atomic
def save_touchpoint(
    *,
    organisation: Organisation,
    journey_type: JourneyType,
    form: TouchpointForm,
    actor: Actor = None,
) -> Touchpoint:
    return _save(
        form, "touchpoint", [*NAMED, "position"], organisation, actor, journey_type=journey_type
    )


@transaction.atomic
def save_channel(*, organisation: Organisation, form: ChannelForm, actor: Actor = None) -> Channel:
    """Create or rename one of the chain's channels (channels belong to the chain, not to one organisation)."""
    return _save(form, "channel", NAMED, organisation, actor, chain_id=organisation.chain_id)


AGREEMENT_FIELDS = ["journey_type", "organisation", "visibility", "owner_case_access"]


@transaction.atomic
def set_agreement(
    *,
    journey_type: JourneyType,
    partner: Organisation,
    visibility: str,
    owner_case_access: str,
    actor: Actor = None,
) -> DataSharingAgreement:
    """What a partner sees of the journey type's results, and whether the owner reads the partner's cases."""
    if partner.chain_id != journey_type.chain_id or partner.pk == journey_type.owner_id:
        raise ValueError("an agreement is with a partner in the journey type's chain")
    agreement = DataSharingAgreement.objects.filter(
        journey_type=journey_type, organisation=partner
    ).first()
    before = snapshot(agreement, AGREEMENT_FIELDS) if agreement else None
    agreement = agreement or DataSharingAgreement(journey_type=journey_type, organisation=partner)
    agreement.visibility, agreement.owner_case_access = visibility, owner_case_access
    agreement.full_clean()
    agreement.save()
    record_change(
        actor=actor,
        action=f"agreement.{'changed' if before else 'created'}",
        target=agreement,
        organisation=journey_type.owner,
        before=before,
        after=snapshot(agreement, AGREEMENT_FIELDS),
    )
    return agreement


@transaction.atomic
def add_partner(
    *, owner: Organisation, name: str, slug: str, admin_email: str, actor: Actor = None
) -> Organisation:
    """A new partner organisation in the owner's chain, with its admin invited by e-mail.

    The partner's admin sets a password with the link and manages the partner's own people; what
    the partner sees of the owner's journeys is set by an agreement per journey type.
    """
    partner = Organisation.objects.create(chain_id=owner.chain_id, name=name, slug=slug)
    record_change(
        actor=actor,
        action="organisation.created",
        target=partner,
        organisation=partner,
        after=snapshot(partner, ["name", "slug", "chain"]),
    )
    record_change(
        actor=actor,
        action="partner.invited",
        target=partner,
        organisation=owner,
        after={"partner": partner.slug, "admin_email": admin_email},
    )
    invite_person(organisation=partner, email=admin_email, role=Role.ORG_ADMIN, actor=actor)
    return partner
