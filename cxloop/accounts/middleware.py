"""Two rules on every staff request: a session ends after a spell without activity, and a logged-in
person who still owes their second factor reaches only the pages that collect it."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cxloop.accounts.sso_config import VERIFIED_BY_PROVIDER
from cxloop.accounts.twofactor import second_factor_state

# Pages a person may open between password and second factor, and the pages of customers and
# systems, which never rely on a staff login.
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "two_factor_verify",
    "two_factor_setup",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "survey",
    "survey_thanks",
    "opt_out",
    "digest_stop",
    "welcome",
}


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware: redirect to the code page, or to set-up when it is required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        # is_verified is django-otp's: its OTPMiddleware, which runs before this one, adds it.
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        if request.session.get(VERIFIED_BY_PROVIDER):
            return None  # the single sign-on provider reported two factors (docs/security.md)
        match = request.resolver_match
        if request.path.startswith("/api/") or (
            match and match.url_name in OPEN_BEFORE_SECOND_FACTOR
        ):
            return None
        has_one, needs_one = second_factor_state(user)
        if has_one:
            return _redirect("two_factor_verify", request)
        if needs_one:
            return _redirect("two_factor_setup", request)
        return None


def _redirect(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


LAST_SEEN = "cxloop_last_seen"  # session key: when this session last made a request (epoch seconds)
TOUCH_EVERY = 60  # seconds; a busy page does not write its session on every request


def mark_seen(request: HttpRequest) -> None:
    request.session[LAST_SEEN] = int(time.time())


class IdleTimeoutMiddleware:
    """Log out a session that made no request for CXLOOP_SESSION_IDLE_MINUTES, and say why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            now, last = int(time.time()), request.session.get(LAST_SEEN)
            idle_minutes = settings.CXLOOP_SESSION_IDLE_MINUTES
            if last is not None and now - last > idle_minutes * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)s minutes without activity.")
                    % {"minutes": idle_minutes},
                )
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= TOUCH_EVERY:
                mark_seen(request)
        return self.get_response(request)
