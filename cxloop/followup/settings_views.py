"""Editors of an organisation's follow-up configuration, for its admins and journey owners (404 for others)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.followup import configuration
from cxloop.followup.forms import (
    WEEKDAYS,
    BusinessHoursForm,
    FollowUpRuleForm,
    MessageTemplateForm,
    QueueForm,
    RootCauseForm,
    SlaPolicyForm,
    format_day,
)
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.followup.queries import access_editable_organisation, editable_organisations
from cxloop.orgs.models import Organisation


def _owned(model: type[models.Model], organisation: Organisation, pk: int | None):
    """The organisation's object with that pk (None for a new one), else 404."""
    if pk is None:
        return None
    found = model._default_manager.filter(organisation=organisation, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _back(organisation: Organisation) -> HttpResponse:
    return redirect("followup_settings", slug=organisation.slug)


def _edit(
    request: HttpRequest,
    organisation: Organisation,
    *,
    form_class: Callable[..., forms.ModelForm],  # one of forms.py's forms: takes organisation=
    instance: models.Model | None,
    save: Callable[..., object],
    title: str,
    delete_url: str = "",
) -> HttpResponse:
    """Show a form; on POST validate it and call the one service, or show the errors with 422."""
    form = form_class(request.POST or None, instance=instance, organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            save(organisation=organisation, form=form, actor=request.user)
            messages.success(request, _("Saved. It applies to cases opened from now on."))
            return _back(organisation)
        status = 422
    context = {"form": form, "organisation": organisation, "title": title, "delete_url": delete_url}
    return render(request, "followup/settings/edit.html", context, status=status)


@login_required
def settings_index(request: HttpRequest) -> HttpResponse:
    """The organisations whose follow-up the user configures; straight to it when there is one."""
    organisations = editable_organisations(user=request.user)
    if not organisations:
        raise Http404
    if len(organisations) == 1:
        return _back(organisations[0])
    return render(request, "followup/settings/index.html", {"organisations": organisations})


@login_required
def settings_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything an organisation has configured for follow-up, with links to edit it."""
    organisation = access_editable_organisation(request.user, slug)
    stored = FollowUpSettings.objects.filter(organisation=organisation).first() or FollowUpSettings(
        organisation=organisation
    )
    context = {
        "organisation": organisation,
        "rules": FollowUpRule.objects.filter(organisation=organisation).select_related(
            "journey_type", "channel", "queue"
        ),
        "queues": FollowUpQueue.objects.filter(organisation=organisation)
        .prefetch_related("members")
        .order_by("name"),
        "policies": SlaPolicy.objects.filter(organisation=organisation)
        .select_related("journey_type")
        .order_by("journey_type__name", "priority"),
        "settings": stored,
        "hours": [
            (label, format_day(stored.opening_hours.get(day, []))) for day, label in WEEKDAYS
        ],
        "root_causes": RootCause.objects.filter(organisation=organisation),
        "templates": CustomerMessageTemplate.objects.filter(organisation=organisation).order_by(
            "name"
        ),
    }
    return render(request, "followup/settings/overview.html", context)


@login_required
def rule_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add or change a follow-up rule."""
    organisation = access_editable_organisation(request.user, slug)
    rule = _owned(FollowUpRule, organisation, pk)
    title = _("Follow-up rule") if rule else _("New follow-up rule")
    return _edit(
        request,
        organisation,
        form_class=FollowUpRuleForm,
        instance=rule,
        save=configuration.save_followup_rule,
        title=title,
    )


@login_required
def queue_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add or change a follow-up queue and its members."""
    organisation = access_editable_organisation(request.user, slug)
    queue = _owned(FollowUpQueue, organisation, pk)
    title = _("Follow-up queue") if queue else _("New follow-up queue")
    return _edit(
        request,
        organisation,
        form_class=QueueForm,
        instance=queue,
        save=configuration.save_queue,
        title=title,
    )


@login_required
def sla_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add or change an SLA policy."""
    organisation = access_editable_organisation(request.user, slug)
    policy = _owned(SlaPolicy, organisation, pk)
    title = _("SLA policy") if policy else _("New SLA policy")
    delete_url = (
        reverse("followup_sla_delete", kwargs={"slug": organisation.slug, "pk": policy.pk})
        if policy
        else ""
    )
    return _edit(
        request,
        organisation,
        form_class=SlaPolicyForm,
        instance=policy,
        save=configuration.save_sla_policy,
        title=title,
        delete_url=delete_url,
    )


@login_required
@require_POST
def sla_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove an SLA policy."""
    organisation = access_editable_organisation(request.user, slug)
    configuration.delete_sla_policy(policy=_owned(SlaPolicy, organisation, pk), actor=request.user)
    messages.success(request, _("The SLA policy is removed."))
    return _back(organisation)


@login_required
def business_hours(request: HttpRequest, slug: str) -> HttpResponse:
    """Opening hours per weekday, public holidays, failed attempts and reminders."""
    organisation = access_editable_organisation(request.user, slug)
    stored = FollowUpSettings.objects.filter(organisation=organisation).first() or FollowUpSettings(
        organisation=organisation
    )
    form = BusinessHoursForm(request.POST or None, initial=BusinessHoursForm.initial_for(stored))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            configuration.save_business_hours(
                organisation=organisation,
                opening_hours=data["opening_hours"],
                closed_on_public_holidays=data["closed_on_public_holidays"],
                max_failed_attempts=data["max_failed_attempts"],
                remind_before_hours=data["remind_before_hours"],
                actor=request.user,
            )
            messages.success(request, _("Saved. It applies to cases opened from now on."))
            return _back(organisation)
        status = 422
    context = {"form": form, "organisation": organisation, "title": _("Business hours")}
    return render(request, "followup/settings/hours.html", context, status=status)


def _root_cause_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    add_form: RootCauseForm | None = None,
    failed: tuple[int, RootCauseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for root_cause in RootCause.objects.filter(organisation=organisation):
        form = (
            failed[1]
            if failed and failed[0] == root_cause.pk
            else RootCauseForm(
                instance=root_cause, organisation=organisation, prefix=f"rc{root_cause.pk}"
            )
        )
        rows.append((root_cause, form))
    context = {
        "organisation": organisation,
        "rows": rows,
        "add_form": add_form or RootCauseForm(organisation=organisation, prefix="new"),
    }
    return render(request, "followup/settings/root_causes.html", context, status=status)


@login_required
def root_causes(request: HttpRequest, slug: str) -> HttpResponse:
    """The root-cause taxonomy; POST adds one."""
    organisation = access_editable_organisation(request.user, slug)
    if request.method != "POST":
        return _root_cause_page(request, organisation)
    form = RootCauseForm(request.POST, organisation=organisation, prefix="new")
    if not form.is_valid():
        return _root_cause_page(request, organisation, add_form=form, status=422)
    configuration.save_root_cause(organisation=organisation, form=form, actor=request.user)
    messages.success(request, _("The root cause is added."))
    return redirect("followup_root_causes", slug=organisation.slug)


@login_required
@require_POST
def root_cause_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Rename a root cause, or (de)activate it (action=deactivate / activate)."""
    organisation = access_editable_organisation(request.user, slug)
    root_cause = _owned(RootCause, organisation, pk)
    action = request.POST.get("action", "rename")
    if action in ("deactivate", "activate"):
        configuration.set_root_cause_active(
            root_cause=root_cause, active=action == "activate", actor=request.user
        )
        return redirect("followup_root_causes", slug=organisation.slug)
    form = RootCauseForm(
        request.POST, instance=root_cause, organisation=organisation, prefix=f"rc{root_cause.pk}"
    )
    if not form.is_valid():
        return _root_cause_page(request, organisation, failed=(root_cause.pk, form), status=422)
    configuration.save_root_cause(organisation=organisation, form=form, actor=request.user)
    messages.success(request, _("The root cause is renamed."))
    return redirect("followup_root_causes", slug=organisation.slug)


@login_required
def template_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add or change a customer message template."""
    organisation = access_editable_organisation(request.user, slug)
    template = _owned(CustomerMessageTemplate, organisation, pk)
    title = _("Customer message template") if template else _("New customer message template")
    delete_url = (
        reverse("followup_template_delete", kwargs={"slug": organisation.slug, "pk": template.pk})
        if template
        else ""
    )
    return _edit(
        request,
        organisation,
        form_class=MessageTemplateForm,
        instance=template,
        save=configuration.save_message_template,
        title=title,
        delete_url=delete_url,
    )


@login_required
@require_POST
def template_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove a customer message template."""
    organisation = access_editable_organisation(request.user, slug)
    configuration.delete_message_template(
        template=_owned(CustomerMessageTemplate, organisation, pk), actor=request.user
    )
    messages.success(request, _("The template is removed."))
    return _back(organisation)
