"""The follow-up inbox, the case page where a case is worked through its steps, and the KPIs."""

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cxloop.audit.services import record_view
from cxloop.customers.normalise import phone_key
from cxloop.customers.queries import may_search_customers
from cxloop.followup import kpis, queries, services
from cxloop.followup.forms import (
    TAB_LABELS,
    BulkReassignForm,
    ContactAttemptForm,
    EmployeeChoiceField,
    InboxFilterForm,
    InformForm,
    NoteForm,
    ReassignForm,
    ResolveForm,
)
from cxloop.followup.models import FollowUpCase
from cxloop.followup.queries import CaseScope, access_case
from cxloop.lib.auth import AuthenticatedHttpRequest
from cxloop.lib.forms import form_field

if TYPE_CHECKING:
    from cxloop.followup.queries import VisibleCase

Status = FollowUpCase.Status
CASES_PER_PAGE = 50
KPI_PERIODS = (30, 90, 365)


def _with(query: QueryDict, **changes: str) -> str:
    """The query string with some parameters changed (and the page reset)."""
    params = {key: value for key, value in query.items() if key != "page" and value}
    params.update({key: value for key, value in changes.items() if value})
    return urlencode(params)


# The sortable columns of the inbox: (sort key, label); clicking a sorted column reverses it.
SORTABLE_COLUMNS = (
    ("customer", _("Customer")),
    ("opened", _("Age")),
    ("due", _("Due")),
)


def _sortable_columns(query: QueryDict, sort: str) -> dict[str, dict]:
    """Per sortable column: its label, the link that sorts on it (filters kept) and its aria-sort."""
    columns = {}
    for key, label in SORTABLE_COLUMNS:
        current = sort.removeprefix("-") == key
        reverse = current and not sort.startswith("-")
        # Age grows as opened_at falls: "opened" (newest first) is ascending age.
        columns[key] = {
            "label": label,
            "query": _with(query, sort=f"-{key}" if reverse else key),
            "aria_sort": ("descending" if sort.startswith("-") else "ascending") if current else "",
        }
    return columns


def _inbox_page(
    request: AuthenticatedHttpRequest,
    cs: CaseScope,
    *,
    bulk_form: BulkReassignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = queries.inbox_choices(cs)
    filter_form = InboxFilterForm(request.GET, choices=choices)
    show, filters = filter_form.selection()
    tabs = [tab for tab in TAB_LABELS if tab != "team" or cs.scope.is_lead]
    cases = queries.cases_for(user=request.user, show=show, filters=filters, case_scope=cs)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    bulk_form = bulk_form or BulkReassignForm(case_scope=cs)
    context = {
        "cases": list(page.object_list),
        "page": page,
        "show": show,
        "tabs": [(tab, TAB_LABELS[tab], _with(request.GET, show=tab)) for tab in tabs],
        "filter_form": filter_form,
        "bulk_form": bulk_form,
        "can_reassign": bool(form_field(bulk_form, "assignee", EmployeeChoiceField).queryset),
        "open_statuses": queries.OPEN_STATUSES,
        "query": request.GET.urlencode(),
        "page_query": _with(request.GET),
        "columns": _sortable_columns(request.GET, filters.sort),
        "may_search_customers": may_search_customers(cs.scope),
    }
    return render(request, "followup/inbox.html", context, status=status)


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Cases to work on in tabs and filters, soonest due first."""
    return _inbox_page(request, queries.case_scope_for(request.user))


def _reassign_all(cases: list[FollowUpCase], *, actor, assignee, note: str) -> int:
    """Reassign every case or none; returns how many changed hands."""
    moved = 0
    with transaction.atomic():
        for case in cases:
            moved += int(case.assignee_id != assignee.pk)
            services.reassign_case(case=case, actor=actor, assignee=assignee, note=note)
    return moved


@login_required
@require_POST
def bulk_reassign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give the ticked cases to one employee, in one transaction."""
    cs = queries.case_scope_for(request.user)
    form = BulkReassignForm(request.POST, case_scope=cs)
    if not form.is_valid():
        return _inbox_page(request, cs, bulk_form=form, status=422)
    data = form.cleaned_data
    try:
        moved = _reassign_all(
            list(data["cases"]), actor=request.user, assignee=data["assignee"], note=data["note"]
        )
    except services.CaseError as error:
        messages.error(request, str(error))
        return _inbox_page(request, cs, bulk_form=form, status=409)
    messages.success(
        request,
        ngettext(
            "%(count)d case reassigned to %(name)s.",
            "%(count)d cases reassigned to %(name)s.",
            moved,
        )
        % {"count": moved, "name": data["assignee"].name},
    )
    query = request.GET.urlencode()
    return redirect(reverse("inbox") + (f"?{query}" if query else ""))


# --- the case page ---------------------------------------------------------------------------------


def _customer_message(
    request: AuthenticatedHttpRequest, case: FollowUpCase, templates: list
) -> tuple[str, str, int | None]:
    """The inform form's subject and body, from the chosen template (?template=) or the default text."""
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
    try:
        subject, body = services.render_customer_message(case=case, template=chosen)
    except services.CaseError as error:
        messages.error(request, str(error))
        subject, body = services.render_customer_message(case=case, template=None)
        chosen = None
    return subject, body, chosen.pk if chosen else None


def _offers_any(form: forms.BaseForm, name: str) -> bool:
    """Whether the form's model choice `name` has anything to choose (one EXISTS query)."""
    queryset = form_field(form, name, forms.ModelChoiceField).queryset
    return queryset is not None and queryset.exists()


def _case_page(
    request: AuthenticatedHttpRequest, case: "VisibleCase", *, status: int = 200, **forms_in_error
) -> HttpResponse:
    cs = queries.case_scope_for(request.user)
    if not case.workable:
        return _read_only_case_page(request, case, cs)
    response = case.response
    templates = list(queries.message_templates(case=case))
    subject, body, template_id = ("", "", None)
    if case.status == Status.RESOLVED:
        subject, body, template_id = _customer_message(request, case, templates)
    reassign_form = forms_in_error.get("reassign_form") or ReassignForm(case=case, case_scope=cs)
    # The details the handling organisation may use (customers/contacts.py), never a partner's.
    contact = services.customer_contact(case=case)
    context = {
        "case": case,
        "response": response,
        "contact": contact,
        "call_number": phone_key(contact.phone),
        "answers": response.answers.select_related("question").order_by("question__position"),
        "events": case.events.select_related("actor__employee"),
        "journey": queries.journey_of(cs, case=case),
        "earlier_feedback": queries.earlier_feedback(cs, case=case),
        "other_cases": queries.other_open_cases(cs, case=case),
        "templates": templates,
        "template_id": template_id,
        "contact_form": forms_in_error.get("contact_form") or ContactAttemptForm(),
        "resolve_form": forms_in_error.get("resolve_form") or ResolveForm(case=case),
        "inform_form": forms_in_error.get("inform_form")
        or InformForm(initial={"subject": subject, "body": body}),
        "note_form": forms_in_error.get("note_form") or NoteForm(),
        "reassign_form": reassign_form,
        "can_reassign": case.status in queries.OPEN_STATUSES
        and (_offers_any(reassign_form, "assignee") or _offers_any(reassign_form, "queue")),
        "is_open": case.status in queries.OPEN_STATUSES,
        "can_work": True,
        "now": timezone.now(),
    }
    return render(request, "followup/case.html", context, status=status)


def _read_only_case_page(
    request: AuthenticatedHttpRequest, case: FollowUpCase, cs: CaseScope
) -> HttpResponse:
    """A partner's case as the journey owner follows it: progress and timeline, no steps, and
    neither the contact details the partner holds nor the name of the partner's employee."""
    context = {
        "case": case,
        "response": case.response,
        "answers": case.response.answers.select_related("question").order_by("question__position"),
        "events": case.events.select_related("actor__employee"),
        "journey": queries.journey_of(cs, case=case),
        "earlier_feedback": queries.earlier_feedback(cs, case=case),
        "other_cases": queries.other_open_cases(cs, case=case),
        "is_open": case.status in queries.OPEN_STATUSES,
        "can_work": False,
        "now": timezone.now(),
    }
    return render(request, "followup/case.html", context)


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One case: the customer, their feedback and journey, the timeline and the next steps."""
    case = access_case(request.user, pk)
    record_view(
        actor=request.user,
        action="case.viewed",
        target=case,
        organisation=case.organisation,
        customer_id=case.response.customer_id,
    )
    return _case_page(request, case)


def _step(
    request: AuthenticatedHttpRequest, pk: int, make_form, form_name: str, run, done
) -> HttpResponse:
    """Validate a step's form, run the service, say what it did, and show the case again.

    `done(data)` is the confirmation shown on the case page (base.html, role="status"), so that
    whoever pressed the button hears or reads that it worked.
    """
    case = access_case(request.user, pk, to_work=True)
    form = make_form(case)
    if not form.is_valid():
        return _case_page(request, case, status=422, **{form_name: form})
    try:
        run(case, form.cleaned_data)
    except services.CaseError as error:
        messages.error(request, str(error))
        return _case_page(request, access_case(request.user, pk, to_work=True), status=409)
    messages.success(request, done(form.cleaned_data))
    return redirect("case_detail", pk=case.pk)


def _attempt_done(data: dict) -> str:
    if data["reached"]:
        return _g("Contact attempt saved: the customer was reached.")
    return _g("Contact attempt saved: the customer was not reached.")


@login_required
@require_POST
def contact_attempt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Log a call or message to the customer."""
    return _step(
        request,
        pk,
        lambda case: ContactAttemptForm(request.POST),
        "contact_form",
        lambda case, data: services.log_contact_attempt(case=case, actor=request.user, **data),
        _attempt_done,
    )


def _note_step(request: AuthenticatedHttpRequest, pk: int, service, done: str) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda case: NoteForm(request.POST),
        "note_form",
        lambda case, data: service(case=case, actor=request.user, note=data["note"]),
        lambda data: done,
    )


@login_required
@require_POST
def start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _note_step(request, pk, services.start_work, _g("You are working on this case."))


@login_required
@require_POST
def wait(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _note_step(
        request,
        pk,
        services.wait_for_customer,
        _g("The case waits for the customer; its due time is paused."),
    )


@login_required
@require_POST
def resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _note_step(request, pk, services.resume, _g("The case is running again."))


@login_required
@require_POST
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the root cause and the action taken."""
    return _step(
        request,
        pk,
        lambda case: ResolveForm(request.POST, case=case),
        "resolve_form",
        lambda case, data: services.resolve_case(case=case, actor=request.user, **data),
        lambda data: _g("Case resolved. Now tell the customer what was done."),
    )


@login_required
@require_POST
def inform(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the customer what was done with their feedback."""
    return _step(
        request,
        pk,
        lambda case: InformForm(request.POST),
        "inform_form",
        lambda case, data: services.inform_customer(case=case, actor=request.user, **data),
        lambda data: _g("The message to the customer is on its way."),
    )


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _note_step(request, pk, services.close_case, _g("Case closed."))


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _note_step(request, pk, services.reopen_case, _g("Case reopened."))


@login_required
@require_POST
def note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda case: NoteForm(request.POST),
        "note_form",
        lambda case, data: services.add_note(case=case, actor=request.user, note=data["note"]),
        lambda data: _g("Note added."),
    )


@login_required
@require_POST
def reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give the case to another employee or to a queue."""
    cs = queries.case_scope_for(request.user)
    return _step(
        request,
        pk,
        lambda case: ReassignForm(request.POST, case=case, case_scope=cs),
        "reassign_form",
        lambda case, data: services.reassign_case(case=case, actor=request.user, **data),
        lambda data: _reassigned(data),
    )


def _reassigned(data: dict) -> str:
    if data.get("assignee"):
        return _g("Case reassigned to %(name)s.") % {"name": data["assignee"].name}
    return _g("Case handed to the queue %(queue)s.") % {"queue": data["queue"].name}


# --- KPIs ------------------------------------------------------------------------------------------


def _kpi_period(request: AuthenticatedHttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        return 90
    return days if days in KPI_PERIODS else 90


@login_required
def kpi_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Closed-loop KPIs for me, a unit I lead, my organisation or the chain of journeys my organisation owns."""
    cs = queries.case_scope_for(request.user)
    scopes = queries.kpi_scopes(cs)
    if not scopes:
        raise Http404
    key = request.GET.get("scope") or scopes[0].key
    scope = next((s for s in scopes if s.key == key), None)
    if scope is None:
        raise Http404
    days = _kpi_period(request)
    cases, contacted, calendars = queries.kpi_facts(
        scope=scope, since=timezone.now() - timedelta(days=days)
    )
    context = {
        "scopes": [(s.key, scope_label(s)) for s in scopes],
        "scope": scope,
        "scope_label": scope_label(scope),
        "days": days,
        "periods": KPI_PERIODS,
        "kpis": kpis.summarise(cases, contacted, calendars),
    }
    return render(request, "followup/kpis.html", context)


def scope_label(scope: queries.KpiScope) -> str:
    """How the scope selector names a scope."""
    labels = {
        "me": _g("Me (%(name)s)"),
        "unit": _g("Unit %(name)s"),
        "organisation": _g("Organisation %(name)s"),
        "chain": _g("Chain: journeys owned by %(name)s"),
    }
    return labels[scope.kind] % {"name": scope.name}
