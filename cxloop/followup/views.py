"""The follow-up inbox and the case page, where a lead works a case through its steps."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase, RootCause
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


class ResolveForm(forms.Form):
    root_cause = forms.ModelChoiceField(label=_("Root cause"), queryset=RootCause.objects.none())
    action_taken = forms.CharField(label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: FollowUpCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_cause"].queryset = RootCause.objects.filter(organisation=case.organisation, is_active=True)


class InformForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message to the customer"), widget=forms.Textarea(attrs={"rows": 8}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Cases to work on, soonest due first."""
    show = request.GET.get("show", "open")
    show = show if show in INBOX_FILTERS else "open"
    cases = list(cases_for(user=request.user, show=show)[:200])
    return render(
        request, "followup/inbox.html", {"cases": cases, "show": show, "filters": INBOX_FILTERS, "now": timezone.now()}
    )


def _case_page(request: HttpRequest, case: FollowUpCase, *, status: int = 200, **forms_in_error) -> HttpResponse:
    response = case.response
    subject, body = ("", "")
    if case.status == FollowUpCase.Status.RESOLVED:
        try:
            subject, body = services.render_customer_message(case=case, template=None)
        except services.CaseError:
            pass
    context = {
        "case": case,
        "response": response,
        "answers": response.answers.select_related("question").order_by("question__position"),
        "events": case.events.select_related("actor"),
        "contact_form": forms_in_error.get("contact_form") or ContactAttemptForm(),
        "resolve_form": forms_in_error.get("resolve_form") or ResolveForm(case=case),
        "inform_form": forms_in_error.get("inform_form") or InformForm(initial={"subject": subject, "body": body}),
        "note_form": forms_in_error.get("note_form") or NoteForm(),
        "now": timezone.now(),
    }
    return render(request, "followup/case.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, access_case(request.user, pk))


def _step(request: HttpRequest, pk: int, form_class, form_name: str, run) -> HttpResponse:
    """Validate a step's form, run the service, and show the case again (with the error if any)."""
    case = access_case(request.user, pk)
    form = form_class(request.POST, case=case) if form_class is ResolveForm else form_class(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=422, **{form_name: form})
    try:
        run(case, form.cleaned_data)
    except services.CaseError as error:
        messages.error(request, str(error))
        return _case_page(request, case, status=409)
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def contact_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a call or message to the customer."""
    return _step(request, pk, ContactAttemptForm, "contact_form",
                 lambda case, data: services.log_contact_attempt(case=case, actor=request.user, **data))


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.start_work(case=case, actor=request.user, note=data["note"]))


@login_required
@require_POST
def wait(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.wait_for_customer(case=case, actor=request.user, note=data["note"]))


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.resume(case=case, actor=request.user, note=data["note"]))


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the root cause and the action taken."""
    return _step(request, pk, ResolveForm, "resolve_form",
                 lambda case, data: services.resolve_case(case=case, actor=request.user, **data))


@login_required
@require_POST
def inform(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the customer what was done with their feedback."""
    return _step(request, pk, InformForm, "inform_form",
                 lambda case, data: services.inform_customer(case=case, actor=request.user, **data))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.close_case(case=case, actor=request.user, note=data["note"]))


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.reopen_case(case=case, actor=request.user, note=data["note"]))


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, NoteForm, "note_form",
                 lambda case, data: services.add_note(case=case, actor=request.user, note=data["note"]))
