"""Pages where journey owners and admins set invitation rules and the chain's contact policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cxloop.orgs.capabilities import Capability, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.surveys import queries
from cxloop.surveys.forms import PolicyForm, RuleForm
from cxloop.surveys.models import InvitationRule
from cxloop.surveys.rules import save_policy, save_rule


def _editable_organisations(request: HttpRequest) -> list[Organisation]:
    """Organisations where the user is an admin or journey owner; none → 404."""
    organisations = list(organisations_where(request.user, Capability.CONFIGURE_SURVEYS))
    if not organisations:
        raise Http404
    return organisations


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every rule of the user's organisations, with a link to the chain's contact policy."""
    organisations = _editable_organisations(request)
    rules = queries.rules_of(organisations)
    return render(
        request, "surveys/rules/list.html", {"rules": rules, "organisations": organisations}
    )


def _access_rule(request: HttpRequest, pk: int) -> InvitationRule:
    organisations = _editable_organisations(request)
    rule = queries.rule_of(organisations, pk)
    if rule is None:
        raise Http404
    return rule


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, ?organisation=slug) or edit a rule."""
    if pk is None:
        organisations = _editable_organisations(request)
        slug = request.GET.get("organisation") or request.POST.get("organisation")
        organisation = next((o for o in organisations if o.slug == slug), organisations[0])
        rule = None
    else:
        rule = _access_rule(request, pk)
        organisation = rule.organisation
    form = RuleForm(request.POST or None, instance=rule, organisation=organisation)
    if request.method == "POST":
        if form.is_valid():
            save_rule(form=form, organisation=organisation, actor=request.user)
            messages.success(request, _("The rule is saved."))
            return redirect("rule_list")
        status = 422
    else:
        status = 200
    return render(
        request,
        "surveys/rules/edit.html",
        {"form": form, "rule": rule, "organisation": organisation},
        status=status,
    )


@login_required
def contact_policy(request: HttpRequest) -> HttpResponse:
    """The chain's contact policy: only admins or journey owners of an organisation that owns journeys."""
    organisations = [o for o in _editable_organisations(request) if o.owned_journey_types.exists()]
    if not organisations:
        raise Http404
    chain_id = organisations[0].chain_id
    policy = queries.contact_policy_of(chain_id)
    form = PolicyForm(request.POST or None, instance=policy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            save_policy(form=form, chain_id=chain_id, actor=request.user)
            messages.success(request, _("The contact policy is saved; it holds for every partner."))
            return redirect("contact_policy")
        status = 422
    return render(
        request,
        "surveys/rules/policy.html",
        {"form": form, "chain": organisations[0].chain},
        status=status,
    )
