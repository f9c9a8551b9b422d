"""Writes for invitation rules and the chain's contact policy, for journey owners and admins."""

from django.db import transaction

from cxloop.audit.services import Actor, form_fields, record_chain_change, record_saved, stored
from cxloop.orgs.models import Organisation
from cxloop.surveys.forms import PolicyForm, RuleForm
from cxloop.surveys.models import ContactPolicy, InvitationRule


@transaction.atomic
def save_rule(*, form: RuleForm, organisation: Organisation, actor: Actor = None) -> InvitationRule:
    """Save a validated rule for the organisation."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    rule = form.save(commit=False)
    rule.organisation = organisation
    rule.save()
    record_saved(
        actor=actor,
        noun="invitation_rule",
        target=rule,
        organisation=organisation,
        before=before,
        fields=fields,
    )
    return rule


@transaction.atomic
def save_policy(*, form: PolicyForm, chain_id: int, actor: Actor = None) -> ContactPolicy:
    """Save the chain's contact policy from a validated form."""
    fields = form_fields(form)
    before = stored(form.instance, fields)
    policy = form.save(commit=False)
    policy.chain_id = chain_id
    policy.save()
    after = stored(policy, fields)
    if after != before:  # the policy binds every partner: each one's audit log shows the change
        action = "contact_policy.created" if before is None else "contact_policy.changed"
        record_chain_change(
            chain_id=chain_id, actor=actor, action=action, target=policy, before=before, after=after
        )
    return policy
