"""The opt-out page behind the link in every message."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cxloop.audit.services import record_view
from cxloop.customers.queries import contact_history
from cxloop.customers.services import opt_out_customer
from cxloop.orgs.access import scope_for
from cxloop.orgs.models import Organisation
from cxloop.surveys.services import customer_from_opt_out_token


@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for confirmation (mail scanners follow links), then opt out on POST."""
    customer = customer_from_opt_out_token(token)
    language = request.GET.get("lang") or (customer.language if customer else "nl")
    language = language if language in ("nl", "en") else "nl"
    with translation.override(language):
        if customer is None:
            return render(request, "surveys/link_error.html", {"reason": "unknown", "language": language}, status=404)
        if request.method == "POST":
            opt_out_customer(customer=customer, actor=None, detail="by the customer's link")
            return render(request, "customers/opted_out.html", {"language": language, "chain": customer.chain})
        return render(request, "customers/opt_out.html", {"language": language, "chain": customer.chain})


@login_required
def why_asked(request: HttpRequest) -> HttpResponse:
    """Answer "why was this customer (not) asked?" for a customer key."""
    scope = scope_for(request.user)
    if not scope.organisations:
        raise Http404
    key = request.GET.get("key", "").strip()
    history = None
    status = 200
    if key:
        try:
            history = contact_history(user=request.user, key=key)
        except Http404:
            status = 404
        else:
            # The customer belongs to the whole chain: the viewer's own organisation(s) log the view.
            viewers = Organisation.objects.filter(pk__in=scope.organisations, chain_id=history.customer.chain_id)
            for organisation in viewers:
                record_view(
                    actor=request.user, action="customer.viewed", target=history.customer,
                    organisation=organisation, customer_id=history.customer.pk,
                )
    return render(request, "customers/why_asked.html", {"key": key, "history": history}, status=status)
