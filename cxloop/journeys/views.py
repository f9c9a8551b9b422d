"""The chain's set-up pages for the admin of the organisation that leads it: journey types,
touchpoints, channels, partners and agreements. Asked as MANAGE_CHAIN; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.journeys import chain, forms, queries
from cxloop.journeys.queries import leads_chain
from cxloop.orgs.capabilities import Capability, can, organisations_where
from cxloop.orgs.models import Organisation


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = queries.organisation_with_slug(slug)
    if organisation is None or not can(request.user, Capability.MANAGE_CHAIN, organisation):
        raise Http404
    if not leads_chain(organisation):
        raise Http404
    return organisation


def _back(organisation: Organisation) -> HttpResponse:
    return redirect("chain:overview", slug=organisation.slug)


def _found(queryset, pk: int | None):
    if pk is None:
        return None
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _edit(request, organisation, form: BaseForm, save, title: str, back: str = "") -> HttpResponse:
    """Show the form; on POST validate and call the one service, or show the errors with 422."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            save(form)
            messages.success(request, _("Saved."))
            return redirect(back) if back else _back(organisation)
        status = 422
    context = {"organisation": organisation, "form": form, "title": title}
    return render(request, "journeys/edit.html", context, status=status)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the set-up of the (first) chain the user's organisation leads."""
    for organisation in organisations_where(request.user, Capability.MANAGE_CHAIN):
        if leads_chain(organisation):
            return _back(organisation)
    raise Http404


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    context = {"organisation": organisation, **queries.chain_overview(organisation)}
    return render(request, "journeys/chain.html", context)


@login_required
def journey_type_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    journey_type = _found(queries.owned_journey_types(organisation), pk)
    form = forms.JourneyTypeForm(
        request.POST or None, instance=journey_type, organisation=organisation
    )
    if journey_type is not None and request.method == "GET":
        return _journey_type_page(request, organisation, journey_type, form)
    return _edit(
        request,
        organisation,
        form,
        lambda f: chain.save_journey_type(organisation=organisation, form=f, actor=request.user),
        _("Journey type") if journey_type else _("New journey type"),
    )


def _journey_type_page(request, organisation, journey_type, form, agreement_form=None, status=200):
    context = {
        "organisation": organisation,
        "journey_type": journey_type,
        "form": form,
        "touchpoints": journey_type.touchpoints.all(),
        "partners": queries.partners_with_agreements(organisation, journey_type),
        "agreement_form": agreement_form or forms.AgreementForm(owner=organisation),
    }
    return render(request, "journeys/journey_type.html", context, status=status)


@login_required
@require_POST
def agreement(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    journey_type = _found(queries.owned_journey_types(organisation), pk)
    form = forms.AgreementForm(request.POST, owner=organisation)
    if not form.is_valid():
        page_form = forms.JourneyTypeForm(instance=journey_type, organisation=organisation)
        return _journey_type_page(request, organisation, journey_type, page_form, form, status=422)
    chain.set_agreement(
        journey_type=journey_type,
        partner=form.cleaned_data["organisation"],
        visibility=form.cleaned_data["visibility"],
        owner_case_access=form.cleaned_data["owner_case_access"],
        actor=request.user,
    )
    messages.success(request, _("Saved."))
    return redirect("chain:journey_type", slug=organisation.slug, pk=journey_type.pk)


@login_required
def touchpoint_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    journey_type = _found(queries.owned_journey_types(organisation), pk)
    return _touchpoint(request, organisation, journey_type, None)


@login_required
def touchpoint_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    touchpoint = _found(queries.owned_touchpoints(organisation), pk)
    return _touchpoint(request, organisation, touchpoint.journey_type, touchpoint)


def _touchpoint(request, organisation, journey_type, touchpoint) -> HttpResponse:
    form = forms.TouchpointForm(
        request.POST or None, instance=touchpoint, journey_type=journey_type
    )
    return _edit(
        request,
        organisation,
        form,
        lambda f: chain.save_touchpoint(
            organisation=organisation, journey_type=journey_type, form=f, actor=request.user
        ),
        _("Touchpoint of %(journey_type)s") % {"journey_type": journey_type.name},
        back=reverse(
            "chain:journey_type", kwargs={"slug": organisation.slug, "pk": journey_type.pk}
        ),
    )


@login_required
def channel_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    organisation = _organisation(request, slug)
    channel = _found(queries.chain_channels(organisation), pk)
    form = forms.ChannelForm(request.POST or None, instance=channel, organisation=organisation)
    return _edit(
        request,
        organisation,
        form,
        lambda f: chain.save_channel(organisation=organisation, form=f, actor=request.user),
        _("Channel") if channel else _("New channel"),
    )


@login_required
def partner_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    form = forms.PartnerForm(request.POST or None)

    def save(f):
        chain.add_partner(owner=organisation, actor=request.user, **f.cleaned_data)

    return _edit(request, organisation, form, save, _("Invite a partner"))
