"""A logged-in person who still owes their second factor reaches only the pages that collect it."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from cxloop.accounts.twofactor import has_second_factor
from cxloop.orgs.capabilities import must_use_two_factor

# Pages a person may open between password and second factor, and the pages of customers and
# systems, which never rely on a staff login.
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "two_factor_verify",
    "two_factor_setup",
    "survey",
    "survey_thanks",
    "opt_out",
    "digest_stop",
}


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: redirect to the code page, or to set-up when it is required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if request.path.startswith("/api/") or (
            match and match.url_name in OPEN_BEFORE_SECOND_FACTOR
        ):
            return None
        if has_second_factor(user):
            return _redirect("two_factor_verify", request)
        if must_use_two_factor(user):
            return _redirect("two_factor_setup", request)
        return None


def _redirect(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
