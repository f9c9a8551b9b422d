"""The opt-out page behind the link in every message, the Customers page (finding a customer,
"why (not) asked?") and the chain's contact sharing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cxloop.audit.services import record_view
from cxloop.customers.forms import ContactSharingForm
from cxloop.customers.models import ContactSharing
from cxloop.customers.normalise import phone_key
from cxloop.customers.queries import (
    SEARCH_LIMIT,
    contact_history,
    find_customers,
    may_search_customers,
)
from cxloop.customers.services import opt_out_customer, set_contact_sharing
from cxloop.followup.queries import OPEN_STATUSES, case_scope_for, visible_cases
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.access import scope_for
from cxloop.orgs.capabilities import Capability, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.surveys.services import customer_from_opt_out_token


@limit_per_client("link", "CXLOOP_RATELIMIT_LINKS")
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for confirmation (mail scanners follow links), then opt out on POST."""
    customer = customer_from_opt_out_token(token)
    language = request.GET.get("lang") or (customer.language if customer else "nl")
    language = language if language in ("nl", "en") else "nl"
    with translation.override(language):
        if customer is None:
            return render(
                request,
                "surveys/link_error.html",
                {"reason": "unknown", "language": language},
                status=404,
            )
        if request.method == "POST":
            opt_out_customer(customer=customer, actor=None, detail="by the customer's link")
            return render(
                request, "customers/opted_out.html", {"language": language, "chain": customer.chain}
            )
        return render(
            request, "customers/opt_out.html", {"language": language, "chain": customer.chain}
        )


def _found(request: HttpRequest, query: str) -> list[dict]:
    """The customers found by the search, each with the open cases of theirs the user may see;
    every customer shown is logged as found, in the log of the organisation whose details matched."""
    rows = find_customers(user=request.user, query=query)
    cases_by_customer: dict[int, list] = {}
    if rows:
        cases = visible_cases(case_scope_for(request.user)).filter(
            status__in=OPEN_STATUSES, response__customer_id__in=[row.customer_id for row in rows]
        )
        for case in cases.order_by("next_due", "pk"):
            cases_by_customer.setdefault(case.response.customer_id, []).append(case)
    for row in rows:
        record_view(
            actor=request.user,
            action="customer.found",
            target=row.customer,
            organisation=row.organisation,
            customer_id=row.customer_id,
            detail="customer search",
        )
    return [
        {
            "contact": row,
            "phone_key": phone_key(row.phone),
            "cases": cases_by_customer.get(row.customer_id, []),
        }
        for row in rows
    ]


@login_required
def why_asked(request: HttpRequest) -> HttpResponse:
    """Find a customer by e-mail, phone, name or licence plate; answer "why was this customer
    (not) asked?" for a customer key (organisation readers only)."""
    scope = scope_for(request.user)
    if not may_search_customers(scope):
        raise Http404
    query = request.GET.get("q", "").strip()[:254]
    found = _found(request, query) if query else None
    key = request.GET.get("key", "").strip()
    history = None
    status = 200
    if key and not scope.organisations:
        raise Http404  # a team lead finds customers, the contact history is the organisation's
    if key:
        try:
            history = contact_history(user=request.user, key=key)
        except Http404:
            status = 404
        else:
            # The customer belongs to the whole chain: the viewer's own organisation(s) log the view.
            viewers = Organisation.objects.filter(
                pk__in=scope.organisations, chain_id=history.customer.chain_id
            )
            for organisation in viewers:
                record_view(
                    actor=request.user,
                    action="customer.viewed",
                    target=history.customer,
                    organisation=organisation,
                    customer_id=history.customer.pk,
                )
    context = {
        "key": key,
        "history": history,
        "query": query,
        "found": found,
        "reads_organisation": bool(scope.organisations),
        "search_limit": SEARCH_LIMIT,
    }
    return render(request, "customers/why_asked.html", context, status=status)


def _owning_organisation(request: HttpRequest) -> Organisation:
    """An organisation owning journey types whose surveys and contact rules the user sets; else 404."""
    organisation = (
        organisations_where(request.user, Capability.CONFIGURE_SURVEYS)
        .filter(owned_journey_types__isnull=False)
        .select_related("chain")
        .order_by("name")
        .first()
    )
    if organisation is None:
        raise Http404
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def contact_sharing(request: HttpRequest) -> HttpResponse:
    """The chain's rule on whose contact details a partner may use; journey owners decide."""
    organisation = _owning_organisation(request)
    chain = organisation.chain
    current = ContactSharing.objects.filter(chain=chain).first()
    initial = {"partners_use_owner_details": bool(current and current.partners_use_owner_details)}
    form = ContactSharingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        set_contact_sharing(
            chain=chain,
            partners_use_owner_details=form.cleaned_data["partners_use_owner_details"],
            actor=request.user,
            organisation=organisation,
        )
        messages.success(request, _("Saved; it holds for every organisation of the chain."))
        return redirect("contact_sharing")
    return render(request, "customers/contact_sharing.html", {"form": form, "chain": chain})
