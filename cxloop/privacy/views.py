"""The privacy officer's pages: find a customer, read and export their data, erase them, receipts,
retention and purges, and the audit log. Privacy officers and organisation admins only; 404 for
everyone else."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cxloop.audit.queries import audit_entries
from cxloop.privacy import queries, services
from cxloop.privacy.forms import (
    KIND_LABELS,
    PURGE_LABELS,
    AuditFilterForm,
    EraseForm,
    RetentionForm,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, items, size: int = PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the organisation's privacy page, or a choice when the user answers for several."""
    organisations = queries.privacy_organisations(request.user)
    if not organisations:
        raise Http404
    if len(organisations) == 1:
        return redirect("privacy:overview", slug=organisations[0].slug)
    return render(request, "privacy/index.html", {"organisations": organisations})


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Find a customer by key, e-mail address or phone number; the latest receipts and purges."""
    organisation = queries.access_privacy(request.user, slug)
    query = request.GET.get("q", "").strip()[:254].replace("\x00", "")
    found = queries.find_customers(organisation=organisation, query=query) if query else []
    for customer in found:
        services.record_customer_access(
            actor=request.user,
            organisation=organisation,
            customer=customer,
            action="customer.found",
        )
    context = {
        "organisation": organisation,
        "query": query,
        "found": found,
        "erased": queries.receipts_for_key(organisation=organisation, key=query)
        if query and not found
        else [],
        "receipts": queries.receipts_for(organisation=organisation)[:5],
        "runs": queries.purge_runs_for(organisation=organisation)[:3],
        "policy": queries.retention_for(organisation=organisation),
    }
    return render(request, "privacy/overview.html", context)


def _customer(request: HttpRequest, slug: str, pk: int):
    organisation = queries.access_privacy(request.user, slug)
    return organisation, queries.access_customer(organisation=organisation, pk=pk)


@login_required
def customer_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Everything the organisation holds about one customer, readable; the view is audited."""
    organisation, customer = _customer(request, slug, pk)
    services.record_customer_access(
        actor=request.user, organisation=organisation, customer=customer, action="customer.viewed"
    )
    export = queries.customer_export(organisation=organisation, customer=customer)
    return render(
        request,
        "privacy/customer.html",
        {"organisation": organisation, "customer": customer, "data": export},
    )


@login_required
def customer_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The same as JSON, as a file to hand to the customer; the export is audited."""
    organisation, customer = _customer(request, slug, pk)
    services.record_customer_access(
        actor=request.user,
        organisation=organisation,
        customer=customer,
        action="customer.exported",
        export=True,
    )
    export = queries.customer_export(organisation=organisation, customer=customer)
    response = HttpResponse(
        json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show what an erasure removes; erase on a confirmed POST and show the receipt."""
    organisation, customer = _customer(request, slug, pk)
    form = EraseForm(request.POST) if request.method == "POST" else EraseForm()
    if request.method == "POST" and form.is_valid():
        receipt = services.erase_customer(
            organisation=organisation, customer=customer, actor=request.user
        )
        messages.success(request, _("The customer was erased. This is the receipt."))
        return redirect("privacy:receipt", slug=slug, pk=receipt.pk)
    services.record_customer_access(
        actor=request.user, organisation=organisation, customer=customer, action="customer.viewed"
    )
    plan = queries.erasure_plan(customer=customer)
    context = {
        "organisation": organisation,
        "customer": customer,
        "counts": plan.counts(),
        "holders": plan.organisations,
        "form": form,
    }
    return render(request, "privacy/erase.html", context, status=400 if form.errors else 200)


@login_required
def receipt_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every erasure the organisation asked for or held data in."""
    organisation = queries.access_privacy(request.user, slug)
    page = _page(request, queries.receipts_for(organisation=organisation))
    return render(request, "privacy/receipts.html", {"organisation": organisation, "page": page})


@login_required
def receipt_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One receipt: who, when, for whom, how many rows per table."""
    organisation = queries.access_privacy(request.user, slug)
    receipt = queries.receipts_for(organisation=organisation).filter(pk=pk).first()
    if receipt is None:
        raise Http404
    context = {
        "organisation": organisation,
        "receipt": receipt,
        "holders": receipt.organisations.order_by("name"),
    }
    return render(request, "privacy/receipt.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's retention periods, and what the purges removed."""
    organisation = queries.access_privacy(request.user, slug)
    policy = queries.retention_for(organisation=organisation)
    form = RetentionForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.set_retention(organisation=organisation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The retention periods were saved."))
        return redirect("privacy:retention", slug=slug)
    page = _page(request, queries.purge_runs_for(organisation=organisation), size=30)
    for run in page.object_list:
        run.blanked = [(PURGE_LABELS.get(name, name), n) for name, n in run.counts.items() if n]
    return render(
        request,
        "privacy/retention.html",
        {"organisation": organisation, "form": form, "page": page},
        status=400 if form.errors else 200,
    )


@login_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's audit log, filtered by kind, action, who, period and customer."""
    organisation = queries.access_privacy(request.user, slug)
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(organisation=organisation).none()
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        since, until = form.period() if request.GET else (None, None)
        customer_id = None
        if data.get("customer"):
            customer_id = queries.customer_id_in_chain(
                organisation=organisation, key=data["customer"]
            )
        entries = audit_entries(
            organisation=organisation,
            kind=data.get("kind", ""),
            action=data.get("action", "").strip(),
            actor=data.get("actor", "").strip(),
            since=since,
            until=until,
            customer_id=customer_id,
        )
    query = request.GET.copy()
    query.pop("page", None)
    page = _page(request, entries)
    for entry in page.object_list:
        entry.kind_label = KIND_LABELS.get(entry.kind, entry.kind)
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "privacy/audit.html", context, status=400 if form.errors else 200)
