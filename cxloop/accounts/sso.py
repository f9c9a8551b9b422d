"""Single sign-on through OpenID Connect (Microsoft Entra ID, Google Workspace, any OIDC provider).

mozilla-django-oidc runs the authorisation-code flow (state, nonce, token exchange, the ID token's
signature against the provider's keys); this module decides what cxloop needs around it:
- the configuration (sso_config.py, docs/configuration.md): without a client id single sign-on is
  off and its two URLs answer 404;
- `SingleSignOnBackend`: a person is matched by e-mail (case-insensitive) or, where allowed, created;
  roles follow from a claim (accounts.services.grant_mapped_roles, audited);
- `provider_verified_two_steps`: whether the provider says the login used more than one factor, in
  which case cxloop does not ask its own second factor (docs/security.md).
"""

import logging
import threading
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cxloop.accounts.sso_config import ENDPOINTS, VERIFIED_BY_PROVIDER, RoleMapping, SsoConfig

logger = logging.getLogger(__name__)


def config() -> SsoConfig | None:
    """The running configuration (settings.CXLOOP_OIDC), None when single sign-on is off."""
    return getattr(settings, "CXLOOP_OIDC", None)


_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def endpoint(name: str) -> str:
    """One of the provider's endpoints: as configured, else from its discovery document (cached)."""
    sso = config()
    if sso is None:
        raise ImproperlyConfigured("single sign-on is off")
    if name in sso.endpoints:
        return sso.endpoints[name]
    # Fetched at the first login rather than at start-up: a provider that is briefly unreachable
    # must not stop cxloop (or password logins) from starting. A failure is not cached.
    with _discovery_lock:
        if sso.issuer not in _discovered:
            answer = requests.get(
                f"{sso.issuer}/.well-known/openid-configuration", timeout=sso.timeout
            )
            answer.raise_for_status()
            _discovered[sso.issuer] = answer.json()
    return _discovered[sso.issuer][ENDPOINTS[name][1]]


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, answered from SsoConfig instead of Django settings."""
    sso = config()
    if sso is None:
        raise Http404("single sign-on is off")
    if attr in ENDPOINTS:
        return endpoint(attr)
    values = {
        "OIDC_RP_CLIENT_ID": sso.client_id,
        "OIDC_RP_CLIENT_SECRET": sso.client_secret,
        "OIDC_RP_SIGN_ALGO": sso.sign_algo,
        "OIDC_RP_SCOPES": sso.scopes,
        "OIDC_CREATE_USER": sso.create_users,
        "OIDC_USE_PKCE": True,
        "OIDC_TIMEOUT": sso.timeout,
        "LOGIN_REDIRECT_URL_FAILURE": reverse("login"),
    }
    if attr in values:
        return values[attr]
    return getattr(settings, attr, *default)


def provider_verified_two_steps(id_token: dict[str, Any]) -> bool:
    """Whether the ID token says the person used more than one factor (RFC 8176 `amr` "mfa")."""
    methods = id_token.get("amr") or []
    return "mfa" in ([methods] if isinstance(methods, str) else methods)


def claim_values(claims: dict[str, Any], name: str) -> set[str]:
    """The values of a claim that may be one string or a list (Entra's `groups`, `roles`)."""
    value = claims.get(name)
    if value is None:
        return set()
    return {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}


def mapped_roles(claims: dict[str, Any], sso: SsoConfig) -> list[RoleMapping]:
    """The role mappings whose value the person's role claim holds."""
    held = claim_values(claims, sso.role_claim) if sso.role_claim else set()
    return [mapping for mapping in sso.roles if mapping.value in held]


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people by e-mail and mapping roles from a claim.

    Django loads every backend for every password login and every request of a logged-in person, so
    nothing is read from the provider until a single sign-on callback arrives.
    """

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or config() is None:
            return None  # a password login, or single sign-on is off
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        self.OIDC_RP_CLIENT_SECRET = oidc_setting("OIDC_RP_CLIENT_SECRET")
        self.OIDC_RP_SIGN_ALGO = oidc_setting("OIDC_RP_SIGN_ALGO")
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        # `payload` is the ID token, its signature and nonce checked; mozilla-django-oidc leaves
        # the audience and issuer to us.
        if not _audience_ok(payload, self.OIDC_RP_CLIENT_ID):
            return _refuse(
                self.request, "audience", "ID token for another client: %s", payload.get("aud")
            )
        sso = config()
        if sso.issuer and payload.get("iss", "").rstrip("/") != sso.issuer:
            return _refuse(
                self.request, "issuer", "ID token from another issuer: %s", payload.get("iss")
            )
        self.request.cxloop_sso_id_token = payload
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            return _refuse(self.request, "unknown", "no user with this e-mail address")
        return user

    def get_userinfo(self, access_token, id_token, payload):
        # Entra ID sends groups and roles in the ID token only; the userinfo answer has the profile.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims):
        if not claims.get("email"):
            _refuse(self.request, "no_email", "the provider sent no e-mail address")
            return False
        if claims.get("email_verified") is False:
            _refuse(self.request, "unverified", "the provider has not verified the e-mail address")
            return False
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims):
        from cxloop.accounts.services import create_user_from_provider

        return create_user_from_provider(claims=claims, mappings=mapped_roles(claims, config()))

    def update_user(self, user, claims):
        from cxloop.accounts.services import grant_mapped_roles

        grant_mapped_roles(user=user, mappings=mapped_roles(claims, config()))
        return user


def _audience_ok(payload: dict[str, Any], client_id: str) -> bool:
    audience = payload.get("aud")
    return client_id in (audience if isinstance(audience, list) else [audience])


def _refuse(request: HttpRequest, reason: str, log_message: str, *args: Any) -> None:
    logger.warning("Single sign-on refused: " + log_message, *args)
    # Read back by the failure view on this same request (OidcCallback.failure_url's page).
    request.cxloop_sso_refusal = reason  # type: ignore[attr-defined]  # our own note on the request
    return None


REFUSALS = {
    "unknown": lambda: _(
        "You signed in with your organisation, but cxloop does not know the e-mail address of "
        "that account. Ask your cxloop administrator to add you."
    ),
    "unverified": lambda: _(
        "Your organisation has not verified the e-mail address of your account, so cxloop cannot "
        "match it to a person."
    ),
    "no_email": lambda: _(
        "Your organisation's sign-in did not tell cxloop your e-mail address. Ask your "
        "administrator to send the e-mail claim."
    ),
}


class SignInView(OIDCAuthenticationRequestView):
    """Sends the person to the provider's login page (GET /oidc/authenticate/)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if config() is None:
            raise Http404("single sign-on is off")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError) as error:
            logger.warning("Single sign-on: the provider's discovery document failed: %r", error)
            messages.error(
                request, _("Your organisation's sign-in cannot be reached. Try again later.")
            )
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back (GET /oidc/callback/): log in, or say why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if config() is None:
            raise Http404("single sign-on is off")
        try:
            return super().get(request)
        except requests.RequestException as error:
            # The provider could not be reached, or refused the code (an old or reused link).
            logger.warning("Single sign-on failed at the provider: %s", error)
            return self.login_failure()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        id_token = getattr(self.request, "cxloop_sso_id_token", {})
        if provider_verified_two_steps(id_token):
            self.request.session[VERIFIED_BY_PROVIDER] = True
        return response

    def login_failure(self) -> HttpResponse:
        refusal = REFUSALS.get(getattr(self.request, "cxloop_sso_refusal", ""))
        if refusal is not None:
            messages.error(self.request, refusal())
        elif "error" in self.request.GET:
            messages.error(self.request, _("Signing in with your organisation was cancelled."))
        else:
            messages.error(
                self.request, _("Signing in with your organisation did not work. Try again.")
            )
        return super().login_failure()
