"""The opt-out page behind the link in every message."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cxloop.customers.services import opt_out_customer
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
            opt_out_customer(customer=customer)
            return render(request, "customers/opted_out.html", {"language": language, "chain": customer.chain})
        return render(request, "customers/opt_out.html", {"language": language, "chain": customer.chain})
