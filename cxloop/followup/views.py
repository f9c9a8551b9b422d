"""The follow-up inbox and the case page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cxloop.followup import services
from cxloop.followup.queries import access_case, cases_for

INBOX_FILTERS = ("mine", "open", "overdue", "closed", "all")


class ContactAttemptForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("phone", _("phone")), ("email", _("e-mail")), ("sms", _("text message"))]
    )
    reached = forms.TypedChoiceField(
        label=_("Reached the customer?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Cases to work on, soonest due first."""
    show = request.GET.get("show", "open")
    show = show if show in INBOX_FILTERS else "open"
    cases = list(cases_for(user=request.user, show=show)[:200])
    return render(
        request, "followup/inbox.html", {"cases": cases, "show": show, "filters": INBOX_FILTERS, "now": timezone.now()}
    )


def _case_page(request: HttpRequest, case, *, contact_form=None, close_form=None, status=200) -> HttpResponse:
    response = case.response
    context = {
        "case": case,
        "response": response,
        "answers": response.answers.select_related("question").order_by("question__position"),
        "events": case.events.select_related("actor"),
        "contact_form": contact_form or ContactAttemptForm(),
        "close_form": close_form or CloseForm(),
        "now": timezone.now(),
    }
    return render(request, "followup/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, access_case(request.user, pk))


@login_required
@require_POST
def contact_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a call or message to the customer."""
    case = access_case(request.user, pk)
    form = ContactAttemptForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, contact_form=form, status=422)
    try:
        services.log_contact_attempt(case=case, actor=request.user, **form.cleaned_data)
    except services.CaseError as error:
        messages.error(request, str(error))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the case with what was done."""
    case = access_case(request.user, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, close_form=form, status=422)
    try:
        services.close_case(case=case, actor=request.user, resolution=form.cleaned_data["resolution"])
    except services.CaseError as error:
        messages.error(request, str(error))
    return redirect("case_detail", pk=case.pk)
